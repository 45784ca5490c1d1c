"""The built wheel as a user gets it: run by ``make wheel-check``, skipped by ``make test``.

``make wheel-check`` builds the wheel, installs it into a new virtual environment outside the
checkout, runs ``nn-explorer --version`` and ``nn-explorer --export`` from another folder, and
names its work folder in NN_EXPLORER_WHEEL_CHECK: dist/*.whl, venv/, version.txt, export.txt,
export/. These tests check what the installed app printed and drew.
"""

import email
import hashlib
import os
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import QRect
from PySide6.QtGui import QImage

import explorer
from explorer import export
from explorer.panels import PANELS
from explorer.panels.cnn import CnnPanel
from explorer.widgets.images import rgb_array

from .pixels import image_array

ROOT = Path(__file__).resolve().parents[1]
WORK = Path(os.environ["NN_EXPLORER_WHEEL_CHECK"]) if os.environ.get(
    "NN_EXPLORER_WHEEL_CHECK") else None
pytestmark = pytest.mark.skipif(WORK is None, reason="make wheel-check runs these on the wheel")


def the_wheel() -> Path:
    wheels = list((WORK / "dist").glob("*.whl"))
    assert len(wheels) == 1, wheels
    return wheels[0]


def resource_files() -> dict[str, bytes]:
    """The checkout's resources/ folder, each file by name (caches left out)."""
    return {p.name: p.read_bytes() for p in (ROOT / "resources").iterdir() if p.is_file()}


def test_version_is_the_one_in_explorer_init():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert "version" in project["project"]["dynamic"]
    assert project["tool"]["setuptools"]["dynamic"]["version"] == {"attr": "explorer.__version__"}
    version = explorer.__version__
    assert (WORK / "version.txt").read_text() == f"nn-explorer {version}\n"
    assert the_wheel().name == f"nn_explorer-{version}-py3-none-any.whl"
    with zipfile.ZipFile(the_wheel()) as wheel:
        metadata = email.message_from_string(
            wheel.read(f"nn_explorer-{version}.dist-info/METADATA").decode())
    assert metadata["Version"] == version


def test_the_wheel_carries_every_resource_and_the_metadata():
    with zipfile.ZipFile(the_wheel()) as wheel:
        names = set(wheel.namelist())
        packaged = {name.removeprefix("explorer/resources/"): wheel.read(name)
                    for name in names if name.startswith("explorer/resources/")}
        info = f"nn_explorer-{explorer.__version__}.dist-info"
        licence = wheel.read(f"{info}/licenses/LICENSE")
        metadata = email.message_from_string(wheel.read(f"{info}/METADATA").decode())
    assert packaged == resource_files()  # every file, byte for byte, and nothing else
    assert {"astronaut_128.png", "nn-explorer.svg", "nn-explorer.desktop",
            "nn-explorer-16.png", "nn-explorer-256.png"} <= set(packaged)
    assert not any(name.startswith(("tests/", "tools/", "resources/")) for name in names)
    assert licence == (ROOT / "LICENSE").read_bytes()
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert metadata["License-Expression"] == "MIT"
    assert metadata.get_all("Classifier") == project["classifiers"]
    assert metadata["Keywords"].split(",") == project["keywords"]
    assert metadata["Description-Content-Type"] == "text/markdown"
    assert metadata.get_payload().strip() == (ROOT / "README.md").read_text().strip()


def test_the_installed_app_reads_its_resources_from_its_own_package():
    code = ("import hashlib, explorer\n"
            "from explorer import assets\n"
            "print(explorer.__file__)\n"
            "print(assets.folder())\n"
            "for name in sorted(assets.folder().iterdir(), key=str):\n"
            "    if name.is_file():\n"
            "        print(name.name, hashlib.sha256(assets.read_bytes(name.name)).hexdigest())\n")
    out = subprocess.run([str(WORK / "venv" / "bin" / "python"), "-I", "-c", code],
                         capture_output=True, text=True, check=True, cwd=WORK / "elsewhere")
    module, folder, *files = out.stdout.splitlines()
    assert Path(module).is_relative_to(WORK / "venv") and "site-packages" in Path(module).parts
    assert Path(folder) == Path(module).parent / "resources"
    expected = {name: hashlib.sha256(data).hexdigest() for name, data in resource_files().items()}
    got = dict(line.split() for line in files if not line.startswith("__pycache__"))
    assert got == expected


def test_a_zipped_install_reads_its_resources_from_the_zip():
    """The wheel itself on sys.path: a zip import, the case paths on disk cannot serve."""
    code = ("import sys; sys.path.insert(0, sys.argv[1])\n"
            "from explorer import assets\n"
            "print(assets.folder())\n"
            "print(len(assets.read_bytes(assets.SAMPLE_PHOTO)))\n"
            "try:\n"
            "    assets.read_bytes('no-such-file.png')\n"
            "except assets.MissingResource as exc:\n"
            "    print(exc)\n")
    out = subprocess.run([sys.executable, "-I", "-S", "-c", code, str(the_wheel())],
                         capture_output=True, text=True, check=True)
    folder, size, missing = out.stdout.splitlines()
    assert folder.startswith(str(the_wheel())) and folder.rstrip("/").endswith("explorer/resources")
    assert int(size) == (ROOT / "resources" / "astronaut_128.png").stat().st_size
    assert missing.startswith(f"no-such-file.png is missing: looked in {the_wheel()}")


def input_rect(panel: CnnPanel) -> QRect:
    """Where the CNN panel draws its input picture, in panel pixels, a little inside its edges."""
    view = panel.input_plot
    box = view.mapFromScene(panel.input_image.sceneBoundingRect()).boundingRect()
    top_left = view.mapTo(panel, box.topLeft())
    return QRect(top_left, box.size()).adjusted(3, 3, -3, -3)


def crop(array: np.ndarray, rect: QRect) -> np.ndarray:
    return array[rect.top():rect.bottom() + 1, rect.left():rect.right() + 1].astype(int)


def test_every_panel_was_exported_and_the_cnn_shows_the_photo(qtbot):
    printed = (WORK / "export.txt").read_text().split()
    assert [Path(p).name for p in printed] == [f"{panel_id}.png" for panel_id in PANELS]
    for panel_id in PANELS:
        image = QImage(str(WORK / "export" / f"{panel_id}.png"))
        assert (image.width(), image.height()) == export.DEFAULT_SIZE
    # The same panel from the checkout, laid out as the export does, says where the photo is.
    panel = CnnPanel()
    qtbot.addWidget(panel)
    export.lay_out(panel, export.DEFAULT_SIZE)
    panel.thicken_lines()
    rect = input_rect(panel)
    assert rect.width() > 100 and rect.height() > 100
    installed = crop(rgb_array(QImage(str(WORK / "export" / "cnn.png"))), rect)
    checkout = crop(image_array(panel), rect)
    # Not a uniform (black) square: the photo, with its dark and bright parts ...
    assert installed.std() > 40 and installed.min() < 30 and installed.max() > 220
    # ... and the same photo as the checkout draws.
    assert np.abs(installed - checkout).mean() < 1.0
