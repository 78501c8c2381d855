#!/usr/bin/python3
"""Writes the built-in test images under data/builtin/ (read by data.builtinImage, plexus/node):

- fmnist-mosaic-112.png: a 4x4 mosaic of the first 16 Fashion-MNIST test images (t10k, indices 0-15,
  row-major), 112x112 8-bit grayscale, pixel values unchanged. Needs the Debian package
  dataset-fashion-mnist (/usr/share/datasets/fashion-mnist) or a folder of the IDX files as argv[1].
- fmnist-mosaic-56.png: the same mosaic downsampled 2x by averaging each 2x2 block (rounded half up).
- spectrum-64.png: a synthetic 64x64 grayscale image with a known discrete spectrum:
      f(r, c) = 0.5 + 0.2 cos(2 pi 2c/64) + 0.15 cos(2 pi 5r/64) + 0.1 cos(2 pi (9c + 13r)/64)
  quantised to round(255 f); its DFT has exactly the peaks (u, v) = (2, 0), (0, 5), (9, 13) (and
  their mirrors) besides DC, up to the quantisation noise (data.spectrumImage computes f exactly).

PNG writing needs no imaging library: one IHDR, one zlib-compressed IDAT (filter 0 rows), IEND.
Run: /usr/bin/python3 scripts/data/make_images.py [fashion-mnist-dir]
"""
import gzip
import math
import os
import struct
import sys
import zlib

src = sys.argv[1] if len(sys.argv) > 1 else "/usr/share/datasets/fashion-mnist"
out = os.path.join(os.path.dirname(__file__), "..", "..", "data", "builtin")


def png_gray(path, w, h, pixels):
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    raw = b"".join(b"\x00" + bytes(pixels[r * w:(r + 1) * w]) for r in range(h))
    ihdr = struct.pack(">IIBBBBB", w, h, 8, 0, 0, 0, 0)
    with open(path, "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b""))
    print(f"wrote {path} ({w}x{h})")


with gzip.open(os.path.join(src, "t10k-images-idx3-ubyte.gz"), "rb") as f:
    data = f.read()
assert struct.unpack(">I", data[:4])[0] == 2051
n, rows, cols = struct.unpack(">III", data[4:16])
assert (rows, cols) == (28, 28) and n >= 16
images = [data[16 + k * 784:16 + (k + 1) * 784] for k in range(16)]
mosaic = [0] * (112 * 112)
for k, img in enumerate(images):
    R, C = divmod(k, 4)
    for r in range(28):
        for c in range(28):
            mosaic[(R * 28 + r) * 112 + C * 28 + c] = img[r * 28 + c]
png_gray(os.path.join(out, "fmnist-mosaic-112.png"), 112, 112, mosaic)
small = [(mosaic[2 * r * 112 + 2 * c] + mosaic[2 * r * 112 + 2 * c + 1] + mosaic[(2 * r + 1) * 112 + 2 * c]
          + mosaic[(2 * r + 1) * 112 + 2 * c + 1] + 2) // 4 for r in range(56) for c in range(56)]
png_gray(os.path.join(out, "fmnist-mosaic-56.png"), 56, 56, small)


def f(r, c):
    t = 2 * math.pi / 64
    return 0.5 + 0.2 * math.cos(t * 2 * c) + 0.15 * math.cos(t * 5 * r) + 0.1 * math.cos(t * (9 * c + 13 * r))


png_gray(os.path.join(out, "spectrum-64.png"), 64, 64, [int(math.floor(255 * f(r, c) + 0.5)) for r in range(64) for c in range(64)])
