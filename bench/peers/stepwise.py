"""The child side of bench/paired.ts's stepwise protocol, shared by the PyTorch peers: after the
peer's warm-up, print {"ready": true, ...}; each stdin line `block` runs `per_block` steps and prints
{"stepsPerSec": ..., <quality key>: quality(last step's loss)}; `done` prints {"peakRssMB": ...} and
returns."""
import json
import sys
import time

import torch
from peer_common import peak_rss_mb


def serve(step, per_block, quality, warmup):
    """step() -> loss (float); quality(loss) -> {key: value}; warmup: untimed steps first."""
    loss = None
    for _ in range(warmup):
        loss = step()
    print(json.dumps({"ready": True, "lib": "torch", "version": torch.__version__, "threads": torch.get_num_threads()}), flush=True)
    for line in iter(sys.stdin.readline, ""):
        cmd = line.strip()
        if cmd == "done":
            print(json.dumps({"peakRssMB": peak_rss_mb()}), flush=True)
            return
        if cmd != "block":
            raise ValueError(f"unknown command {cmd!r}")
        t0 = time.perf_counter()
        for _ in range(per_block):
            loss = step()
        print(json.dumps({"stepsPerSec": per_block / (time.perf_counter() - t0), **quality(loss)}), flush=True)
