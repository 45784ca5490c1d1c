"""The command line: open the window, list the panels, or export them headless."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

from explorer import __version__

EXIT_USAGE = 2


class _OneLineParser(argparse.ArgumentParser):
    """argparse that reports a usage error as one line and exit status 2."""

    def error(self, message: str) -> None:  # noqa: D102 - argparse override
        print(f"nn-explorer: {message} (see --help)", file=sys.stderr)
        raise SystemExit(EXIT_USAGE)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser (``python app.py --help``)."""
    parser = _OneLineParser(
        prog="nn-explorer",
        description="See and play with the mathematics of training a neural network.")
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument("--panel", action="append", metavar="ID",
                        help="open at this panel; with --export, export it (repeatable)")
    parser.add_argument("--list-panels", action="store_true", help="print panel ids and titles")
    parser.add_argument("--export", metavar="DIR",
                        help="write DIR/<id>.<format> for each panel, headless, and exit")
    parser.add_argument("--size", default="1280x800", metavar="WxH",
                        help="export size in pixels (default 1280x800)")
    parser.add_argument("--format", default="png", choices=("png", "svg"),
                        help="export format (default png)")
    parser.add_argument("--gif", action="store_true",
                        help="with --export, also write DIR/<id>.gif for each animated panel "
                             "(loss, convolution, backprop): every step of its animation once; "
                             "needs the optional Pillow package (pip install 'nn-explorer[gif]')")
    parser.add_argument("--setup", metavar="FILE",
                        help="with --export, show what this setup (File ▸ Save setup…) holds: "
                             "each panel's inputs and animation step")
    parser.add_argument("--theme", choices=("light", "dark"),
                        help="with --export, the theme of the pictures (default light, or the "
                             "setup's own light or dark)")
    parser.add_argument("--install-desktop-entry", action="store_true",
                        help="add NN Explorer and its icon to your desktop's application menu "
                             "(files in $XDG_DATA_HOME, default ~/.local/share) and exit; "
                             "running it again changes nothing")
    return parser


def has_display() -> bool:
    """Whether a window can be shown (an X or Wayland display, or a non-Linux desktop)."""
    if os.environ.get("QT_QPA_PLATFORM", "").split(":")[0] in {"offscreen", "minimal", "vnc"}:
        return True
    if not sys.platform.startswith("linux"):
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def _export(args: argparse.Namespace) -> int:
    from explorer import export

    try:
        size = export.parse_size(args.size)
        ids = export.check_ids(args.panel)
    except export.ExportError as exc:
        print(f"nn-explorer: {exc}", file=sys.stderr)
        return EXIT_USAGE
    # Export never needs a screen: render offscreen even when a display exists.
    os.environ["QT_QPA_PLATFORM"] = "offscreen"
    from explorer import setups
    from explorer.main_window import application
    from explorer.widgets.theme import apply_theme

    application()
    setup = None
    if args.setup is not None:
        try:
            setup = setups.parse(setups.read_file(args.setup))
        except OSError as exc:
            print(f"nn-explorer: cannot read the setup {args.setup}: {exc.strerror or exc}",
                  file=sys.stderr)
            return EXIT_USAGE
        except setups.SetupError as exc:
            print(f"nn-explorer: the setup {args.setup}: {exc}", file=sys.stderr)
            return EXIT_USAGE
    theme = args.theme or (setup.theme if setup is not None and setup.theme != "system"
                           else "light")
    apply_theme(theme)
    try:
        written = export.export_panels(args.export, ids, size, args.format, gif=args.gif,
                                       setup=setup)
    except export.ExportError as exc:
        print(f"nn-explorer: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except OSError as exc:
        print(f"nn-explorer: export failed: {exc.strerror or exc}", file=sys.stderr)
        return EXIT_USAGE
    for path in written:
        print(path)
    return 0


def _report_first_paint(app, window) -> None:
    """For the bench: print the time of the window's first painted frame, then quit."""
    import time

    from PySide6.QtCore import QEvent, QObject, QTimer

    class FirstPaint(QObject):
        def eventFilter(self, watched, event):  # noqa: N802 - Qt override
            if event.type() == QEvent.Type.Paint and watched.isWidgetType() \
                    and watched.window() is window:
                app.removeEventFilter(self)
                # Fires after the paint pass in progress has finished.
                QTimer.singleShot(0, self, self.report)
            return False

        def report(self):
            print(f"first-paint {time.time():.6f}", flush=True)
            window.close()
            app.quit()

    window._first_paint_filter = FirstPaint(window)
    app.installEventFilter(window._first_paint_filter)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    for option in ("gif", "setup", "theme"):
        if getattr(args, option) and args.export is None:
            parser.error(f"--{option} needs --export DIR")
    if args.install_desktop_entry:
        from explorer import desktop_entry

        return desktop_entry.main()
    if args.list_panels:
        from explorer.panels import PANELS

        for panel_id in PANELS:
            entry = PANELS.entry(panel_id)
            print(f"{panel_id:<12} {entry.title} (questions {entry.questions})")
        return 0
    if args.export is not None:
        return _export(args)
    if args.panel:
        from explorer.panels import PANELS

        if args.panel[-1] not in PANELS:
            print(f"nn-explorer: unknown panel '{args.panel[-1]}': choose from "
                  f"{', '.join(PANELS)}", file=sys.stderr)
            return EXIT_USAGE
    if not has_display():
        print("nn-explorer: no display (DISPLAY and WAYLAND_DISPLAY are unset); to make "
              "pictures without one use: python app.py --export DIR", file=sys.stderr)
        return EXIT_USAGE
    from explorer.main_window import MainWindow, application

    app = application()
    window = MainWindow(panel=args.panel[-1] if args.panel else None)
    if os.environ.get("NN_EXPLORER_REPORT_FIRST_PAINT"):
        _report_first_paint(app, window)
    window.show()
    return app.exec()
