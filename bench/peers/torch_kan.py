#!/usr/bin/python3
"""KAN peer for bench/kan-speed.ts (workload d of docs/benchmarks.md), float32.

An efficient-KAN-style network (Blealtan/efficient-kan design) written for the benchmark:
[784, 64, 10], per input feature a uniform knot vector on [-1, 1] with grid 5 extended by 3 knots
each side (12 knots, 8 cubic B-spline bases, Cox-de Boor recursion), layer output
silu(x) @ W_base^T + B(x).reshape(N, -1) @ W_spline^T (the per-edge spline scaler folded into
W_spline, as plexus' effectiveSplineWeight does per step). Inputs x/255*2-1; cross-entropy; AdamW
lr 1e-3, weight decay 1e-4; batch 128; the epoch order is the same mulberry32 + Fisher-Yates
permutation as the JS side (seed 0).

Usage: OMP_NUM_THREADS=1 OMP_WAIT_POLICY=PASSIVE torch_kan.py [--steps N] [--dir D]
Prints one JSON line: {"lib","version","threads","train_steps_per_s","fwd_bwd_steps_per_s","steps",
"test_accuracy"}.
"""
import argparse
import gzip
import json
import os
import struct
import time

import numpy as np
import torch
from peer_common import peak_rss_mb

THREADS = int(os.environ.get("OMP_NUM_THREADS", "1"))
torch.set_num_threads(THREADS)
torch.manual_seed(0)


def read_idx(path):
    with gzip.open(path, "rb") if path.endswith(".gz") else open(path, "rb") as f:
        data = f.read()
    ndim = data[3]
    dims = struct.unpack(">" + "I" * ndim, data[4 : 4 + 4 * ndim])
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * ndim).reshape(dims)


def load(d):
    p = lambda b: os.path.join(d, b + ".gz") if os.path.exists(os.path.join(d, b + ".gz")) else os.path.join(d, b)
    xtr = read_idx(p("train-images-idx3-ubyte")).reshape(-1, 784).astype(np.float32) / 255 * 2 - 1
    ytr = read_idx(p("train-labels-idx1-ubyte")).astype(np.int64)
    xte = read_idx(p("t10k-images-idx3-ubyte")).reshape(-1, 784).astype(np.float32) / 255 * 2 - 1
    yte = read_idx(p("t10k-labels-idx1-ubyte")).astype(np.int64)
    return torch.from_numpy(xtr), torch.from_numpy(ytr), torch.from_numpy(xte), torch.from_numpy(yte)


def mulberry32(seed):
    a = seed & 0xFFFFFFFF

    def nxt():
        nonlocal a
        a = (a + 0x6D2B79F5) & 0xFFFFFFFF
        t = a
        t = ((t ^ (t >> 15)) * (t | 1)) & 0xFFFFFFFF
        t ^= (t + (((t ^ (t >> 7)) * (t | 61)) & 0xFFFFFFFF)) & 0xFFFFFFFF
        return ((t ^ (t >> 14)) & 0xFFFFFFFF) / 4294967296

    return nxt


def permutation(n, seed):
    r = mulberry32(seed)
    a = list(range(n))
    for i in range(n - 1, 0, -1):
        j = int(r() * (i + 1))
        a[i], a[j] = a[j], a[i]
    return a


class KANLinear(torch.nn.Module):
    def __init__(self, fin, fout, grid=5, k=3):
        super().__init__()
        h = 2 / grid
        knots = torch.arange(-k, grid + k + 1, dtype=torch.float32) * h - 1
        self.register_buffer("grid", knots.expand(fin, -1).contiguous())
        self.k = k
        self.base_weight = torch.nn.Parameter(torch.empty(fout, fin))
        torch.nn.init.kaiming_uniform_(self.base_weight, a=5 ** 0.5)
        self.spline_weight = torch.nn.Parameter(torch.randn(fout, fin * (grid + k)) * 0.1 / grid / fin ** 0.5)

    def b_splines(self, x):
        g = self.grid
        x = x.unsqueeze(-1)
        b = ((x >= g[:, :-1]) & (x < g[:, 1:])).to(x.dtype)
        for p in range(1, self.k + 1):
            b = (x - g[:, : -(p + 1)]) / (g[:, p:-1] - g[:, : -(p + 1)]) * b[:, :, :-1] + (g[:, p + 1 :] - x) / (g[:, p + 1 :] - g[:, 1:(-p)]) * b[:, :, 1:]
        return b

    def forward(self, x):
        base = torch.nn.functional.linear(torch.nn.functional.silu(x), self.base_weight)
        spline = torch.nn.functional.linear(self.b_splines(x).reshape(x.shape[0], -1), self.spline_weight)
        return base + spline


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--steps", type=int, default=469)
    ap.add_argument("--dir", default=os.environ.get("FASHION_MNIST_DIR", "/usr/share/datasets/fashion-mnist"))
    args = ap.parse_args()
    xtr, ytr, xte, yte = load(args.dir)
    model = torch.nn.Sequential(KANLinear(784, 64), KANLinear(64, 10))
    opt = torch.optim.AdamW(model.parameters(), lr=1e-3, weight_decay=1e-4)
    loss_fn = torch.nn.CrossEntropyLoss()
    order = torch.tensor(permutation(xtr.shape[0], 0))
    steps = min(args.steps, (xtr.shape[0] + 127) // 128)
    t0 = time.perf_counter()
    for s in range(steps):
        idx = order[s * 128 : (s + 1) * 128]
        xb, yb = xtr[idx], ytr[idx]
        opt.zero_grad()
        loss_fn(model(xb), yb).backward()
        opt.step()
    train_sps = steps / (time.perf_counter() - t0)
    with torch.no_grad():
        acc = (model(xte).argmax(1) == yte).float().mean().item()
    xb, yb = xtr[:128], ytr[:128]
    n, t0 = 0, time.perf_counter()
    while n < 3 or time.perf_counter() - t0 < 2:
        model.zero_grad()
        loss_fn(model(xb), yb).backward()
        n += 1
    fb_sps = n / (time.perf_counter() - t0)
    print(json.dumps({"lib": "torch", "version": torch.__version__, "threads": torch.get_num_threads(), "train_steps_per_s": train_sps,
                      "fwd_bwd_steps_per_s": fb_sps, "steps": steps, "test_accuracy": acc, "peakRssMB": peak_rss_mb()}))


if __name__ == "__main__":
    main()
