"""Setups: the inputs of every panel, the panel shown and the theme, in one JSON file.

A setup is what an instructor saves to open in class, hands to students, or exports as figures
(``nn-explorer --export DIR --setup FILE``). It is untrusted input: :func:`parse` checks its
form (size, JSON, keys, types) and :func:`apply` checks every panel's part with the panel's own
rules while applying it; a part that fails puts back every panel already changed, so a setup
is applied whole or not at all. Nothing in a setup is ever run.

The format (``FORMAT`` 1)::

    {"format": 1, "app": "1.4.0", "panel": "convolution", "theme": "light",
     "panels": {"convolution": {"state": {...}, "step": 3},
                "cnn": {"state": {...}, "picture": {"name": "cat.png", "png": "<base64>"}}}}

``state`` is the panel's ``state_dict()``; ``step`` the animation step of an animated panel;
``picture`` the CNN panel's own picture (absent: the sample photo). Panels left out keep their
inputs.
"""

from __future__ import annotations

import base64
import binascii
import json
import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QBuffer, QByteArray, QIODevice
from PySide6.QtGui import QImage

from explorer import __version__
from explorer.panels import PANELS
from explorer.panels.base import Panel

FORMAT = 1
SUFFIX = ".nnx.json"
FILTER = f"NN Explorer setups (*{SUFFIX} *.json)"
#: A setup file larger than this is refused before it is read as JSON.
MAX_BYTES = 16 * 2**20
#: The largest embedded picture, as base64 text, and its largest side in pixels.
MAX_PICTURE_TEXT = 8 * 2**20
MAX_PICTURE_SIDE = 4096
THEMES = ("system", "light", "dark")
#: The one panel whose input may be a picture of the student's own.
PICTURE_PANEL = "cnn"
_KEYS = ("format", "app", "panel", "theme", "panels")
_PART_KEYS = ("state", "step", "picture")


class SetupError(ValueError):
    """Why a setup cannot be used; ``panel`` names the panel whose part failed, if one did."""

    def __init__(self, message: str, panel: str | None = None) -> None:
        super().__init__(message)
        self.panel = panel


@dataclass(frozen=True)
class Part:
    """One panel's part of a setup, its form checked."""

    state: dict
    step: int | None = None
    #: The CNN panel's picture: its name and the image.
    picture: tuple[str, QImage] | None = None


@dataclass(frozen=True)
class Setup:
    """A setup whose form is checked: the panel shown, the theme and each panel's part."""

    panel: str
    theme: str
    parts: dict[str, Part]
    app: str = ""

    def without(self, panel_id: str) -> Setup:
        """The same setup without ``panel_id``'s part."""
        parts = {k: v for k, v in self.parts.items() if k != panel_id}
        return Setup(self.panel, self.theme, parts, self.app)


# -- writing -----------------------------------------------------------------------------------
def picture_png(image: QImage) -> str:
    """``image`` as base64 PNG text."""
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, "PNG")
    buffer.close()
    return base64.b64encode(bytes(data)).decode("ascii")


def capture(panels: Mapping[str, Panel], shown: str, theme: str) -> dict:
    """The setup of ``panels`` (every one given), with ``shown`` on screen, as JSON data."""
    parts = {}
    for panel_id, panel in panels.items():
        now = _part_of(panel)
        part: dict = {"state": now.state}
        if now.step is not None:
            part["step"] = now.step
        if now.picture is not None:
            name, image = now.picture
            part["picture"] = {"name": name, "png": picture_png(image)}
        parts[panel_id] = part
    return {"format": FORMAT, "app": __version__, "panel": shown, "theme": theme,
            "panels": parts}


def _picture_of(panel: Panel) -> tuple[str, QImage] | None:
    """The picture a student gave the panel, and its name; None for any other panel."""
    return panel.picture() if panel.id == PICTURE_PANEL else None


def dumps(data: dict) -> str:
    """A setup's JSON data as text (what a file or the clipboard holds).

    One key a line, and each list of numbers (a vector, a row of a matrix) on one line.
    """
    text = json.dumps(data, indent=1, ensure_ascii=False, allow_nan=False)
    return re.sub(r"\[\s*([-+.\deE,\s]*?)\s*\]",
                  lambda m: "[" + ", ".join(m.group(1).replace(",", " ").split()) + "]",
                  text) + "\n"


# -- reading -----------------------------------------------------------------------------------
def _kind(value: object) -> str:
    return {dict: "an object", list: "a list", str: "text", bool: "true or false",
            type(None): "null"}.get(type(value), "a number")


def _keys(data: Mapping, allowed: tuple[str, ...], where: str) -> None:
    unknown = [str(k) for k in data if k not in allowed]
    if unknown:
        raise SetupError(f"{where}: unknown key '{unknown[0][:40]}' (known: "
                         f"{', '.join(allowed)})")


def read_file(path: str | Path) -> bytes:
    """The bytes of the setup file at ``path``, for :func:`parse`.

    Raises
    ------
    SetupError
        The file is larger than a setup may be (it is not read).
    OSError
        The file cannot be read.
    """
    with open(path, "rb") as file:
        size = os.fstat(file.fileno()).st_size
        if size > MAX_BYTES:
            raise SetupError(too_large(size))
        return file.read(MAX_BYTES + 1)


def parse(text: str | bytes) -> Setup:
    """Check a setup's form: size, JSON, keys, types, panel ids, steps and pictures.

    The panels' states are checked by :func:`apply`, with each panel's own rules.

    Raises
    ------
    SetupError
        One line naming the field at fault and what would be valid.
    """
    if len(text) > MAX_BYTES:
        raise SetupError(too_large(len(text)))
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8-sig")  # a byte-order mark, as some editors write, is fine
        except UnicodeDecodeError as exc:
            raise SetupError(f"the setup is not UTF-8 text (byte {exc.start})") from None
    text = text.removeprefix("\ufeff")
    try:
        data = json.loads(text, parse_constant=_no_constant)
    except json.JSONDecodeError as exc:
        raise SetupError(f"the setup is not JSON: {exc.msg} at line {exc.lineno}, column "
                         f"{exc.colno}") from None
    except RecursionError:
        raise SetupError("the setup is nested too deeply to be a setup") from None
    except ValueError as exc:  # NaN or Infinity, or a number too long to read
        raise SetupError(f"the setup is not valid JSON: {exc}") from None
    if not isinstance(data, dict):
        raise SetupError(f"a setup is a JSON object, got {_kind(data)}")
    try:
        json.dumps(data, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:  # "\ud800": escaped JSON that is no Unicode text
        raise SetupError("the setup holds text that is not valid Unicode (a lone surrogate)") \
            from None
    version = data.get("format")
    if isinstance(version, bool) or not isinstance(version, int):
        raise SetupError("format must be a whole number (this app writes 1)")
    if version > FORMAT:
        raise SetupError(f"the setup has format {version}, from a newer NN Explorer "
                         f"({str(data.get('app', '?'))[:20]}); this one reads format {FORMAT}")
    if version < 1:
        raise SetupError(f"format must be 1, got {version}")
    _keys(data, _KEYS, "the setup")
    app = data.get("app", "")
    if not isinstance(app, str):
        raise SetupError(f"app must be text, got {_kind(app)}")
    shown = data.get("panel", next(iter(PANELS)))
    if not isinstance(shown, str) or shown not in PANELS:
        raise SetupError(f"panel must be one of {', '.join(PANELS)}, got {str(shown)[:40]!r}")
    theme = data.get("theme", "system")
    if not isinstance(theme, str) or theme not in THEMES:
        raise SetupError(f"theme must be one of {', '.join(THEMES)}, got {str(theme)[:40]!r}")
    panels = data.get("panels", {})
    if not isinstance(panels, dict):
        raise SetupError(f"panels must be an object, got {_kind(panels)}")
    parts = {}
    for panel_id, part in panels.items():
        if panel_id not in PANELS:  # JSON keys are always text
            raise SetupError(f"panels: unknown panel '{str(panel_id)[:40]}' (known: "
                             f"{', '.join(PANELS)})")
        parts[panel_id] = _part(panel_id, part)
    return Setup(shown, theme, parts, app[:40])


def too_large(size: int) -> str:
    """Why a setup of ``size`` bytes is refused."""
    return f"the setup is {size:,} bytes; a setup is at most {MAX_BYTES:,} bytes (16 MB)"


def _no_constant(name: str) -> None:
    raise ValueError(f"{name} is not a number a setup may hold")


def _part(panel_id: str, part: object) -> Part:
    where = f"panels.{panel_id}"
    if not isinstance(part, dict):
        raise SetupError(f"{where} must be an object, got {_kind(part)}", panel_id)
    _keys(part, _PART_KEYS, where)
    state = part.get("state")
    if not isinstance(state, dict):
        raise SetupError(f"{where}.state must be an object, got {_kind(state)}", panel_id)
    step = part.get("step")
    if step is not None:
        if not PANELS[panel_id].animated:
            raise SetupError(f"{where}.step: the {panel_id} panel has no animation", panel_id)
        if isinstance(step, bool) or not isinstance(step, int) or step < 0:
            raise SetupError(f"{where}.step must be a whole number ≥ 0, got {str(step)[:20]}",
                             panel_id)
    picture = part.get("picture")
    if picture is not None:
        picture = _picture(panel_id, picture, f"{where}.picture")
    return Part(state, step, picture)


def _picture(panel_id: str, picture: object, where: str) -> tuple[str, QImage]:
    if panel_id != PICTURE_PANEL:
        raise SetupError(f"{where}: only the {PICTURE_PANEL} panel takes a picture", panel_id)
    if not isinstance(picture, dict) or set(picture) != {"name", "png"}:
        raise SetupError(f"{where} must be an object with a name and a png", panel_id)
    name, text = picture["name"], picture["png"]
    if not isinstance(name, str) or not isinstance(text, str):
        raise SetupError(f"{where}: name and png must be text", panel_id)
    if len(text) > MAX_PICTURE_TEXT:
        raise SetupError(f"{where}.png is {len(text) / 2**20:.0f} MB of text; at most "
                         f"{MAX_PICTURE_TEXT // 2**20} MB", panel_id)
    try:
        data = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise SetupError(f"{where}.png is not base64 text", panel_id) from None
    image = QImage.fromData(data, "PNG")
    if image.isNull():
        raise SetupError(f"{where}.png is not a PNG picture this app can read (a damaged file, "
                         "or one too large to decode)", panel_id)
    if max(image.width(), image.height()) > MAX_PICTURE_SIDE:
        raise SetupError(f"{where} is {image.width()} × {image.height()}; at most "
                         f"{MAX_PICTURE_SIDE} pixels a side", panel_id)
    return name[:200], image


# -- applying ----------------------------------------------------------------------------------
def apply(setup: Setup, panel_for: Callable[[str], Panel]) -> None:
    """Apply every part of ``setup`` to the panels ``panel_for(id)`` gives, or none of them.

    Raises
    ------
    SetupError
        Naming the panel and the field at fault; every panel is then as it was.
    """
    done: list[tuple[str, Panel, Part]] = []  # each panel changed, as it was before
    try:
        for panel_id, part in setup.parts.items():
            panel = panel_for(panel_id)
            done.append((panel_id, panel, _part_of(panel)))
            _apply_part(panel_id, panel, part)
    except SetupError:
        for panel_id, panel, before in reversed(done):
            _apply_part(panel_id, panel, before)  # it was shown: it applies again
        raise


def _part_of(panel: Panel) -> Part:
    """What ``panel`` shows now, as a setup's part."""
    return Part(panel.state_dict(), panel.animation_step() if panel.animated else None,
                _picture_of(panel))


def _apply_part(panel_id: str, panel: Panel, part: Part) -> None:
    where = f"panels.{panel_id}"
    if panel_id == PICTURE_PANEL:
        panel.use_picture(part.picture)
    try:
        panel.load_state_dict(part.state)
    except ValueError as exc:
        raise SetupError(f"{where}.state: {exc}", panel_id) from None
    if part.step is not None:
        steps = panel.animation_steps()
        if part.step >= steps:
            raise SetupError(f"{where}.step is {part.step}; this state has steps 0 to "
                             f"{steps - 1}", panel_id)
        panel.seek(part.step)
