"""Draw the app's icons (issue 27: the installable app): static/icons/icon.svg and the
PNGs an install prompt needs (192 and 512 px, and a 512 px "maskable" one whose picture
keeps inside the safe circle). The same picture as static/favicon.svg: a camera on a
round indigo badge. Pure Python (zlib), no image library, no external asset:

    .venv/bin/python scripts/make_icons.py

The output is committed; run this again after changing the drawing."""
import os
import struct
import zlib

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(os.path.dirname(HERE), "static", "icons")
INDIGO, WHITE = (0x4F, 0x46, 0xE5), (0xFF, 0xFF, 0xFF)
SAMPLES = 4  # per axis: 16 samples a pixel smooth the edges

# The picture on a 32-unit square (favicon.svg's viewBox).
SVG = ('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32">'
       '<circle cx="16" cy="16" r="14" fill="#4f46e5"/>'
       '<path d="M10 12h12v8H10z" fill="#fff"/><path d="M22 15l5-3v8l-5-3z" fill="#fff"/></svg>\n')


def colour_at(x, y, maskable):
    """The colour at (x, y) in 32-unit coordinates, or None (transparent)."""
    if maskable:  # the whole square is background; the picture shrinks into the safe 80 %
        x, y = 16 + (x - 16) / 0.8, 16 + (y - 16) / 0.8
        inside = True
    else:
        inside = (x - 16) ** 2 + (y - 16) ** 2 <= 14 ** 2
    body = 10 <= x <= 22 and 12 <= y <= 20
    t = (x - 22) / 5  # the lens: from (22, 15..17) out to (27, 12..20)
    lens = 0 <= t <= 1 and 15 - 3 * t <= y <= 17 + 3 * t
    if body or lens:
        return WHITE
    return INDIGO if inside else None


def png(size, maskable=False):
    rows = []
    step = 32 / size / SAMPLES
    for py in range(size):
        row = bytearray([0])  # filter: none
        for px in range(size):
            r = g = b = a = 0
            for sy in range(SAMPLES):
                for sx in range(SAMPLES):
                    c = colour_at((px * SAMPLES + sx + 0.5) * step, (py * SAMPLES + sy + 0.5) * step,
                                  maskable)
                    if c:
                        r, g, b, a = r + c[0], g + c[1], b + c[2], a + 1
            n = SAMPLES * SAMPLES
            row += bytes((r // a, g // a, b // a, 255 * a // n) if a else (0, 0, 0, 0))
        rows.append(bytes(row))

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + \
            struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", size, size, 8, 6, 0, 0, 0)  # 8-bit RGBA
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + \
        chunk(b"IDAT", zlib.compress(b"".join(rows), 9)) + chunk(b"IEND", b"")


def main():
    os.makedirs(OUT, exist_ok=True)
    with open(os.path.join(OUT, "icon.svg"), "w", encoding="ascii") as f:
        f.write(SVG)
    for name, size, maskable in (("icon-192.png", 192, False), ("icon-512.png", 512, False),
                                 ("maskable-512.png", 512, True)):
        with open(os.path.join(OUT, name), "wb") as f:
            f.write(png(size, maskable))
        print("wrote", os.path.join(OUT, name))


if __name__ == "__main__":
    main()
