#!/usr/bin/python3
"""PyTorch peer for bench/mlp.ts and bench/small.ts (workloads b and c of docs/benchmarks.md).

`torch_mlp.py mlp`: Fashion-MNIST, 784-256-256-10 ReLU, mean softmax cross-entropy, Adam lr 1e-3,
batch 128 over a permutation per epoch drawn with mulberry32 + Fisher-Yates (bit-identical to
bench/common.ts). Timed per epoch: batch assembly, forward, loss, backward, optimizer step.
Stepwise, because bench/mlp.ts interleaves this peer with plexus epoch by epoch (the VM's core speed
drifts for seconds to minutes; run back to back, a slow phase would land on one library). After
loading the data and building the model (untimed) it prints {"ready": true, ...}; each stdin line
`epoch` trains one epoch over the next permutation and prints {samplesPerSec, cpuSamplesPerSec,
testAccuracy (after the epoch, untimed), steps}; `done` prints peak RSS, a checksum of the first
epoch's order (the JS side compares it with its own), the torch version and which BLAS the process
loaded, and exits. Anything else, or stdin closing first, raises (the benchmark skips this peer).

`torch_mlp.py small`: 1024 seeded points, 2-64-64-1 tanh, MSE, Adam lr 1e-3, batch 32 in fixed order;
200 warm-up steps, then 3 blocks of 3000 steps; prints one JSON line with steps/s per block and the
peak RSS.

Threads: the benchmark sets OMP_NUM_THREADS / OPENBLAS_NUM_THREADS and OMP_WAIT_POLICY=PASSIVE;
torch.set_num_threads follows OMP_NUM_THREADS here.
"""
import gzip
import math
import os
import sys
import time

import numpy as np
import torch
from peer_common import M32, blas_in_use, emit, mulberry32, peak_rss_mb

THREADS = int(os.environ.get("OMP_NUM_THREADS", "1"))
torch.set_num_threads(THREADS)
torch.manual_seed(0)




def permutation(n, rng):
    p = list(range(n))
    for i in range(n - 1, 0, -1):
        j = int(rng() * (i + 1))
        p[i], p[j] = p[j], p[i]
    return p


def order_checksum(p):
    """FNV-1a over the indices (the JS side computes the same)."""
    h = 0x811C9DC5
    for v in p:
        h = ((h ^ v) * 0x01000193) & M32
    return h




def idx(path):
    with gzip.open(path, "rb") as f:
        data = f.read()
    ndim = data[3]
    dims = [int.from_bytes(data[4 + 4 * i:8 + 4 * i], "big") for i in range(ndim)]
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * ndim).reshape(dims)


def fashion(dirname):
    def split(prefix):
        x = idx(os.path.join(dirname, f"{prefix}-images-idx3-ubyte.gz")).reshape(-1, 784).astype(np.float32) / 255
        y = idx(os.path.join(dirname, f"{prefix}-labels-idx1-ubyte.gz")).astype(np.int64)
        return torch.from_numpy(x), torch.from_numpy(y)

    return split("train"), split("t10k")




def serve_mlp(info):
    """Workload b, stepwise: one epoch per stdin line `epoch`, final figures on `done` (see the docstring)."""
    (xtr, ytr), (xte, yte) = fashion(os.environ.get("FASHION_MNIST_DIR", "/usr/share/datasets/fashion-mnist"))
    model = torch.nn.Sequential(torch.nn.Linear(784, 256), torch.nn.ReLU(), torch.nn.Linear(256, 256), torch.nn.ReLU(), torch.nn.Linear(256, 10))
    opt = torch.optim.Adam(model.parameters(), lr=1e-3, betas=(0.9, 0.999))
    rng = mulberry32(0)
    n, bs = xtr.shape[0], 128
    checksum = None
    emit({"ready": True, **info})
    for line in iter(sys.stdin.readline, ""):
        cmd = line.strip()
        if cmd == "done":
            rss_mb = peak_rss_mb()
            emit({**info, "blas": blas_in_use(), "peakRssMB": rss_mb, "orderChecksum": checksum})
            return
        if cmd != "epoch":
            raise ValueError(f"unknown command {cmd!r} (expected 'epoch' or 'done')")
        # The e-th `epoch` trains on the e-th permutation drawn, however the epochs are spread in time.
        perm = permutation(n, rng)
        if checksum is None:
            checksum = order_checksum(perm)
        order = torch.tensor(perm, dtype=torch.int64)
        model.train()
        c0, t0 = time.process_time(), time.perf_counter()
        for s in range(0, n, bs):
            ib = order[s:s + bs]
            x, y = xtr[ib], ytr[ib]
            loss = torch.nn.functional.cross_entropy(model(x), y)
            opt.zero_grad()
            loss.backward()
            opt.step()
        sps = n / (time.perf_counter() - t0)
        cpu = n / (time.process_time() - c0)
        model.eval()
        with torch.no_grad():
            acc = (model(xte).argmax(1) == yte).float().mean().item()
        emit({"samplesPerSec": sps, "cpuSamplesPerSec": cpu, "testAccuracy": acc, "steps": (n + bs - 1) // bs})
    raise EOFError("stdin closed before 'done'")


def run_small():
    rng = mulberry32(1234)
    pts = [[rng() * 2 - 1, rng() * 2 - 1] for _ in range(1024)]
    x = torch.tensor(pts, dtype=torch.float64).float()
    y = (torch.sin(math.pi * x[:, 0]) * torch.cos(math.pi * x[:, 1])).unsqueeze(1)
    model = torch.nn.Sequential(torch.nn.Linear(2, 64), torch.nn.Tanh(), torch.nn.Linear(64, 64), torch.nn.Tanh(), torch.nn.Linear(64, 1))
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    batches = [(x[32 * k:32 * k + 32], y[32 * k:32 * k + 32]) for k in range(32)]
    step = 0

    def steps(count):
        nonlocal step
        for _ in range(count):
            xb, yb = batches[step % 32]
            loss = torch.nn.functional.mse_loss(model(xb), yb)
            opt.zero_grad()
            loss.backward()
            opt.step()
            step += 1

    steps(200)
    blocks, cpu = [], []
    for _ in range(3):
        c0, t0 = time.process_time(), time.perf_counter()
        steps(3000)
        blocks.append(3000 / (time.perf_counter() - t0))
        cpu.append(3000 / (time.process_time() - c0))
    return {"stepsPerSec": blocks, "cpuStepsPerSec": cpu, "finalLoss": torch.nn.functional.mse_loss(model(x), y).item()}


def main():
    mode = sys.argv[1] if len(sys.argv) > 1 else "mlp"
    info = {"lib": "torch", "version": torch.__version__, "threads": torch.get_num_threads()}
    if mode == "mlp":
        serve_mlp(info)
    elif mode == "small":
        emit({**info, **run_small(), "blas": blas_in_use(), "peakRssMB": peak_rss_mb()})
    else:
        raise ValueError(f"unknown mode {mode!r} (expected 'mlp' or 'small')")


main()
