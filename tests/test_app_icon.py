from pathlib import Path

import numpy as np
import pytest
from PySide6.QtGui import QImage

from explorer import assets
from explorer.app_icon import application_icon, render

RESOURCES = Path(__file__).resolve().parents[1] / "resources"


def rgba(image: QImage) -> np.ndarray:
    """An image as an (H, W, 4) int array, straight (not premultiplied) RGBA."""
    image = image.convertToFormat(QImage.Format.Format_RGBA8888)
    width, height = image.width(), image.height()
    data = np.frombuffer(image.constBits(), np.uint8, count=image.bytesPerLine() * height)
    return data.reshape(height, image.bytesPerLine())[:, : 4 * width].reshape(
        height, width, 4).astype(int)


@pytest.mark.parametrize("size", assets.ICON_SIZES)
def test_each_png_has_its_size_and_is_a_fresh_render_of_the_svg(qapp, size):
    png = QImage(str(RESOURCES / f"nn-explorer-{size}.png"))
    assert (png.width(), png.height()) == (size, size) and png.hasAlphaChannel()
    shipped = rgba(png)
    fresh = rgba(render((RESOURCES / "nn-explorer.svg").read_bytes(), size))
    # Compare colours premultiplied: a fully transparent pixel's colour is meaningless.
    alpha = shipped[..., 3:] / 255, fresh[..., 3:] / 255
    difference = np.abs(shipped[..., :3] * alpha[0] - fresh[..., :3] * alpha[1])
    assert np.abs(shipped[..., 3] - fresh[..., 3]).max() <= 8
    assert difference.max() <= 8 and difference.mean() < 0.5
    # A tile with rounded corners: the corners are see-through, the middle is opaque.
    assert shipped[0, 0, 3] == 0 and shipped[-1, -1, 3] == 0
    assert shipped[size // 2, size // 2, 3] == 255


def test_the_icon_reads_at_16_pixels(qapp):
    # The three white input units and the orange output unit are still there at 16 px.
    icon = rgba(QImage(str(RESOURCES / "nn-explorer-16.png")))
    r, g, b, a = (icon[..., i] for i in range(4))
    white = (r > 200) & (g > 200) & (b > 200) & (a == 255)
    orange = (r > 180) & (g > 110) & (g < 200) & (b < 90)
    assert white[:, :6].sum() >= 5 and orange[:, 8:].sum() >= 4
    blue = (b > r + 40) & (a == 255)
    assert blue.sum() > 100  # the tile


def test_the_application_icon_holds_every_size(qapp):
    icon = application_icon()
    assert [s.width() for s in icon.availableSizes()] == list(assets.ICON_SIZES)
    shown = icon.pixmap(32, 32).toImage()
    assert (rgba(shown) == rgba(QImage(str(RESOURCES / "nn-explorer-32.png")))).all()


def test_without_its_pngs_the_icon_is_empty_and_says_why(qapp, tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(assets, "folder", lambda: tmp_path)
    assert application_icon().isNull()
    assert capsys.readouterr().err == (f"nn-explorer: no window icon: nn-explorer-16.png is "
                                       f"missing: looked in {tmp_path}\n")


def test_render_refuses_what_is_not_svg(qapp):
    with pytest.raises(ValueError, match="not a valid SVG"):
        render(b"<html></html>", 16)
