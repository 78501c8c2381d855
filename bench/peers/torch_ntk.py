#!/usr/bin/python3
"""NTK peer for bench/ntk.ts (workload ntk of docs/benchmarks.md), float64.

The empirical NTK of a 784-256-256-10 ReLU MLP (PyTorch's default initialisation, seed 0) on the
first 512 Fashion-MNIST training images (pixels / 255), all 10 outputs, traced over the outputs:
K[n, m] = sum_o sum_theta d f_o(x_n)/d theta d f_o(x_m)/d theta, a [512, 512] kernel.
The full Jacobian (512 x 10 x 269 322 doubles = 11 GB) does not fit, so one output at a time: J_o
[512, P] (1.1 GB) from per-sample Jacobians by functorch's vmap(jacrev(f_o)) over chunks of `--chunk`
(32) samples (torch 1.13), then K += J_o J_o^T (a float64 GEMM); without functorch, J_o by a plain
autograd loop, one backward per sample.

Usage: OMP_NUM_THREADS=2 torch_ntk.py [--reps 3] [--chunk 32] [--samples 512] [--dir D]
Prints one JSON line: {"lib","version","impl","threads","seconds","peakRssMiB","trace"}.
"""
import argparse
import gzip
import json
import os
import struct
import time

import numpy as np
import torch

from rss import peak_rss_kib

THREADS = int(os.environ.get("OMP_NUM_THREADS", "1"))
torch.set_num_threads(THREADS)
torch.manual_seed(0)

try:
    from functorch import jacrev, make_functional, vmap
    HAVE_FUNCTORCH = True
except ImportError:  # plain autograd below
    HAVE_FUNCTORCH = False


def read_idx(path):
    with gzip.open(path, "rb") if path.endswith(".gz") else open(path, "rb") as f:
        data = f.read()
    ndim = data[3]
    dims = struct.unpack(">" + "I" * ndim, data[4 : 4 + 4 * ndim])
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * ndim).reshape(dims)


def images(d, n):
    base = os.path.join(d, "train-images-idx3-ubyte")
    path = base + ".gz" if os.path.exists(base + ".gz") else base
    return torch.from_numpy(read_idx(path)[:n].reshape(n, 784).astype(np.float64) / 255)


def jacobian_functorch(model, o):
    """Rows d f_o(x_n) / d theta for a chunk of samples, by vmap over jacrev of output o."""
    fnet, params = make_functional(model)

    def single(p, xi):
        return fnet(p, xi.unsqueeze(0))[0, o]

    jac = vmap(jacrev(single), (None, 0))
    return lambda xb: torch.cat([j.flatten(1) for j in jac(params, xb)], dim=1)  # [c, P]


def jacobian_loop(model, o):
    params = list(model.parameters())

    def rows(xb):
        out = []
        for xi in xb:
            g = torch.autograd.grad(model(xi.unsqueeze(0))[0, o], params)
            out.append(torch.cat([t.flatten() for t in g]))
        return torch.stack(out)

    return rows


def ntk_trace(model, x, chunk):
    """K = sum_o J_o J_o^T, J_o [N, P] built chunk by chunk (one output's Jacobian at a time: N * P doubles)."""
    n = x.shape[0]
    p = sum(t.numel() for t in model.parameters())
    k = torch.zeros(n, n, dtype=torch.float64)
    jo = torch.empty(n, p, dtype=torch.float64)
    for o in range(model[-1].out_features):
        rows = (jacobian_functorch if HAVE_FUNCTORCH else jacobian_loop)(model, o)
        for i in range(0, n, chunk):
            jo[i : i + chunk] = rows(x[i : i + chunk])
        k += jo @ jo.T
    return k


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--chunk", type=int, default=32)
    ap.add_argument("--samples", type=int, default=512)
    ap.add_argument("--dir", default=os.environ.get("FASHION_MNIST_DIR", "/usr/share/datasets/fashion-mnist"))
    a = ap.parse_args()
    x = images(a.dir, a.samples)
    model = torch.nn.Sequential(
        torch.nn.Linear(784, 256), torch.nn.ReLU(), torch.nn.Linear(256, 256), torch.nn.ReLU(), torch.nn.Linear(256, 10)
    ).double()
    best = float("inf")
    for _ in range(a.reps):
        t0 = time.perf_counter()
        k = ntk_trace(model, x, a.chunk)
        best = min(best, time.perf_counter() - t0)
    print(json.dumps({
        "lib": "torch", "version": torch.__version__, "impl": "functorch vmap(jacrev)" if HAVE_FUNCTORCH else "autograd loop",
        "threads": THREADS, "seconds": round(best, 3),
        "peakRssMiB": round(peak_rss_kib() / 1024, 1), "trace": round(float(k.diagonal().sum()), 2),
    }))


if __name__ == "__main__":
    main()
