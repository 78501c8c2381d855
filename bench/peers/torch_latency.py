#!/usr/bin/python3
"""PyTorch peer for bench/latency.ts (workloads g and h of docs/benchmarks.md), stepwise.

`torch_latency.py g`: inference latency of workload b's model (784-256-256-10 ReLU, torch's
default initialisation, eval mode, torch.inference_mode) on one sample and on a batch of 8, inputs
uniform in [0, 1) from mulberry32(7) (bit-identical to bench/common.ts). A call is the forward pass
plus the readback of its output as a numpy array. Each stdin line `round <seconds>` runs, per batch
size, calls for about that long and prints {"b1": {...}, "b8": {...}} with callsPerSec (calls /
wall time), medianUs and p99Us of the per-call times.

`torch_latency.py h`: training 784-512-512-512-10 ReLU, mean softmax cross-entropy, Adam lr 1e-3,
batch 256, on 8 fixed batches of inputs uniform in [0, 1) and labels from mulberry32(11), cycled.
Each `round <steps>` runs that many steps and prints {stepsPerSec, cpuStepsPerSec, loss}.

Both print {"ready": true, ...} once the model is built and warmed up (untimed), and on `done`
the torch version, the BLAS in use and the peak RSS, then exit. Threads: OMP_NUM_THREADS (set by the benchmark).
"""
import os
import sys
import time

import numpy as np
import torch
from peer_common import blas_in_use, emit, mulberry32, peak_rss_mb


THREADS = int(os.environ.get("OMP_NUM_THREADS", "1"))
torch.set_num_threads(THREADS)
torch.manual_seed(0)








def uniform(n, seed):
    rng = mulberry32(seed)
    return np.array([rng() for _ in range(n)], dtype=np.float64).astype(np.float32)


def mlp(sizes):
    layers = []
    for i in range(len(sizes) - 1):
        layers.append(torch.nn.Linear(sizes[i], sizes[i + 1]))
        if i + 2 < len(sizes):
            layers.append(torch.nn.ReLU())
    return torch.nn.Sequential(*layers)


def latency_round(model, x, seconds):
    times = []
    t_end = time.perf_counter() + seconds
    t0 = time.perf_counter()
    with torch.inference_mode():
        while True:
            s = time.perf_counter()
            model(x).numpy()
            e = time.perf_counter()
            times.append(e - s)
            if e >= t_end:
                break
    wall = time.perf_counter() - t0
    times.sort()
    return {"callsPerSec": len(times) / wall, "medianUs": times[len(times) // 2] * 1e6, "p99Us": times[int(len(times) * 0.99)] * 1e6, "calls": len(times)}


def serve_g(info):
    model = mlp([784, 256, 256, 10]).eval()
    xs = {b: torch.from_numpy(uniform(b * 784, 7).reshape(b, 784)) for b in (1, 8)}
    for b in (1, 8):
        latency_round(model, xs[b], 0.2)
    emit({"ready": True, **info})
    for line in iter(sys.stdin.readline, ""):
        cmd = line.split()
        if cmd == ["done"]:
            emit({**info, "blas": blas_in_use(), "peakRssMB": peak_rss_mb()})
            return
        if len(cmd) != 2 or cmd[0] != "round":
            raise ValueError(f"unknown command {line.strip()!r} (expected 'round <seconds>' or 'done')")
        emit({f"b{b}": latency_round(model, xs[b], float(cmd[1])) for b in (1, 8)})
    raise EOFError("stdin closed before 'done'")


def serve_h(info):
    model = mlp([784, 512, 512, 512, 10])
    opt = torch.optim.Adam(model.parameters(), lr=1e-3, betas=(0.9, 0.999))
    x = torch.from_numpy(uniform(8 * 256 * 784, 11).reshape(8, 256, 784))
    rng = mulberry32(12)
    y = torch.tensor([int(rng() * 10) for _ in range(8 * 256)], dtype=torch.int64).reshape(8, 256)
    step = 0

    def steps(count):
        nonlocal step
        loss = None
        for _ in range(count):
            k = step % 8
            loss = torch.nn.functional.cross_entropy(model(x[k]), y[k])
            opt.zero_grad()
            loss.backward()
            opt.step()
            step += 1
        return loss

    steps(5)
    emit({"ready": True, **info})
    for line in iter(sys.stdin.readline, ""):
        cmd = line.split()
        if cmd == ["done"]:
            emit({**info, "blas": blas_in_use(), "peakRssMB": peak_rss_mb()})
            return
        if len(cmd) != 2 or cmd[0] != "round":
            raise ValueError(f"unknown command {line.strip()!r} (expected 'round <steps>' or 'done')")
        n = int(cmd[1])
        c0, t0 = time.process_time(), time.perf_counter()
        loss = steps(n)
        wall, cpu = time.perf_counter() - t0, time.process_time() - c0
        emit({"stepsPerSec": n / wall, "cpuStepsPerSec": n / cpu, "loss": loss.item()})
    raise EOFError("stdin closed before 'done'")


def main():
    mode = sys.argv[1] if len(sys.argv) > 1 else ""
    info = {"lib": "torch", "version": torch.__version__, "threads": torch.get_num_threads()}
    if mode == "g":
        serve_g(info)
    elif mode == "h":
        serve_h(info)
    else:
        raise ValueError(f"unknown mode {mode!r} (expected 'g' or 'h')")


main()
