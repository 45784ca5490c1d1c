"""The app's resource files (the sample photo, the icon), read wherever the app is installed."""

from __future__ import annotations

import importlib.resources
from importlib.resources.abc import Traversable
from pathlib import Path

#: The package the build makes of the top-level ``resources/`` folder (see pyproject.toml).
PACKAGE = "explorer.resources"
SAMPLE_PHOTO = "astronaut_128.png"
ICON_SVG = "nn-explorer.svg"
DESKTOP_ENTRY = "nn-explorer.desktop"
EXAMPLE_SETUP = "example.nnx.json"
#: The sizes of the icon's PNGs in resources/ (the hicolor theme's usual application sizes).
ICON_SIZES = (16, 24, 32, 48, 64, 128, 256)


class MissingResource(FileNotFoundError):
    """A resource the app could not read; the message names the file and where it looked."""

    def __init__(self, name: str, where: str, problem: str = "is missing") -> None:
        super().__init__(f"{name} {problem}: looked in {where}")
        self.name = name
        self.where = where


def folder() -> Traversable:
    """Where the resource files are: the package ``explorer.resources``, or a checkout's folder.

    An installed app (wheel, editable or zipped) has the package. Running ``python app.py`` in a
    checkout that was never installed does not, so there the files are read from ``resources/``
    beside the source: the one case where the source tree is where they live.
    """
    try:
        return importlib.resources.files(PACKAGE)
    except ModuleNotFoundError:
        return Path(__file__).resolve().parent.parent / "resources"


def read_bytes(name: str) -> bytes:
    """The contents of the resource ``name`` (a path relative to the resources folder).

    Raises
    ------
    MissingResource
        When it cannot be read.
    """
    place = folder()
    try:
        return place.joinpath(name).read_bytes()
    except (OSError, KeyError):  # a zipped install raises KeyError for a missing member
        raise MissingResource(name, str(place)) from None


def icon_png(size: int) -> str:
    """The resource name of the ``size`` × ``size`` PNG rendering of the icon."""
    return f"nn-explorer-{size}.png"
