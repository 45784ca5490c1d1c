"""File dialogs that open where the student last saved or opened the same kind of file.

Each kind of file (pictures opened, panel exports, CSV data, GIF animations, setups) remembers
its own folder in the app's settings, across runs; a folder that has gone since falls back to
the home folder, never to whatever directory the app happened to be started from.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QCoreApplication, QDir, QSettings
from PySide6.QtWidgets import QFileDialog, QWidget

#: The kinds of file whose folder is remembered.
KINDS = ("images", "exports", "csv", "gif", "setups")


def _settings() -> QSettings:
    app = QCoreApplication.instance()
    return QSettings(QSettings.Format.IniFormat, QSettings.Scope.UserScope,
                     app.organizationName() or "nn-explorer",
                     app.applicationName() or "nn-explorer")


def last_folder(kind: str) -> str:
    """The folder last used for ``kind`` if it still exists, else the home folder."""
    if kind not in KINDS:
        raise ValueError(f"unknown kind of file '{kind}': choose from {', '.join(KINDS)}")
    try:
        value = _settings().value(f"folders/{kind}")
    except Exception:  # noqa: BLE001 - an unreadable setting means: not remembered
        value = None
    if isinstance(value, str) and value and Path(value).is_dir():
        return value
    return QDir.homePath()


def remember_folder(kind: str, folder: str | Path) -> None:
    """Open the dialogs for ``kind`` in ``folder`` from now on."""
    if kind not in KINDS:
        raise ValueError(f"unknown kind of file '{kind}': choose from {', '.join(KINDS)}")
    settings = _settings()
    settings.setValue(f"folders/{kind}", str(folder))
    settings.sync()


def save_file(parent: QWidget, kind: str, caption: str, name: str,
              filters: str) -> tuple[str, str]:
    """Ask where to save ``name``, starting in ``kind``'s folder: (path or "", filter chosen)."""
    path, chosen = QFileDialog.getSaveFileName(parent, caption,
                                               str(Path(last_folder(kind)) / name), filters)
    if path:
        remember_folder(kind, Path(path).parent)
    return path, chosen


def open_file(parent: QWidget, kind: str, caption: str, filters: str) -> str:
    """Ask for a file to open, starting in ``kind``'s folder: its path, or ""."""
    path, _chosen = QFileDialog.getOpenFileName(parent, caption, last_folder(kind), filters)
    if path:
        remember_folder(kind, Path(path).parent)
    return path


def choose_folder(parent: QWidget, kind: str, caption: str) -> str:
    """Ask for a folder, starting in ``kind``'s folder: its path, or ""."""
    folder = QFileDialog.getExistingDirectory(parent, caption, last_folder(kind))
    if folder:
        remember_folder(kind, folder)
    return folder
