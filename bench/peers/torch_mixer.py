#!/usr/bin/python3
"""PyTorch peer of workload `mixer` (bench/mixer.ts, docs/benchmarks.md): the same MLP-Mixer and data
as bench/mixer-child.ts. Fashion-MNIST from the Debian package (IDX, gzip), pixels / 255; the first 64
batches of 128 training images, fixed. Model (Tolstikhin et al. 2021, as plexus's nn.MLPMixer): patch
embedding Linear(16 -> 64) of 4x4 patches (49 tokens), 4 blocks of
x + TokenMLP(LN(x)^T)^T (along the tokens: 49 -> 64 -> 49), then
x + ChannelMLP(LN(x)) (64 -> 128 -> 64), GELU; final LayerNorm, mean over tokens, Linear(64 -> 10).
Cross-entropy, Adam lr 1e-3. Stepwise: 3 untimed warm-up steps, {"ready": true}; each stdin line
`block` runs argv[1] steps and prints {stepsPerSec, loss}; `done` exits.
"""
import gzip
import os
import sys

import numpy as np
import torch
from torch import nn

from stepwise import serve

torch.set_num_threads(int(os.environ.get("OMP_NUM_THREADS", "1")))
torch.manual_seed(0)
DIR = "/usr/share/datasets/fashion-mnist"
BATCH, BATCHES = 128, 64


def idx(name, offset):
    with gzip.open(os.path.join(DIR, name), "rb") as f:
        return np.frombuffer(f.read(), dtype=np.uint8, offset=offset)


class Mlp(nn.Module):
    def __init__(self, d, hidden):
        super().__init__()
        self.fc1, self.act, self.fc2 = nn.Linear(d, hidden), nn.GELU(), nn.Linear(hidden, d)

    def forward(self, x):
        return self.fc2(self.act(self.fc1(x)))


class MixerBlock(nn.Module):
    def __init__(self, tokens, dim, token_hidden, channel_hidden):
        super().__init__()
        self.norm1, self.token = nn.LayerNorm(dim), Mlp(tokens, token_hidden)
        self.norm2, self.channel = nn.LayerNorm(dim), Mlp(dim, channel_hidden)

    def forward(self, x):
        x = x + self.token(self.norm1(x).transpose(1, 2)).transpose(1, 2)
        return x + self.channel(self.norm2(x))


class Mixer(nn.Module):
    def __init__(self, patch=4, dim=64, depth=4, token_hidden=64, channel_hidden=128, classes=10):
        super().__init__()
        self.patch = patch
        tokens = (28 // patch) ** 2
        self.embed = nn.Linear(patch * patch, dim)
        self.blocks = nn.Sequential(*[MixerBlock(tokens, dim, token_hidden, channel_hidden) for _ in range(depth)])
        self.norm, self.head = nn.LayerNorm(dim), nn.Linear(dim, classes)

    def forward(self, x):
        n, p = x.shape[0], self.patch
        patches = x.reshape(n, 28 // p, p, 28 // p, p).permute(0, 1, 3, 2, 4).reshape(n, -1, p * p)
        return self.head(self.norm(self.blocks(self.embed(patches))).mean(1))


def main():
    per_block = int(sys.argv[1]) if len(sys.argv) > 1 else 10
    images = idx("train-images-idx3-ubyte.gz", 16)[: BATCH * BATCHES * 784].reshape(-1, 784).astype(np.float32) / 255
    labels = idx("train-labels-idx1-ubyte.gz", 8)[: BATCH * BATCHES].astype(np.int64)
    batches = [(torch.from_numpy(images[b * BATCH:(b + 1) * BATCH].copy()), torch.from_numpy(labels[b * BATCH:(b + 1) * BATCH].copy())) for b in range(BATCHES)]
    model = Mixer()
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    state = {"next": 0}

    def step():
        x, y = batches[state["next"] % BATCHES]
        state["next"] += 1
        loss = nn.functional.cross_entropy(model(x), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
        return loss.item()

    serve(step, per_block, lambda loss: {"loss": loss}, warmup=3)


if __name__ == "__main__":
    main()
