#!/usr/bin/python3
"""GEMM peer for bench/gemm.ts (workload a of docs/benchmarks.md), float32.

`torch_gemm.py` times torch.mm (Debian python3-torch via /usr/bin/python3); `torch_gemm.py numpy`
times numpy's matmul instead, for an OpenBLAS figure when torch's BLAS is not OpenBLAS (Debian's
python3-torch calls the generic libblas.so.3, which is netlib's reference BLAS unless
libopenblas is installed).

The benchmark sets OMP_NUM_THREADS / OPENBLAS_NUM_THREADS to the thread count under test and
OMP_WAIT_POLICY=PASSIVE. The process stays alive so the benchmark can interleave it with the other
libraries rep by rep (bench/gemm.ts explains the rounds). The first stdout line describes the
library and its BLAS; then each stdin command is answered by one JSON line:

  prep n     new n x n operands, warm-up >= 2 calls and >= 0.1 s -> {"perCall": seconds}
  rep calls  one rep of `calls` calls -> {"wall": seconds, "cpu": process CPU seconds}
  best       fastest of 30 windows of >= 20 ms on the current operands -> {"bestGflops": ...}
  rss        this process's peak resident set so far -> {"peakRssMB": MiB}

The caller picks calls per rep from perCall and computes GFLOPS; a failed command answers
{"error": message} so the benchmark reports it instead of waiting forever.
"""
import json
import math
import os
import sys
import time

from rss import peak_rss_mb

LIB = sys.argv[1] if len(sys.argv) > 1 else "torch"
THREADS = int(os.environ.get("OMP_NUM_THREADS", "1"))

if LIB == "torch":
    import torch

    torch.set_num_threads(THREADS)
    torch.manual_seed(0)
    from peer_common import blas_in_use

    blas = blas_in_use()
    INFO = {"lib": "torch", "version": torch.__version__, "blas": blas, "threads": torch.get_num_threads()}

    def operands(n):
        return torch.rand(n, n, dtype=torch.float32) * 2 - 1, torch.rand(n, n, dtype=torch.float32) * 2 - 1

    def mm(a, b):
        return torch.mm(a, b)
else:
    import numpy as np

    try:
        blas = np.show_config(mode="dicts")["Build Dependencies"]["blas"]["name"]
    except Exception:  # numpy < 1.26 has no dict mode
        blas = "?"
    INFO = {"lib": "numpy", "version": np.__version__, "blas": blas, "threads": THREADS}
    rng = np.random.default_rng(0)

    def operands(n):
        return (rng.random((n, n), dtype=np.float32) * 2 - 1), (rng.random((n, n), dtype=np.float32) * 2 - 1)

    def mm(a, b):
        return a @ b


state = {}


def prep(n):
    a, b = operands(n)
    calls, t0 = 0, time.perf_counter()
    while calls < 2 or time.perf_counter() - t0 < 0.1:
        mm(a, b)
        calls += 1
    state.update(n=n, a=a, b=b, per_call=(time.perf_counter() - t0) / calls)
    return {"perCall": state["per_call"]}


def rep(calls):
    a, b = state["a"], state["b"]
    c, t = time.process_time(), time.perf_counter()
    for _ in range(calls):
        mm(a, b)
    return {"wall": time.perf_counter() - t, "cpu": time.process_time() - c}


def best():
    a, b, n = state["a"], state["b"], state["n"]
    per_window = max(1, math.ceil(0.02 / state["per_call"]))
    top = 0.0
    for _ in range(30):
        t = time.perf_counter()
        for _ in range(per_window):
            mm(a, b)
        top = max(top, 2 * n ** 3 * per_window / (time.perf_counter() - t) / 1e9)
    return {"bestGflops": top}


def rss():
    # rss.py, not peer_common: peer_common imports torch, which numpy's python may not have.
    return {"peakRssMB": peak_rss_mb()}


COMMANDS = {"prep": lambda n: prep(int(n)), "rep": lambda calls: rep(int(calls)), "best": best, "rss": rss}

print(json.dumps(INFO), flush=True)
for line in sys.stdin:
    if line.strip():
        cmd, *args = line.split()
        try:
            out = COMMANDS[cmd](*args)
        except Exception as e:  # any failure goes back to the caller as text
            out = {"error": f"{line.strip()}: {type(e).__name__}: {e}"}
        print(json.dumps(out), flush=True)
