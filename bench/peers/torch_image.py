#!/usr/bin/python3
"""PyTorch peer of workload `image` (bench/image.ts, docs/benchmarks.md): the same model and data as
bench/image-child.ts. The 112x112 mosaic (data/builtin/fmnist-mosaic-112.png, 8-bit gray, filter 0
rows as scripts/data/make_images.py writes it) as 12544 coordinates in [-1, 1]^2; Gaussian Fourier
features (128 rows, s = 10: [cos 2 pi Bx, sin 2 pi Bx]) + Linear 256-128-128-128-1 ReLU + sigmoid,
MSE, Adam lr 1e-3, full batch. Stepwise: 5 untimed warm-up steps, {"ready": true}; each stdin line
`block` runs argv[1] steps and prints {stepsPerSec, psnr}; `done` exits.
"""
import math
import os
import struct
import sys
import zlib

import torch
from stepwise import serve

torch.set_num_threads(int(os.environ.get("OMP_NUM_THREADS", "1")))
torch.manual_seed(0)


def read_gray_png(path):
    with open(path, "rb") as f:
        data = f.read()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat, w, h = 8, b"", 0, 0
    while pos < len(data):
        n = struct.unpack(">I", data[pos:pos + 4])[0]
        kind, body = data[pos + 4:pos + 8], data[pos + 8:pos + 8 + n]
        if kind == b"IHDR":
            w, h, depth, ctype = struct.unpack(">IIBB", body[:10])
            assert depth == 8 and ctype == 0
        elif kind == b"IDAT":
            idat += body
        pos += 12 + n
    raw = zlib.decompress(idat)
    rows = []
    for r in range(h):
        line = raw[r * (w + 1):(r + 1) * (w + 1)]
        assert line[0] == 0, "filter 0 rows only"
        rows.append(list(line[1:]))
    return w, h, rows


def main():
    per_block = int(sys.argv[1]) if len(sys.argv) > 1 else 20
    root = os.path.join(os.path.dirname(__file__), "..", "..")
    w, h, rows = read_gray_png(os.path.join(root, "data", "builtin", "fmnist-mosaic-112.png"))
    xs = torch.linspace(-1, 1, w)
    ys = torch.linspace(-1, 1, h)
    x = torch.stack([xs.repeat(h), ys.repeat_interleave(w)], 1)
    y = torch.tensor(rows, dtype=torch.float32).reshape(-1, 1) / 255
    B = torch.randn(128, 2) * 10
    model = torch.nn.Sequential(torch.nn.Linear(256, 128), torch.nn.ReLU(), torch.nn.Linear(128, 128), torch.nn.ReLU(),
                                torch.nn.Linear(128, 128), torch.nn.ReLU(), torch.nn.Linear(128, 1), torch.nn.Sigmoid())
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)

    def step():
        proj = (2 * math.pi * x) @ B.T
        loss = torch.nn.functional.mse_loss(model(torch.cat([torch.cos(proj), torch.sin(proj)], -1)), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
        return loss.item()

    serve(step, per_block, lambda loss: {"psnr": 10 * math.log10(1 / loss)}, warmup=5)


main()
