"""The main window: panel navigation, menus, a status bar of live checks, remembered settings."""

from __future__ import annotations

import sys
from collections.abc import Iterator, Mapping
from pathlib import Path

from PySide6.QtCore import QByteArray, QSettings, QSize, Qt, QTimer, qInstallMessageHandler
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QMessageBox,
    QSplitter,
    QStackedWidget,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from explorer import __version__, export
from explorer.panels import PANELS, Panel

ORGANISATION = "nn-explorer"
APPLICATION = "nn-explorer"


def default_settings() -> QSettings:
    """The app's settings file (an INI file in the user's configuration folder)."""
    return QSettings(QSettings.Format.IniFormat, QSettings.Scope.UserScope, ORGANISATION,
                     APPLICATION)


class PanelMap(Mapping[str, Panel]):
    """Every registered panel by id. A panel is built the first time it is needed.

    The window builds the panel it opens on at once and the rest right after its first frame, so
    start-up costs one panel; looking a panel up here builds it if that has not happened yet.
    """

    def __init__(self, window: MainWindow) -> None:
        self._window = window
        self._built: dict[str, Panel] = {}

    def __getitem__(self, panel_id: str) -> Panel:
        if panel_id not in PANELS:
            raise KeyError(panel_id)
        if panel_id not in self._built:
            self._built[panel_id] = self._window._build_panel(panel_id)
        return self._built[panel_id]

    def __iter__(self) -> Iterator[str]:
        return iter(PANELS)

    def __len__(self) -> int:
        return len(PANELS)

    def is_built(self, panel_id: str) -> bool:
        """Whether ``panel_id`` has been built."""
        return panel_id in self._built


class MainWindow(QMainWindow):
    """Navigation on the left, the panels in a stack, live checks in the status bar."""

    def __init__(self, settings: QSettings | None = None, panel: str | None = None) -> None:
        super().__init__()
        self.setWindowTitle("NN Explorer")
        self._settings = settings if settings is not None else default_settings()
        self._ids = list(PANELS)
        self.panels = PanelMap(self)

        self._nav = QListWidget(self)
        self._nav.setToolTip("Topics of the homework (Ctrl+1 … Ctrl+6)")
        self._nav.setMinimumWidth(170)
        self._nav.setMaximumWidth(260)
        self._nav.setSpacing(2)
        self._stack = QStackedWidget(self)
        for number, panel_id in enumerate(self._ids, start=1):
            entry = PANELS.entry(panel_id)
            item = QListWidgetItem(f"{entry.title}\nQuestions {entry.questions}")
            item.setToolTip(f"{entry.title} — homework questions {entry.questions} "
                            f"(Ctrl+{number})")
            item.setData(Qt.ItemDataRole.UserRole, panel_id)
            self._nav.addItem(item)
            self._stack.addWidget(QWidget(self._stack))  # placeholder until the panel is built
        splitter = QSplitter(Qt.Orientation.Horizontal, self)
        splitter.addWidget(self._nav)
        splitter.addWidget(self._stack)
        splitter.setStretchFactor(1, 1)
        splitter.setCollapsible(1, False)
        self.setCentralWidget(splitter)

        self._check_label = QLabel(self)
        self._check_label.setToolTip("Live checks of the panel shown")
        self.statusBar().addPermanentWidget(self._check_label)
        self._build_menus()
        self._nav.currentRowChanged.connect(self._row_changed)

        self._restore(panel)
        # The other panels are built one per event-loop turn after the first frame.
        self._pending = [i for i in self._ids if not self.panels.is_built(i)]
        self._build_timer = QTimer(self)
        self._build_timer.setInterval(0)
        self._build_timer.timeout.connect(self._build_next)
        # The window is the context: if it is destroyed first, Qt drops the call.
        QTimer.singleShot(50, self, self._build_timer.start)

    # -- panels ---------------------------------------------------------------------------
    def _build_panel(self, panel_id: str) -> Panel:
        index = self._ids.index(panel_id)
        panel = PANELS[panel_id](self._stack)
        placeholder = self._stack.widget(index)
        self._stack.insertWidget(index, panel)
        self._stack.removeWidget(placeholder)
        placeholder.deleteLater()
        panel.checksChanged.connect(self._checks_changed)
        return panel

    def _build_next(self) -> None:
        while self._pending and self.panels.is_built(self._pending[0]):
            self._pending.pop(0)
        if not self._pending:
            self._build_timer.stop()
            return
        current = self._stack.currentIndex()
        self.panels[self._pending.pop(0)]
        self._stack.setCurrentIndex(current)

    def current_id(self) -> str:
        """Id of the panel shown."""
        return self._ids[max(0, self._nav.currentRow())]

    def current_panel(self) -> Panel:
        """The panel shown."""
        return self.panels[self.current_id()]

    def show_panel(self, panel_id: str) -> None:
        """Switch to ``panel_id``."""
        if panel_id not in PANELS:
            raise KeyError(f"unknown panel '{panel_id}'")
        self._nav.setCurrentRow(self._ids.index(panel_id))

    def _row_changed(self, row: int) -> None:
        if row < 0:
            return
        panel = self.panels[self._ids[row]]
        self._stack.setCurrentWidget(panel)
        self._settings.setValue("last_panel", self._ids[row])
        self._show_checks(panel.last_checks())

    def _checks_changed(self, checks: list) -> None:
        if self.sender() is self.current_panel():
            self._show_checks(checks)

    def _show_checks(self, checks: list) -> None:
        passed = sum(c.passed for c in checks)
        mark = "✓" if passed == len(checks) else "✗"
        self._check_label.setText(f"{mark} {passed}/{len(checks)} checks pass")
        self._check_label.setToolTip("\n".join(("✓ " if c.passed else "✗ ") + c.summary()
                                               for c in checks))

    def check_summary(self) -> str:
        """The status bar's check text, e.g. "✓ 3/3 checks pass"."""
        return self._check_label.text()

    # -- menus ----------------------------------------------------------------------------
    def _action(self, menu, text: str, slot, shortcut=None, tip: str = "") -> QAction:
        action = QAction(text, self)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        action.setStatusTip(tip)
        action.setToolTip(tip)
        action.triggered.connect(slot)
        menu.addAction(action)
        return action

    def _build_menus(self) -> None:
        bar = self.menuBar()
        file_menu = bar.addMenu("&File")
        self._action(file_menu, "&Export panel…", self.export_current, "Ctrl+E",
                     "Save the panel shown as a PNG or SVG picture")
        self._action(file_menu, "Export &all…", self.export_all, "Ctrl+Shift+E",
                     "Save every panel as a PNG into a folder")
        file_menu.addSeparator()
        self._action(file_menu, "&Quit", self.close, QKeySequence.StandardKey.Quit, "Quit")
        view = bar.addMenu("&View")
        self.view_actions: dict[str, QAction] = {}
        for number, panel_id in enumerate(self._ids, start=1):
            entry = PANELS.entry(panel_id)
            action = self._action(view, f"{entry.title}  ({entry.questions})",
                                  self._view_triggered, f"Ctrl+{number}",
                                  f"Show the {entry.title} panel")
            action.setData(panel_id)
            self.view_actions[panel_id] = action
        view.addSeparator()
        self._action(view, "&Reset panel", self.reset_current, "Ctrl+R",
                     "Put the panel back to the homework's own example")
        self._action(view, "Reset &all panels", self.reset_all, "Ctrl+Shift+R",
                     "Put every panel back to the homework's own example")
        help_menu = bar.addMenu("&Help")
        self._action(help_menu, "&Explain this panel", self.explain_current,
                     QKeySequence.StandardKey.HelpContents, "What the panel shows, and why (F1)")
        self._action(help_menu, "&About NN Explorer", self.about, None, "About this app")

    def _view_triggered(self) -> None:
        self.show_panel(self.sender().data())

    def reset_current(self) -> None:
        """Reset the panel shown to the homework's example."""
        self.current_panel().reset()

    def reset_all(self) -> None:
        """Reset every panel that has been built (the others open in their default state)."""
        for panel_id in self._ids:
            if self.panels.is_built(panel_id):
                self.panels[panel_id].reset()

    def explain_current(self) -> None:
        """Show the explanation of the panel shown in a window of its own."""
        panel = self.current_panel()
        dialog = QDialog(self)
        dialog.setWindowTitle(f"{panel.title} — questions {panel.questions}")
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        text = QTextBrowser(dialog)
        text.setHtml(panel.explanation())
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, dialog)
        buttons.rejected.connect(dialog.reject)
        layout = QVBoxLayout(dialog)
        layout.addWidget(text)
        layout.addWidget(buttons)
        dialog.resize(560, 620)
        dialog.show()
        self._explanation = dialog

    def export_current(self) -> None:
        """Ask for a file name and export the panel shown."""
        panel = self.current_panel()
        path, chosen = QFileDialog.getSaveFileName(
            self, "Export panel", f"{panel.id}.png", "PNG image (*.png);;SVG drawing (*.svg)")
        if path:
            fmt = "svg" if path.lower().endswith(".svg") or "svg" in chosen.lower() else "png"
            if not path.lower().endswith(f".{fmt}"):
                path += f".{fmt}"
            self._export([(panel, Path(path))], fmt)

    def export_all(self) -> None:
        """Ask for a folder and export every panel to it as PNG."""
        folder = QFileDialog.getExistingDirectory(self, "Export all panels to")
        if folder:
            self._export([(self.panels[i], Path(folder) / f"{i}.png") for i in self._ids], "png")

    def _export(self, jobs: list[tuple[Panel, Path]], fmt: str) -> None:
        try:
            for panel, path in jobs:
                export.prepare_directory(path.parent)
                if not panel.isVisible():
                    # Lay a hidden panel out at the size of the one on screen before grabbing.
                    panel.resize(self._stack.size())
                panel.prepare_export()
                export.write_widget(panel, path, fmt)
        except export.ExportError as exc:
            QMessageBox.warning(self, "Export failed", str(exc))
            return
        self.statusBar().showMessage(f"Exported {len(jobs)} file(s) to {jobs[0][1].parent}", 5000)

    def about(self) -> None:
        """The About box."""
        QMessageBox.about(
            self, "About NN Explorer",
            f"<b>NN Explorer {__version__}</b><p>See and play with the mathematics of training "
            "a neural network: losses, softmax, equivalent networks, convolution and "
            "backpropagation through it. Every number on screen is computed by "
            "<code>explorer.model</code> and checked live against an independent oracle.</p>")

    # -- settings -------------------------------------------------------------------------
    def _restore(self, panel: str | None) -> None:
        """Window geometry and last panel from the settings; anything unreadable is skipped."""
        unreadable = []
        geometry = last = None
        try:
            geometry = self._settings.value("geometry")
            last = self._settings.value("last_panel")
        except Exception:  # noqa: BLE001 - any unreadable value means: use the defaults
            unreadable.append("values")
        if self._settings.status() != QSettings.Status.NoError:
            unreadable.append("format")
            geometry = last = None
        self.resize(QSize(1280, 800))
        if geometry is not None and not (isinstance(geometry, QByteArray | bytes)
                                         and self.restoreGeometry(geometry)):
            unreadable.append("geometry")
            self.resize(QSize(1280, 800))
        if last is not None and last not in PANELS:
            unreadable.append("last_panel")
            last = None
        if unreadable:
            print(f"nn-explorer: ignoring unreadable settings ({', '.join(unreadable)}) in "
                  f"{self._settings.fileName()}; using the defaults", file=sys.stderr)
        self.show_panel(panel if panel is not None else last or self._ids[0])

    def closeEvent(self, event) -> None:  # noqa: D102 - Qt override
        self._build_timer.stop()
        self._settings.setValue("geometry", self.saveGeometry())
        self._settings.setValue("last_panel", self.current_id())
        self._settings.sync()
        for panel_id in self._ids:
            if self.panels.is_built(panel_id):
                self.panels[panel_id].close()
        super().closeEvent(event)


_QUIET_MESSAGES = (
    # The offscreen platform (export, tests) has no window manager and says so on every show.
    "This plugin does not support propagateSizeHints",
)


def _message_handler(mode, context, message: str) -> None:
    if not message.startswith(_QUIET_MESSAGES):
        print(message, file=sys.stderr)


def application() -> QApplication:
    """The running QApplication, created with the app's names if there is none."""
    app = QApplication.instance()
    if app is None:
        qInstallMessageHandler(_message_handler)
        app = QApplication(sys.argv[:1])
    app.setOrganizationName(ORGANISATION)
    app.setApplicationName(APPLICATION)
    app.setApplicationDisplayName("NN Explorer")
    return app
