"""Render the app icon (resources/mlstudy.svg) to every file the bundles need.

    .venv/bin/python resources/make_icons.py

writes resources/icons/mlstudy-{16,32,48,64,128,256,512}.png, resources/mlstudy.ico
(Windows) and resources/mlstudy.icns (macOS). The outputs are committed, so a build
needs neither this script nor its tools; rerun it after editing the SVG. Needs
PySide6 (QtSvg renders the SVG offscreen) and Pillow (writes ICO and ICNS).
"""

from __future__ import annotations

import io
import os
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
SVG = HERE / "mlstudy.svg"
PNG_SIZES = (16, 32, 48, 64, 128, 256, 512)
ICO_SIZES = (16, 24, 32, 48, 64, 128, 256)
ICNS_SIZES = (16, 32, 64, 128, 256, 512, 1024)


def render(size: int) -> bytes:
    """The SVG drawn on a transparent size x size canvas, as PNG bytes."""
    from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QRectF, Qt
    from PySide6.QtGui import QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    renderer = QSvgRenderer(str(SVG))
    if not renderer.isValid():
        raise SystemExit(f"make_icons: cannot read {SVG}")
    image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
    renderer.render(painter, QRectF(0, 0, size, size))
    painter.end()
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, "PNG")
    buffer.close()
    return bytes(data.data())


def main() -> int:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PIL import Image
    from PySide6.QtGui import QGuiApplication

    app = QGuiApplication.instance() or QGuiApplication(sys.argv[:1])
    sizes = sorted(set(PNG_SIZES) | set(ICO_SIZES) | set(ICNS_SIZES))
    images = {size: Image.open(io.BytesIO(render(size))).convert("RGBA") for size in sizes}
    del app

    icons = HERE / "icons"
    icons.mkdir(exist_ok=True)
    for size in PNG_SIZES:
        target = icons / f"mlstudy-{size}.png"
        images[size].save(target, optimize=True)
        print(f"wrote {target.relative_to(HERE.parent)}")

    # Each frame is rendered at its own size (crisper than one image scaled down).
    largest_ico = images[max(ICO_SIZES)]
    largest_ico.save(
        HERE / "mlstudy.ico",
        sizes=[(s, s) for s in ICO_SIZES],
        append_images=[images[s] for s in ICO_SIZES if s != max(ICO_SIZES)],
    )
    print("wrote resources/mlstudy.ico")
    largest_icns = images[max(ICNS_SIZES)]
    largest_icns.save(
        HERE / "mlstudy.icns",
        append_images=[images[s] for s in ICNS_SIZES if s != max(ICNS_SIZES)],
    )
    print("wrote resources/mlstudy.icns")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
