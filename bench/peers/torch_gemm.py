#!/usr/bin/python3
"""GEMM peer for bench/gemm.ts (workload a of ../shared/bench/WORKLOADS.md), float32.

`torch_gemm.py` times torch.mm (Debian python3-torch via /usr/bin/python3); `torch_gemm.py numpy`
times numpy's matmul instead, for an OpenBLAS figure when torch's BLAS is not OpenBLAS (Debian's
python3-torch calls the generic libblas.so.3, which is netlib's reference BLAS unless
libopenblas is installed).

The benchmark sets OMP_NUM_THREADS / OPENBLAS_NUM_THREADS to the thread count under test and
OMP_WAIT_POLICY=PASSIVE. The process stays alive so the benchmark can interleave it with the JS
libraries per size: each stdin line "n" is answered by one JSON line {"n", "gflops", "cpuGflops",
"reps"} (cpuGflops: the same timed by process CPU seconds, for busy machines),
measured with the JS side's protocol (warm-up >= 2 calls and 0.1 s; calls per rep =
ceil(0.25 s / call time); 5 reps; median). The first line describes the library and its BLAS.
"""
import json
import math
import os
import sys
import time

LIB = sys.argv[1] if len(sys.argv) > 1 else "torch"
THREADS = int(os.environ.get("OMP_NUM_THREADS", "1"))

if LIB == "torch":
    import torch

    torch.set_num_threads(THREADS)
    torch.manual_seed(0)
    blas = next((s.split("=", 1)[1] for s in torch.__config__.show().replace(",", "\n").split() if s.startswith("BLAS_INFO=")), "?")
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


def measure(n):
    a, b = operands(n)
    calls, t0 = 0, time.perf_counter()
    while calls < 2 or time.perf_counter() - t0 < 0.1:
        mm(a, b)
        calls += 1
    per_call = (time.perf_counter() - t0) / calls
    per_rep = max(1, math.ceil(0.25 / per_call))
    reps, cpu = [], []
    for _ in range(5):
        c, t = time.process_time(), time.perf_counter()
        for _ in range(per_rep):
            mm(a, b)
        wall = time.perf_counter() - t
        reps.append(2 * n ** 3 * per_rep / wall / 1e9)
        cpu.append(2 * n ** 3 * per_rep / max(wall * 1e-3, time.process_time() - c) / 1e9)
    best = None
    if os.environ.get("BENCH_BEST"):  # fastest of 30 windows of >= 20 ms (see bench/gemm.ts)
        per_window = max(1, math.ceil(0.02 / per_call))
        best = 0.0
        for _ in range(30):
            t = time.perf_counter()
            for _ in range(per_window):
                mm(a, b)
            best = max(best, 2 * n ** 3 * per_window / (time.perf_counter() - t) / 1e9)
    return sorted(reps)[2], sorted(cpu)[2], best, reps


print(json.dumps(INFO), flush=True)
for line in sys.stdin:
    if line.strip():
        n = int(line)
        med, cpu_med, best, reps = measure(n)
        out = {"n": n, "gflops": med, "cpuGflops": cpu_med, "reps": reps}
        if best is not None:
            out["bestGflops"] = best
        print(json.dumps(out), flush=True)
