"""The launcher pauses the cycle collector while it starts; the window turns it back on.

Each case runs in a fresh interpreter: freezing the collector's heap cannot be undone for
objects already frozen, and the test session's own collector must stay untouched.
"""

import os
import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _run(code: str) -> list[str]:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    out = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], env=env, cwd=ROOT,
                         capture_output=True, text=True, timeout=120, check=True)
    return out.stdout.split()


def test_settle_does_nothing_unless_paused():
    out = _run("""
        import gc
        from explorer import heap
        heap.settle()
        print(heap.managed(), gc.isenabled(), gc.get_freeze_count())
    """)
    assert out == ["False", "True", "0"]


def test_pause_then_settle_freezes_what_is_alive_and_collects_again():
    out = _run("""
        import gc
        from explorer import heap
        heap.pause()
        print(gc.isenabled())
        junk = [[i] for i in range(5000)]
        heap.settle()
        print(gc.isenabled(), gc.get_freeze_count() >= 5000)
    """)
    assert out == ["False", "True", "True"]


def test_the_window_settles_after_building_its_panels():
    out = _run("""
        import gc
        from explorer import heap
        heap.pause()
        from PySide6.QtCore import QSettings
        from explorer.main_window import MainWindow, application
        import tempfile, os
        app = application()
        path = os.path.join(tempfile.mkdtemp(), "s.ini")
        window = MainWindow(settings=QSettings(path, QSettings.Format.IniFormat))
        print(gc.isenabled())
        before = gc.get_freeze_count()
        window.panels["cnn"]
        print(gc.get_freeze_count() > before)
        window.close()
    """)
    assert out == ["True", "True"]


def test_the_launchers_pause_before_importing_the_app():
    for launcher in (ROOT / "app.py", ROOT / "explorer" / "__main__.py"):
        lines = [line for line in launcher.read_text().splitlines()
                 if line.startswith(("import ", "from ", "heap."))]
        assert lines.index("heap.pause()  # until the window is built: see explorer/heap.py") \
            < next(i for i, line in enumerate(lines) if line.startswith("from explorer.cli"))
