"""Draw the add-in's icons (16, 32, 64 and 80 px PNGs) without any imaging library.

Run ``python manifest/make_icons.py`` to regenerate ``addin/static/addin/icons/icon-<size>.png``;
the PNGs are committed, and tests/test_manifest.py checks they are what this script draws. The
picture: a white page with lines of text on the Word-blue tile, one line in the colour Word uses
for a tracked insertion — a marked-up draft.
"""
from __future__ import annotations

import struct
import sys
import zlib
from pathlib import Path

SIZES = (16, 32, 64, 80)
ICON_DIR = Path(__file__).resolve().parent.parent / "addin" / "static" / "addin" / "icons"

BLUE = (15, 108, 189)
WHITE = (255, 255, 255)
INSERTION = (196, 49, 75)

#: Shapes in unit coordinates, painted in order: (x0, y0, x1, y1, corner radius, colour).
SHAPES = (
    (0.0, 0.0, 1.0, 1.0, 0.18, BLUE),
    (0.22, 0.14, 0.78, 0.86, 0.05, WHITE),
    (0.32, 0.30, 0.68, 0.38, 0.0, BLUE),
    (0.32, 0.46, 0.68, 0.54, 0.0, INSERTION),
    (0.32, 0.62, 0.56, 0.70, 0.0, BLUE),
)
SUPERSAMPLE = 4


def _inside(x: float, y: float, shape: tuple) -> bool:
    """Whether a point lies inside a rounded rectangle."""
    x0, y0, x1, y1, r, _ = shape
    if not (x0 <= x <= x1 and y0 <= y <= y1):
        return False
    cx = min(max(x, x0 + r), x1 - r)
    cy = min(max(y, y0 + r), y1 - r)
    return (x - cx) ** 2 + (y - cy) ** 2 <= r * r + 1e-12


def _pixel(px: int, py: int, size: int) -> tuple[int, int, int, int]:
    """One RGBA pixel, averaged over SUPERSAMPLE² sample points for smooth edges."""
    acc = [0.0, 0.0, 0.0, 0.0]
    n = SUPERSAMPLE
    for sy in range(n):
        for sx in range(n):
            x = (px + (sx + 0.5) / n) / size
            y = (py + (sy + 0.5) / n) / size
            colour = None
            for shape in SHAPES:
                if _inside(x, y, shape):
                    colour = shape[5]
            if colour is not None:
                acc[0] += colour[0]
                acc[1] += colour[1]
                acc[2] += colour[2]
                acc[3] += 255
    samples = n * n
    alpha = acc[3] / samples
    if alpha == 0:
        return (0, 0, 0, 0)
    # Colour channels are averaged over covered samples only (straight, not premultiplied, alpha).
    covered = acc[3] / 255
    return (round(acc[0] / covered), round(acc[1] / covered), round(acc[2] / covered), round(alpha))


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def draw_icon(size: int) -> bytes:
    """The PNG bytes of the icon at ``size`` × ``size`` pixels (8-bit RGBA)."""
    rows = bytearray()
    for py in range(size):
        rows.append(0)  # filter type "None" for every scanline
        for px in range(size):
            rows.extend(_pixel(px, py, size))
    header = struct.pack(">IIBBBBB", size, size, 8, 6, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", zlib.compress(bytes(rows), 9))
        + _chunk(b"IEND", b"")
    )


def main(out_dir: Path = ICON_DIR) -> int:
    """Write every icon size into ``out_dir``."""
    out_dir.mkdir(parents=True, exist_ok=True)
    for size in SIZES:
        (out_dir / f"icon-{size}.png").write_bytes(draw_icon(size))
    return 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1]) if len(sys.argv) > 1 else ICON_DIR))
