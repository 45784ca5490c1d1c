import subprocess
import sys
import tomllib
import zipfile
from fnmatch import fnmatch
from pathlib import Path

import pytest

from explorer import assets

ROOT = Path(__file__).resolve().parents[1]
RESOURCES = ROOT / "resources"
SHIPPED = ["astronaut_128.png", "nn-explorer.svg", "nn-explorer.desktop",
           *(f"nn-explorer-{size}.png" for size in assets.ICON_SIZES)]


def run_isolated(code: str, *args: str) -> list[str]:
    """``code`` in a Python with no site-packages (so no installed or editable nn-explorer)."""
    out = subprocess.run([sys.executable, "-I", "-S", "-c", code, *args], capture_output=True,
                         text=True, check=True)
    return out.stdout.splitlines()


def test_the_editable_install_reads_the_checkouts_resources():
    # make test runs from a checkout installed with pip install -e: the build's mapping of
    # resources/ into explorer.resources is what finds the folder.
    assert Path(str(assets.folder())) == RESOURCES
    for name in SHIPPED:
        assert assets.read_bytes(name) == (RESOURCES / name).read_bytes()
    assert assets.icon_png(48) == "nn-explorer-48.png"


def test_a_missing_resource_names_the_file_and_where_it_looked(tmp_path, monkeypatch):
    monkeypatch.setattr(assets, "folder", lambda: tmp_path)
    with pytest.raises(assets.MissingResource) as error:
        assets.read_bytes(assets.SAMPLE_PHOTO)
    assert str(error.value) == f"astronaut_128.png is missing: looked in {tmp_path}"
    assert isinstance(error.value, FileNotFoundError)
    assert (error.value.name, error.value.where) == ("astronaut_128.png", str(tmp_path))
    (tmp_path / "a-folder.png").mkdir()  # there, but not a file
    with pytest.raises(assets.MissingResource, match="a-folder.png is missing"):
        assets.read_bytes("a-folder.png")


def test_a_checkout_never_installed_reads_resources_beside_the_source():
    # python app.py with a Python that has never installed the app: no explorer.resources.
    code = ("import sys; sys.path.insert(0, sys.argv[1])\n"
            "from explorer import assets\n"
            "print(assets.folder()); print(len(assets.read_bytes(assets.SAMPLE_PHOTO)))\n")
    folder, size = run_isolated(code, str(ROOT))
    assert Path(folder) == RESOURCES
    assert int(size) == (RESOURCES / "astronaut_128.png").stat().st_size


def test_a_zipped_install_reads_resources_from_the_zip(tmp_path):
    # The wheel's layout (explorer/ and resources/ as explorer/resources/) as one zip on
    # sys.path; make wheel-check repeats this with the real wheel.
    archive = tmp_path / "explorer.zip"
    with zipfile.ZipFile(archive, "w") as z:
        for source in (ROOT / "explorer").glob("*.py"):
            z.write(source, f"explorer/{source.name}")
        for name in ["__init__.py", *SHIPPED]:
            z.write(RESOURCES / name, f"explorer/resources/{name}")
    code = ("import sys; sys.path.insert(0, sys.argv[1])\n"
            "from explorer import assets\n"
            "print(assets.folder()); print(assets.read_bytes(assets.SAMPLE_PHOTO)[1:4])\n"
            "try:\n"
            "    assets.read_bytes('gone.png')\n"
            "except assets.MissingResource as exc:\n"
            "    print(exc)\n")
    folder, signature, missing = run_isolated(code, str(archive))
    assert folder == f"{archive}/explorer/resources/"
    assert signature == "b'PNG'"
    assert missing == f"gone.png is missing: looked in {archive}/explorer/resources/"


def test_the_build_packages_every_package_and_resource():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    found = {".".join(init.parent.relative_to(ROOT).parts)
             for init in (ROOT / "explorer").rglob("__init__.py")}
    assert set(config["packages"]) == found | {"explorer.resources"}
    assert config["package-dir"] == {"explorer.resources": "resources"}
    patterns = config["package-data"]["explorer.resources"]
    files = [p.name for p in RESOURCES.iterdir() if p.is_file() and p.name != "__init__.py"]
    assert set(SHIPPED) <= set(files)
    unmatched = [name for name in files if not any(fnmatch(name, p) for p in patterns)]
    assert unmatched == []
