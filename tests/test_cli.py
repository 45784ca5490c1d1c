import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtGui import QImage

from explorer import cli
from explorer.panels import PANELS

ROOT = Path(__file__).resolve().parents[1]


def run_app(*args, env_extra=None, unset=()):
    env = {k: v for k, v in os.environ.items() if k not in unset}
    env.update(env_extra or {})
    return subprocess.run([sys.executable, str(ROOT / "app.py"), *args], capture_output=True,
                          text=True, env=env, timeout=180)


def pixel_variance(path):
    image = QImage(str(path)).convertToFormat(QImage.Format.Format_Grayscale8)
    data = np.frombuffer(image.constBits(), np.uint8,
                         count=image.bytesPerLine() * image.height()).copy()
    return float(data.reshape(image.height(), image.bytesPerLine())[:, : image.width()].var())


def test_list_panels():
    out = run_app("--list-panels")
    assert out.returncode == 0
    lines = out.stdout.strip().splitlines()
    assert [line.split()[0] for line in lines] == list(PANELS)


def test_version_prints_the_one_version():
    import explorer

    out = run_app("--version")
    assert out.returncode == 0 and out.stderr == ""
    assert out.stdout == f"nn-explorer {explorer.__version__}\n"
    # pyproject.toml declares the version dynamic, read from explorer/__init__.py.
    import tomllib

    project = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert "version" not in project["project"] and "version" in project["project"]["dynamic"]
    assert project["tool"]["setuptools"]["dynamic"]["version"] == {"attr": "explorer.__version__"}
    assert re.fullmatch(r"\d+\.\d+\.\d+", explorer.__version__)


def test_export_writes_requested_panels_at_requested_size(tmp_path):
    out = run_app("--export", str(tmp_path / "shots"), "--panel", "loss", "--size", "900x600")
    assert out.returncode == 0, out.stderr
    assert out.stderr == ""
    files = sorted(p.name for p in (tmp_path / "shots").iterdir())
    assert files == ["loss.png"]
    image = QImage(str(tmp_path / "shots" / "loss.png"))
    assert (image.width(), image.height()) == (900, 600)
    assert pixel_variance(tmp_path / "shots" / "loss.png") > 500  # not blank


def test_export_all_panels_png_and_svg(tmp_path):
    out = run_app("--export", str(tmp_path), "--format", "svg", "--panel", "loss")
    assert out.returncode == 0, out.stderr
    svg = (tmp_path / "loss.svg").read_text()
    assert svg.startswith("<?xml") and "<svg" in svg and "</svg>" in svg.rstrip()[-10:]
    out = run_app("--export", str(tmp_path))
    assert out.returncode == 0, out.stderr
    for panel_id in PANELS:
        image = QImage(str(tmp_path / f"{panel_id}.png"))
        assert (image.width(), image.height()) == (1280, 800)
        assert pixel_variance(tmp_path / f"{panel_id}.png") > 500
    assert not list(tmp_path.glob(".*tmp"))


@pytest.mark.parametrize("args, message", [
    (["--panel", "nope"], "unknown panel 'nope'"),
    (["--size", "12x"], "bad size"),
    (["--size", "10x10"], "bad size"),
    (["--size", "400x300", "--panel", "loss"], "too small for this panel"),
    (["--format", "gif"], "invalid choice"),
])
def test_bad_export_arguments_exit_2_with_one_line(tmp_path, args, message):
    out = run_app("--export", str(tmp_path / "shots"), *args)
    assert out.returncode == 2
    assert message in out.stderr
    assert len(out.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "shots").exists() or not any((tmp_path / "shots").iterdir())


def test_unwritable_folder_exits_2_without_partial_files(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("in the way")
    out = run_app("--export", str(blocker))
    assert out.returncode == 2
    assert "a file is in the way" in out.stderr and len(out.stderr.strip().splitlines()) == 1
    assert blocker.read_text() == "in the way"
    out = run_app("--export", str(blocker / "sub"))
    assert out.returncode == 2 and len(out.stderr.strip().splitlines()) == 1


@pytest.mark.skipif(os.geteuid() == 0, reason="root can write to a read-only folder")
def test_read_only_folder_exits_2(tmp_path):
    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(0o500)
    out = run_app("--export", str(folder))
    assert out.returncode == 2 and list(folder.iterdir()) == []


def test_write_failure_leaves_no_partial_file(tmp_path, qtbot, monkeypatch):
    from PySide6.QtWidgets import QLabel

    from explorer import export

    label = QLabel("hello")
    qtbot.addWidget(label)
    label.resize(400, 300)
    monkeypatch.setattr("PySide6.QtGui.QPixmap.save", lambda *a, **k: False)
    with pytest.raises(export.ExportError):
        export.write_widget(label, tmp_path / "x.png", "png")
    assert list(tmp_path.iterdir()) == []


def test_two_exports_to_the_same_folder_leave_complete_files(tmp_path):
    first = run_app("--export", str(tmp_path), "--panel", "loss")
    second = run_app("--export", str(tmp_path), "--panel", "loss", "--size", "1000x700")
    assert first.returncode == second.returncode == 0
    image = QImage(str(tmp_path / "loss.png"))
    assert (image.width(), image.height()) == (1000, 700)
    assert [p.name for p in tmp_path.iterdir()] == ["loss.png"]


def test_no_display_prints_one_line_and_exits_2():
    out = run_app(unset=("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM"))
    assert out.returncode == 2
    assert out.stdout == ""
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1 and "no display" in lines[0] and "--export" in lines[0]


def test_has_display_logic(monkeypatch):
    monkeypatch.delenv("QT_QPA_PLATFORM", raising=False)
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    monkeypatch.setattr(sys, "platform", "linux")
    assert not cli.has_display()
    monkeypatch.setenv("WAYLAND_DISPLAY", "wayland-0")
    assert cli.has_display()


def test_python_dash_m_is_the_same_command():
    out = subprocess.run([sys.executable, "-m", "explorer", "--list-panels"], capture_output=True,
                         text=True, cwd=ROOT, timeout=60)
    assert out.returncode == 0
    assert out.stdout == run_app("--list-panels").stdout


def test_unknown_panel_for_window_exits_2():
    out = run_app("--panel", "nope")
    assert out.returncode == 2 and "unknown panel" in out.stderr


def test_window_opens_and_paints_at_requested_panel(tmp_path):
    out = run_app("--panel", "loss", env_extra={"NN_EXPLORER_REPORT_FIRST_PAINT": "1",
                                                "XDG_CONFIG_HOME": str(tmp_path)})
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith("first-paint ")


def test_exported_panels_draw_bolder_lines(qtbot):
    from explorer.panels.loss import LossPanel

    panel = LossPanel()
    qtbot.addWidget(panel)
    assert panel.ce_curve.opts["pen"].widthF() <= 1.0
    panel.thicken_lines()
    assert panel.ce_curve.opts["pen"].widthF() == 2.0
    assert panel.ce_curve.opts["pen"].color().name() == "#0072b2"


def test_export_gif_writes_the_picture_and_the_animation(tmp_path):
    from PIL import Image

    out = run_app("--export", str(tmp_path), "--gif", "--panel", "convolution",
                  "--size", "840x520")
    assert out.returncode == 0, out.stderr
    assert out.stderr == ""
    assert sorted(p.name for p in tmp_path.iterdir()) == ["convolution.gif", "convolution.png"]
    assert out.stdout.split() == [str(tmp_path / "convolution.png"),
                                  str(tmp_path / "convolution.gif")]
    with Image.open(tmp_path / "convolution.gif") as gif:
        # x = [1, 2, 3, 4], w = [2, 0, 1], full: one output per step.
        assert gif.n_frames == np.convolve([1, 2, 3, 4], [2, 0, 1]).size == 6
        assert gif.size == (840, 520)


@pytest.mark.parametrize("args, message", [
    (["--gif"], "--gif needs --export DIR"),
    (["--export", "{dir}", "--gif", "--panel", "cnn"], "no animated panel among cnn"),
])
def test_bad_gif_requests_exit_2_with_one_line(tmp_path, args, message):
    folder = tmp_path / "shots"
    out = run_app(*(a.format(dir=folder) for a in args))
    assert out.returncode == 2
    assert message in out.stderr and len(out.stderr.strip().splitlines()) == 1
    assert not folder.exists()


def test_gif_without_pillow_exits_2_before_writing_anything(tmp_path):
    # Pillow made unimportable, as on an install without the [gif] extra.
    code = ("import sys; sys.modules['PIL'] = None\n"
            "from explorer.cli import main\n"
            "sys.exit(main(sys.argv[1:]))\n")
    folder = tmp_path / "shots"
    out = subprocess.run([sys.executable, "-c", code, "--export", str(folder), "--gif",
                          "--panel", "convolution"], capture_output=True, text=True, cwd=ROOT,
                         env={**os.environ, "QT_QPA_PLATFORM": "offscreen"}, timeout=180)
    assert out.returncode == 2
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1 and "needs Pillow" in lines[0] and "nn-explorer[gif]" in lines[0]
    assert not folder.exists()
