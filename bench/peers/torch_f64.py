#!/usr/bin/python3
"""float64 peer for bench/f64.ts (workload f of docs/benchmarks.md): torch.mm on float64 operands
and a float64 MLP 32-256-256-1 (tanh, MSE, Adam lr 1e-3, batch 1024) trained on one fixed batch.

The benchmark sets OMP_NUM_THREADS / OPENBLAS_NUM_THREADS to the thread count under test and
OMP_WAIT_POLICY=PASSIVE, and keeps this process alive to interleave it with plexus round by round.
The first stdout line describes torch and its BLAS; then each stdin command gets one JSON line:

  prep n       new n x n float64 operands, warm-up >= 2 calls and >= 0.1 s -> {"perCall": seconds}
  rep calls    `calls` calls of torch.mm -> {"wall": seconds}
  mlp          builds the model and the batch, 3 warm-up steps -> {"ready": true}
  train steps  `steps` training steps -> {"wall": seconds, "loss": last loss}
  rss          this process's peak resident set so far -> {"peakRssMB": MiB}

The batch is the same formula as plexus's (bench/f64.ts): x[i, j] = sin(0.37·(32 i + j) + 0.1),
y[i] = sin(x[i, 0] + x[i, 1]); a failed command answers {"error": message}.
"""
import json
import os
import sys
import time

import torch
from peer_common import peak_rss_mb

THREADS = int(os.environ.get("OMP_NUM_THREADS", "1"))
torch.set_num_threads(THREADS)
torch.manual_seed(0)
blas = next((s.split("=", 1)[1] for s in torch.__config__.show().replace(",", "\n").split() if s.startswith("BLAS_INFO=")), "?")
INFO = {"lib": "torch", "version": torch.__version__, "blas": blas, "threads": torch.get_num_threads()}

state = {}


def prep(n):
    a = torch.rand(n, n, dtype=torch.float64) * 2 - 1
    b = torch.rand(n, n, dtype=torch.float64) * 2 - 1
    calls, t0 = 0, time.perf_counter()
    while calls < 2 or time.perf_counter() - t0 < 0.1:
        torch.mm(a, b)
        calls += 1
    state.update(a=a, b=b)
    return {"perCall": (time.perf_counter() - t0) / calls}


def rep(calls):
    a, b = state["a"], state["b"]
    t = time.perf_counter()
    for _ in range(calls):
        torch.mm(a, b)
    return {"wall": time.perf_counter() - t}


def step():
    model, opt, x, y = state["model"], state["opt"], state["x"], state["y"]
    opt.zero_grad()
    loss = torch.nn.functional.mse_loss(model(x), y)
    loss.backward()
    opt.step()
    return loss


def mlp():
    idx = torch.arange(1024 * 32, dtype=torch.float64).reshape(1024, 32)
    x = torch.sin(0.37 * idx + 0.1)
    y = torch.sin(x[:, 0:1] + x[:, 1:2])
    model = torch.nn.Sequential(
        torch.nn.Linear(32, 256), torch.nn.Tanh(), torch.nn.Linear(256, 256), torch.nn.Tanh(), torch.nn.Linear(256, 1),
    ).double()
    state.update(model=model, opt=torch.optim.Adam(model.parameters(), lr=1e-3), x=x, y=y)
    for _ in range(3):
        step()
    return {"ready": True}


def train(steps):
    t = time.perf_counter()
    for _ in range(steps):
        loss = step()
    return {"wall": time.perf_counter() - t, "loss": loss.item()}


COMMANDS = {"prep": lambda n: prep(int(n)), "rep": lambda calls: rep(int(calls)), "mlp": mlp, "train": lambda steps: train(int(steps)), "rss": lambda: {"peakRssMB": peak_rss_mb()}}

print(json.dumps(INFO), flush=True)
for line in sys.stdin:
    if line.strip():
        cmd, *args = line.split()
        try:
            out = COMMANDS[cmd](*args)
        except Exception as e:  # any failure goes back to the caller as text
            out = {"error": f"{line.strip()}: {type(e).__name__}: {e}"}
        print(json.dumps(out), flush=True)
