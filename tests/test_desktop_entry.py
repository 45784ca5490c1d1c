import configparser
import os
import sys
from pathlib import Path

import pytest

from explorer import assets, cli, desktop_entry
from explorer.desktop_entry import entry_text, exec_value, launch_command

RESOURCES = Path(__file__).resolve().parents[1] / "resources"
SCRIPT = "/opt/nn tools/bin/nn-explorer"  # a space, so Exec needs quoting


def read_entry(text: str) -> dict[str, str]:
    parser = configparser.ConfigParser(interpolation=None, strict=True)
    parser.optionxform = str  # keys are case-sensitive
    parser.read_string(text)
    assert parser.sections() == ["Desktop Entry"]
    return dict(parser["Desktop Entry"])


def test_the_shipped_entry_names_the_app_and_its_icon():
    entry = read_entry((RESOURCES / "nn-explorer.desktop").read_text())
    assert entry["Type"] == "Application" and entry["Name"] == "NN Explorer"
    assert entry["Exec"] == "nn-explorer" and entry["Terminal"] == "false"
    # The icon's theme name is the name the installation gives its files.
    assert entry["Icon"] == desktop_entry.APP_ID == "nn-explorer"
    assert entry["StartupWMClass"] == "nn-explorer"
    assert entry["Categories"].endswith(";") and "Education" in entry["Categories"].split(";")


@pytest.mark.parametrize("argv0, command", [
    ("/home/u/.local/bin/nn-explorer", ["/home/u/.local/bin/nn-explorer"]),
    ("/src/nn/explorer/__main__.py", ["/venv/bin/python", "-m", "explorer"]),
    ("/src/nn/app.py", ["/venv/bin/python", "/src/nn/app.py"]),
    ("", ["nn-explorer"]),
])
def test_launch_command_repeats_how_the_app_was_started(argv0, command):
    assert launch_command(argv0, "/venv/bin/python") == command


def test_a_relative_script_becomes_absolute(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert launch_command("bin/nn-explorer", "python") == [str(tmp_path / "bin/nn-explorer")]


@pytest.mark.parametrize("command, value", [
    (["/usr/bin/nn-explorer"], "/usr/bin/nn-explorer"),
    ([SCRIPT], '"/opt/nn tools/bin/nn-explorer"'),
    (["/a/python", "-m", "explorer"], "/a/python -m explorer"),
    # Inside quotes ", `, $ and \ take a backslash; then every backslash of the value is
    # doubled (the string escape), and % is doubled (no field code).
    (['/my "app"/run'], r'"/my \\"app\\"/run"'),
    (["/cost$/50%/run"], r'"/cost\\$/50%%/run"'),
    ([r"/back\slash/run"], r'"/back\\\\slash/run"'),
])
def test_exec_is_quoted_as_the_specification_says(command, value):
    assert exec_value(command) == value


def test_a_line_break_in_the_path_is_refused():
    with pytest.raises(ValueError, match="line break"):
        exec_value(["/odd\nname/nn-explorer"])


def test_entry_text_sets_exec_and_tryexec_only():
    template = (RESOURCES / "nn-explorer.desktop").read_text()
    text = entry_text(template, [SCRIPT])
    entry = read_entry(text)
    assert entry["Exec"] == '"/opt/nn tools/bin/nn-explorer"'
    assert entry["TryExec"] == SCRIPT
    shipped = read_entry(template)
    assert {k: v for k, v in entry.items() if k not in ("Exec", "TryExec")} == {
        k: v for k, v in shipped.items() if k != "Exec"}
    # From a checkout the command is python plus app.py: no single script to try.
    assert "TryExec" not in read_entry(entry_text(template, ["/venv/bin/python", "/s/app.py"]))


def install_with_cli(monkeypatch, capsys, home):
    monkeypatch.setenv("XDG_DATA_HOME", str(home))
    monkeypatch.setattr(sys, "argv", [SCRIPT, "--install-desktop-entry"])
    status = cli.main(["--install-desktop-entry"])
    return status, capsys.readouterr()


def expected_files(home: Path) -> dict[Path, bytes]:
    icons = home / "icons" / "hicolor"
    files = {icons / "scalable" / "apps" / "nn-explorer.svg":
             (RESOURCES / "nn-explorer.svg").read_bytes()}
    for size in assets.ICON_SIZES:
        files[icons / f"{size}x{size}" / "apps" / "nn-explorer.png"] = (
            RESOURCES / f"nn-explorer-{size}.png").read_bytes()
    return files


def test_install_writes_the_entry_and_icons_then_changes_nothing(tmp_path, monkeypatch, capsys):
    home = tmp_path / "data"
    status, out = install_with_cli(monkeypatch, capsys, home)
    assert status == 0 and out.err == ""
    entry_path = home / "applications" / "nn-explorer.desktop"
    entry = read_entry(entry_path.read_text())
    assert entry["Exec"] == '"/opt/nn tools/bin/nn-explorer"' and entry["TryExec"] == SCRIPT
    assert entry["Icon"] == "nn-explorer"
    files = expected_files(home)
    for path, data in files.items():
        assert path.read_bytes() == data
    written = sorted(p for p in home.rglob("*") if p.is_file())
    assert written == sorted([entry_path, *files])  # nothing else, no temporary files
    assert all(p.stat().st_mode & 0o777 == 0o644 for p in written)
    lines = out.out.splitlines()
    assert sorted(lines[:9]) == sorted(f"wrote     {p}" for p in written)
    assert lines[9].startswith(f"NN Explorer's menu entry and icons are in {home} (all 9 files "
                               "written)")
    assert lines[9].endswith('The entry runs: "/opt/nn tools/bin/nn-explorer"')
    stamps = {p: p.stat().st_mtime_ns for p in written}

    # Again: the same files, untouched, and it says so.
    status, out = install_with_cli(monkeypatch, capsys, home)
    assert status == 0
    assert {p: p.stat().st_mtime_ns for p in written} == stamps
    assert sorted(out.out.splitlines()[:9]) == sorted(f"unchanged {p}" for p in written)
    assert "(all 9 files were already up to date)" in out.out

    # An entry from another place (an old Exec) is replaced; only it.
    entry_path.write_text(entry_path.read_text().replace(SCRIPT, "/old/nn-explorer"))
    status, out = install_with_cli(monkeypatch, capsys, home)
    assert f"wrote     {entry_path}" in out.out
    assert "(1 of 9 files written, the others were already up to date)" in out.out
    assert read_entry(entry_path.read_text())["TryExec"] == SCRIPT


def test_data_home_follows_xdg(tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.delenv("XDG_DATA_HOME", raising=False)
    assert desktop_entry.data_home() == tmp_path / ".local" / "share"
    monkeypatch.setenv("XDG_DATA_HOME", "relative/data")  # not absolute: ignored, as XDG says
    assert desktop_entry.data_home() == tmp_path / ".local" / "share"
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    assert desktop_entry.data_home() == tmp_path / "xdg"


def test_install_says_what_went_wrong(tmp_path, monkeypatch, capsys):
    blocker = tmp_path / "data"
    blocker.write_text("a file where the folder goes")
    status, out = install_with_cli(monkeypatch, capsys, blocker)
    assert status == 1 and out.out == ""
    assert out.err.startswith("nn-explorer: cannot install the desktop entry: ")
    assert len(out.err.strip().splitlines()) == 1
    monkeypatch.setattr(assets, "folder", lambda: tmp_path / "empty")
    status, out = install_with_cli(monkeypatch, capsys, tmp_path / "fresh")
    assert status == 1 and not (tmp_path / "fresh").exists()
    assert out.err == (f"nn-explorer: cannot install the desktop entry: nn-explorer.desktop is "
                       f"missing: looked in {tmp_path / 'empty'}\n")


def test_install_runs_without_qt(tmp_path):
    # It only copies files: no Qt module is imported for it.
    import subprocess

    code = ("import sys; from explorer import cli\n"
            "status = cli.main(['--install-desktop-entry'])\n"
            "print(status, sorted(m for m in sys.modules if m.startswith('PySide6')))\n")
    env = {**os.environ, "XDG_DATA_HOME": str(tmp_path)}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env,
                         check=True)
    assert out.stdout.splitlines()[-1] == "0 []"
