#!/usr/bin/python3
"""Writes test/golden/modules-encoding.json: PyTorch (float64) outputs and gradients of
nn.encoding.FourierFeatures, re-implemented here from Tancik et al. 2020 (arXiv 2006.10739) and
Li et al. 2021 (arXiv 2106.02795), for test/nn-golden.test.ts. Run offline from the repo root:
    /usr/bin/python3 scripts/golden/modules_encoding.py
"""
import math

import torch
import torch.nn as nn

from modules import case, randn, write_cases

torch.set_default_dtype(torch.float64)


class FourierFeatures(nn.Module):
    """gamma(v) = [cos(2 pi B u), sin(2 pi B u)] (+ v), u = (v - lo) / (hi - lo) with [lo, hi] the input
    range (the paper's coordinates are in [0, 1)); B a buffer, or a parameter when learnable."""

    def __init__(self, d, m, kind, scale=None, include_input=False, input_range=(-1.0, 1.0)):
        super().__init__()
        if kind == "basic":
            b = torch.eye(d)
        elif kind == "positional":
            b = torch.zeros(m * d, d)
            for j in range(m):
                for i in range(d):
                    b[j * d + i, i] = scale ** (j / m)
        else:
            b = randn(m, d, scale=scale)
        if kind == "learnable":
            self.B = nn.Parameter(b)
        else:
            self.register_buffer("B", b)
        self.include_input = include_input
        self.lo, self.hi = input_range

    def forward(self, x):
        proj = (2 * math.pi * (x - self.lo) / (self.hi - self.lo)) @ self.B.T
        parts = [torch.cos(proj), torch.sin(proj)] + ([x] if self.include_input else [])
        return torch.cat(parts, -1)


def cfg(d, m, kind, scale=None, include_input=False, input_range=(-1.0, 1.0)):
    return {"type": "FourierFeatures", "inFeatures": d, "mappingSize": m, "kind": kind, "scale": scale,
            "inputRange": list(input_range), "includeInput": include_input, "dtype": "float64"}


def main():
    cases = {}
    cases["basic"] = case(cfg(2, 2, "basic"), FourierFeatures(2, 2, "basic"), [("train", randn(6, 2, scale=0.6))])
    cases["positional"] = case(cfg(2, 4, "positional", 6.0, True), FourierFeatures(2, 4, "positional", 6.0, True),
                               [("train", randn(5, 2, scale=0.6))])
    # inputRange [0, 1]: the paper's formula verbatim (no domain map).
    cases["gaussian"] = case(cfg(2, 8, "gaussian", 3.0, input_range=(0.0, 1.0)), FourierFeatures(2, 8, "gaussian", 3.0, input_range=(0.0, 1.0)),
                             [("train", randn(4, 3, 2, scale=0.6)), ("eval", randn(2, 2))])
    # learnable: `case` redraws B (a parameter) with randn * 0.5; its gradient is checked too.
    cases["learnable"] = case(cfg(3, 5, "learnable", 2.0, True, (-0.5, 2.0)), FourierFeatures(3, 5, "learnable", 2.0, True, (-0.5, 2.0)),
                              [("train", randn(4, 3, scale=0.6)), ("train", randn(2, 3, scale=0.6))])
    write_cases(cases, "modules-encoding.json")


if __name__ == "__main__":
    main()
