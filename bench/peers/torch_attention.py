#!/usr/bin/python3
"""PyTorch peer of bench/attention.ts workload `attn`, stepwise: causal self-attention
nn.MultiheadAttention(256, 8, batch_first=True) on x [4, 256, 256] float32 (inputs uniform in [0, 1)
from mulberry32(7), R from mulberry32(8), as bench/attention-child.ts), need_weights=False, the
causal mask as a bool attn_mask (torch 1.13 has no is_causal). Each stdin line `round <n>` times n
forwards (no_grad) and n forward+backward passes of sum(out * R) and prints {fwdMs, fwdBwdMs}
(median per call); `done` prints the torch version and the peak RSS and exits. Threads: OMP_NUM_THREADS.
"""
import json
import os
import sys
import time

import numpy as np
import torch
from peer_common import mulberry32, peak_rss_mb

torch.set_num_threads(int(os.environ.get("OMP_NUM_THREADS", "1")))
torch.manual_seed(0)




def uniform(shape, seed):
    rng = mulberry32(seed)
    n = int(np.prod(shape))
    return torch.tensor(np.array([rng() for _ in range(n)], dtype=np.float32).reshape(shape))


m = torch.nn.MultiheadAttention(256, 8, batch_first=True)
x = uniform([4, 256, 256], 7)
r = uniform([4, 256, 256], 8)
mask = torch.ones(256, 256, dtype=torch.bool).triu(1)


def fwd():
    with torch.no_grad():
        m(x, x, x, attn_mask=mask, need_weights=False)[0].numpy()


def fwd_bwd():
    m.zero_grad(set_to_none=True)
    o = m(x, x, x, attn_mask=mask, need_weights=False)[0]
    (o * r).sum().backward()


def time_each(n, f):
    ts = []
    for _ in range(n):
        t = time.perf_counter()
        f()
        ts.append(time.perf_counter() - t)
    return float(np.median(ts)) * 1000


fwd()
fwd_bwd()
print(json.dumps({"ready": True}), flush=True)
for line in sys.stdin:
    cmd = line.split()
    if cmd and cmd[0] == "round":
        n = int(cmd[1])
        print(json.dumps({"fwdMs": time_each(n, fwd), "fwdBwdMs": time_each(n, fwd_bwd)}), flush=True)
    elif cmd and cmd[0] == "done":
        print(json.dumps({"version": torch.__version__, "peakRssMB": peak_rss_mb()}), flush=True)
        break
