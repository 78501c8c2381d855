#!/usr/bin/python3
"""Writes test/golden/modules-noprop.json: PyTorch (1.13, float64) goldens of nn.NoPropModel
(src/nn/noprop/), the deterministic NoProp-DT inference chain (Li, Teh & Pascanu 2025,
arXiv 2503.24322) in modules.json's format (test/nn-golden.test.ts runs it). Run offline from the
repo root:
    /usr/bin/python3 scripts/golden/modules_noprop.py

The modules below are an independent PyTorch re-implementation written from the paper's block design
(with a fully connected image branch) and its schedule, with the same state-dict keys:
z_0 = 0, z_t = a_t * softmax(block_t(x, z_{t-1})) @ W_embed + b_t * z_{t-1}, logits = Linear(z_T).
"""
import math

import torch
import torch.nn as nn
import torch.nn.functional as F

from modules import case, randn, write_cases

torch.set_default_dtype(torch.float64)


def alpha_bar(T):
    f = lambda s: math.cos(((s / (T + 1) + 0.008) / 1.008) * math.pi / 2) ** 2
    return [0.0] + [f(T + 1 - t) / f(0) for t in range(1, T + 1)]


def coefficients(T):
    ab = alpha_bar(T)
    a, b = [None], [None]
    for t in range(1, T + 1):
        alpha_prev = ab[t - 1] / ab[t]
        a.append(math.sqrt(ab[t]) * (1 - alpha_prev) / (1 - ab[t - 1]))
        b.append(math.sqrt(alpha_prev) * (1 - ab[t]) / (1 - ab[t - 1]))
    return a, b


class Block(nn.Module):
    def __init__(self, inf, classes, dim, width, image_hidden):
        super().__init__()
        layers, prev = [], inf
        for h in image_hidden:
            layers += [nn.Linear(prev, h), nn.ReLU()]
            prev = h
        layers += [nn.Linear(prev, width), nn.BatchNorm1d(width)]
        self.image = nn.Sequential(*layers)
        self.label = nn.Sequential(nn.Linear(dim, width), nn.BatchNorm1d(width), nn.ReLU())
        self.labelResidual = nn.Sequential(nn.Linear(width, width), nn.BatchNorm1d(width), nn.ReLU(), nn.Linear(width, width), nn.BatchNorm1d(width))
        half = width // 2
        self.head = nn.Sequential(nn.Linear(2 * width, width), nn.BatchNorm1d(width), nn.ReLU(),
                                  nn.Linear(width, half), nn.BatchNorm1d(half), nn.ReLU(), nn.Linear(half, classes))

    def forward(self, x, z, embed):
        hz1 = self.label(z)
        hz = self.labelResidual(hz1) + hz1
        return F.softmax(self.head(torch.cat([self.image(x), hz], 1)), 1) @ embed


class NoPropModel(nn.Module):
    def __init__(self, inf, classes, T, dim, width, image_hidden):
        super().__init__()
        self.embed = nn.Parameter(torch.zeros(classes, dim))
        self.blocks = nn.ModuleList([Block(inf, classes, dim, width, image_hidden) for _ in range(T)])
        self.classifier = nn.Linear(dim, classes)
        self.a, self.b = coefficients(T)
        self.dim = dim

    def forward(self, x):
        z = torch.zeros(x.shape[0], self.dim)
        for t, block in enumerate(self.blocks, start=1):
            z = self.a[t] * block(x, z, self.embed) + self.b[t] * z
        return self.classifier(z)


def config(T, dim, width, image_hidden):
    return {"type": "NoPropModel", "inFeatures": 5, "numClasses": 3, "numBlocks": T, "schedule": "cosine", "embedding": "learned",
            "embeddingDim": dim, "width": width, "imageHidden": image_hidden, "dropout": 0, "dtype": "float64"}


cases = {}
for name, (T, dim, width, hidden) in {"NoPropModel T=3 d=4": (3, 4, 4, [3]), "NoPropModel T=2 d=3 no image hidden": (2, 3, 6, [])}.items():
    x = randn(6, 5)
    # Eval mode only: in training mode block 1's label branch sees the constant z_0 = 0, a BatchNorm of
    # zero variance whose (analytically zero) gradients are rounding noise amplified by 1/sqrt(eps).
    cases[name] = case(config(T, dim, width, hidden), NoPropModel(5, 3, T, dim, width, hidden), [("eval", x), ("eval", randn(6, 5))])
write_cases(cases, "modules-noprop.json")
