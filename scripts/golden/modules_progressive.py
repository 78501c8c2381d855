#!/usr/bin/python3
"""Writes test/golden/modules-progressive.json: PyTorch (float64) outputs and gradients of
nn.encoding.ProgressiveImplicitNetwork (PINs, Landgraf et al. 2022, arXiv 2202.04713), re-implemented
here, for test/nn-golden.test.ts. The golden output is the module's `forward`: every level's output
stacked on a new leading axis [levels, ..., out], so each level's head and the progressive feeding of
the bands are checked (and the gradients through all of them). Run offline from the repo root:
    /usr/bin/python3 scripts/golden/modules_progressive.py
"""
import json
import math
import os

import torch
import torch.nn as nn

from modules import case, randn

torch.set_default_dtype(torch.float64)


class PIN(nn.Module):
    """gamma_l = [cos(2 pi B_l x), sin(2 pi B_l x)]; h_0 = block_0(gamma_0), h_l = block_l(cat(h_{l-1}, gamma_l)); y_l = head_l(h_l)."""

    def __init__(self, d, m, h, o, levels, layers, scale):
        super().__init__()
        b = randn(m, d, scale=scale)
        b = b[torch.argsort((b * b).sum(-1))]  # rows sorted by norm: band 0 is the coarsest
        self.register_buffer("B", b)
        self.k = m // levels
        self.blocks = nn.ModuleList([
            nn.ModuleList([nn.Linear(h if i > 0 else (h if l > 0 else 0) + 2 * self.k, h) for i in range(layers)])
            for l in range(levels)])
        self.heads = nn.ModuleList([nn.Linear(h, o) for _ in range(levels)])

    def forward(self, x):
        proj = (2 * math.pi * x) @ self.B.T
        outs, h = [], None
        for l, block in enumerate(self.blocks):
            band = proj[..., l * self.k:(l + 1) * self.k]
            gamma = torch.cat([torch.cos(band), torch.sin(band)], -1)
            z = gamma if h is None else torch.cat([h, gamma], -1)
            for lin in block:
                z = torch.relu(lin(z))
            h = z
            outs.append(self.heads[l](h))
        return torch.stack(outs, 0)


def cfg(d, m, h, o, levels, layers, scale):
    return {"type": "ProgressiveImplicitNetwork", "inFeatures": d, "mappingSize": m, "hiddenFeatures": h,
            "outFeatures": o, "levels": levels, "layersPerLevel": layers, "scale": scale, "dtype": "float64"}


def main():
    cases = {}
    args = (2, 6, 5, 3, 3, 2, 2.0)
    cases["pin-2d-3levels"] = case(cfg(*args), PIN(*args), [("train", randn(4, 2, scale=0.6)), ("eval", randn(2, 3, 2, scale=0.6))])
    args = (1, 4, 4, 1, 4, 1, 3.0)
    cases["pin-1d-4levels"] = case(cfg(*args), PIN(*args), [("train", randn(5, 1, scale=0.6))])
    out = {"torch": torch.__version__, "cases": cases}
    path = os.path.join(os.path.dirname(__file__), "..", "..", "test", "golden", "modules-progressive.json")
    with open(path, "w") as f:
        json.dump(out, f)
        f.write("\n")
    print(f"wrote {path}: {len(cases)} cases")


if __name__ == "__main__":
    main()
