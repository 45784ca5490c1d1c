"""Add the app to the user's application menu: its desktop entry and icons in the XDG folders."""

from __future__ import annotations

import os
import re
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

from explorer import assets

APP_ID = "nn-explorer"
# The desktop entry specification's characters that make an Exec argument need quotes.
_RESERVED = re.compile(r"""[\s"'\\><~|&;$*?#()`]""")


def data_home() -> Path:
    """``$XDG_DATA_HOME``, or ``~/.local/share`` when it is unset, empty or relative (XDG)."""
    value = os.environ.get("XDG_DATA_HOME", "")
    if value and os.path.isabs(value):
        return Path(value)
    return Path.home() / ".local" / "share"


def launch_command(argv0: str, executable: str) -> list[str]:
    """The command that starts the app the way it was started now.

    ``argv0`` is ``sys.argv[0]``: the ``nn-explorer`` script (kept as found, not resolved, so a
    pipx link keeps working after an upgrade), ``.../explorer/__main__.py`` for
    ``python -m explorer``, or a checkout's ``app.py``. Without one, the bare command name.
    """
    if not argv0 or argv0 == "-c":
        return [APP_ID]
    path = os.path.abspath(argv0)
    if Path(path).name == "__main__.py":
        return [os.path.abspath(executable), "-m", "explorer"]
    if path.endswith(".py"):
        return [os.path.abspath(executable), path]
    return [path]


def _escape(value: str) -> str:
    """A desktop entry string value, with each backslash doubled as the specification asks."""
    if any(c in value for c in "\n\r\t"):
        raise ValueError(f"a desktop entry cannot hold a line break or a tab: {value!r}")
    return value.replace("\\", "\\\\")


def exec_value(command: Sequence[str]) -> str:
    """``command`` as the value of an ``Exec`` key, quoted as the specification says."""
    parts = []
    for arg in command:
        if _RESERVED.search(arg) or not arg:
            arg = '"' + re.sub(r'(["`$\\])', r"\\\1", arg) + '"'
        parts.append(arg.replace("%", "%%"))
    return _escape(" ".join(parts))


def entry_text(template: str, command: Sequence[str]) -> str:
    """The shipped entry with ``Exec`` set to ``command`` (and ``TryExec`` to its script).

    With ``TryExec`` naming the script, a menu hides the entry once the app is uninstalled.
    """
    lines = []
    for line in template.splitlines():
        if line.startswith("TryExec="):
            continue
        if line.startswith("Exec="):
            line = f"Exec={exec_value(command)}"
            if len(command) == 1 and os.path.isabs(command[0]):
                line += f"\nTryExec={_escape(command[0])}"
        lines.append(line)
    return "\n".join(lines) + "\n"


def planned_files(home: Path, command: Sequence[str]) -> list[tuple[Path, bytes]]:
    """Every file the installation writes under ``home``, with its contents.

    Raises
    ------
    assets.MissingResource
        When a file of the app's own is missing.
    """
    template = assets.read_bytes(assets.DESKTOP_ENTRY).decode("utf-8")
    icons = home / "icons" / "hicolor"
    files = [(home / "applications" / f"{APP_ID}.desktop",
              entry_text(template, command).encode("utf-8")),
             (icons / "scalable" / "apps" / f"{APP_ID}.svg", assets.read_bytes(assets.ICON_SVG))]
    for size in assets.ICON_SIZES:
        files.append((icons / f"{size}x{size}" / "apps" / f"{APP_ID}.png",
                      assets.read_bytes(assets.icon_png(size))))
    return files


def install(home: Path, command: Sequence[str]) -> list[tuple[Path, bool]]:
    """Write the entry and icons under ``home``; each path, and whether it changed.

    A file that already holds the right bytes is left alone, so running it twice changes
    nothing; a changed file is replaced whole (written beside it, then renamed).
    """
    done = []
    for path, data in planned_files(home, command):
        if path.is_file() and path.read_bytes() == data:
            done.append((path, False))
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as file:
                file.write(data)
            os.chmod(temporary, 0o644)
            os.replace(temporary, path)
        except BaseException:
            os.unlink(temporary)
            raise
        done.append((path, True))
    return done


def main() -> int:
    """``nn-explorer --install-desktop-entry``: install, say what was written; exit status."""
    command = launch_command(sys.argv[0], sys.executable)
    home = data_home()
    try:
        done = install(home, command)
    except assets.MissingResource as exc:
        print(f"nn-explorer: cannot install the desktop entry: {exc}", file=sys.stderr)
        return 1
    except OSError as exc:
        print(f"nn-explorer: cannot install the desktop entry: {exc.strerror or exc}"
              f"{f' ({exc.filename})' if exc.filename else ''}", file=sys.stderr)
        return 1
    for path, changed in done:
        print(f"{'wrote    ' if changed else 'unchanged'} {path}")
    written = sum(changed for _, changed in done)
    how = (f"all {written} files written" if written == len(done) else
           f"all {len(done)} files were already up to date" if written == 0 else
           f"{written} of {len(done)} files written, the others were already up to date")
    print(f"NN Explorer's menu entry and icons are in {home} ({how}). The entry runs: "
          f"{exec_value(command)}\nRun this again if you move or reinstall the app; delete the "
          "files above to remove it.")
    return 0
