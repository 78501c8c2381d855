#!/usr/bin/python3
"""PyTorch peer of workload e (bench/lstm.ts, docs/benchmarks.md): the same model and data as
bench/lstm-child.ts. nn.LSTM(64, 256) (time-major) on one fixed batch x [100, 32, 64] with
x[t, b, i] = sin(0.37 * ((t * 32 + b) * 64 + i) + 0.1), a Linear(256, 1) head on the last step, MSE
against y[b] = sin(0.5 * b), Adam lr 1e-3; each library's default init. Stepwise: 2 untimed warm-up
steps, {"ready": true}; each stdin line `block` runs argv[1] training steps (forward, backward,
update) and prints {stepsPerSec, loss}; `done` exits.
"""
import os
import sys

import torch
from stepwise import serve

torch.set_num_threads(int(os.environ.get("OMP_NUM_THREADS", "1")))
torch.manual_seed(0)
T, B, I, H = 100, 32, 64, 256


def main():
    per_block = int(sys.argv[1]) if len(sys.argv) > 1 else 4
    k = torch.arange(T * B * I, dtype=torch.float64)
    x = torch.sin(0.37 * k + 0.1).reshape(T, B, I).float()
    y = torch.sin(0.5 * torch.arange(B, dtype=torch.float64)).reshape(B, 1).float()
    lstm = torch.nn.LSTM(I, H)
    head = torch.nn.Linear(H, 1)
    opt = torch.optim.Adam(list(lstm.parameters()) + list(head.parameters()), lr=1e-3)

    def step():
        out, _ = lstm(x)
        loss = torch.nn.functional.mse_loss(head(out[-1]), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
        return loss.item()

    serve(step, per_block, lambda loss: {"loss": loss}, warmup=2)


main()
