#!/usr/bin/python3
"""Writes test/golden/modules-glu.json: PyTorch (float64) re-implementations of the issue-12 layers
of src/nn/mlp/ (GLU family, bilinear, quadratic, gated perceptron, CRMSNorm, pre-norm residual MLP),
the oracle that test/nn-golden.test.ts checks to 1e-10. Run offline from the repo root:
    /usr/bin/python3 scripts/golden/modules_glu.py

Each module below has plexus' parameter names in plexus' order, so the state dicts map one to one.
"""
import math

import torch
import torch.nn as nn
import torch.nn.functional as F

from modules import case, randn, write_cases

GATES = {
    "sigmoid": torch.sigmoid, "gelu": F.gelu, "geluTanh": lambda x: F.gelu(x, approximate="tanh"),
    "silu": F.silu, "relu": F.relu, "identity": lambda x: x,
}


class GatedLinear(nn.Module):
    """gate(x W^T + b) * (x V^T + c)."""

    def __init__(self, i, o, gate, bias=True):
        super().__init__()
        self.w = nn.Linear(i, o, bias=bias)
        self.v = nn.Linear(i, o, bias=bias)
        self.gate = GATES[gate]

    def forward(self, x):
        return self.gate(self.w(x)) * self.v(x)


class GLUFeedForward(nn.Module):
    def __init__(self, i, h, o, gate, bias=True, out_bias=True):
        super().__init__()
        self.proj = GatedLinear(i, h, gate, bias)
        self.out = nn.Linear(h, o, bias=out_bias)

    def forward(self, x):
        return self.out(self.proj(x))


class QuadraticLinear(nn.Module):
    """(x Wr^T + br) * (x Wg^T + bg) + (x*x) Wb^T + bb (Fan et al.)."""

    def __init__(self, i, o):
        super().__init__()
        for name, shape in [("weightR", (o, i)), ("biasR", (o,)), ("weightG", (o, i)), ("biasG", (o,)),
                            ("weightB", (o, i)), ("biasB", (o,))]:
            self.register_parameter(name, nn.Parameter(torch.zeros(*shape)))

    def forward(self, x):
        r = F.linear(x, self.weightR, self.biasR)
        g = F.linear(x, self.weightG, self.biasG)
        return r * g + F.linear(x * x, self.weightB, self.biasB)


class GatedPerceptron(nn.Module):
    """x W^T + p(x) G^T + b, p(x)_j = prod of the inputs in products[j] (Larabi)."""

    def __init__(self, i, o, products, bias=True):
        super().__init__()
        self.products = products
        self.weight = nn.Parameter(torch.zeros(o, i))
        self.gateWeight = nn.Parameter(torch.zeros(o, len(products)))
        self.bias = nn.Parameter(torch.zeros(o)) if bias else None

    def forward(self, x):
        p = torch.stack([math.prod(x[..., k] for k in g) for g in self.products], dim=-1)
        return F.linear(x, self.weight, self.bias) + F.linear(p, self.gateWeight)


class CRMSNorm(nn.Module):
    """x / sqrt((sum x^2 + (sum x)^2) / (n + 1) + eps) * weight (Jiang et al.)."""

    def __init__(self, n, eps=None, affine=True):
        super().__init__()
        self.n, self.eps = n, eps
        self.weight = nn.Parameter(torch.ones(n)) if affine else None

    def forward(self, x):
        eps = self.eps if self.eps is not None else torch.finfo(x.dtype).eps
        s = x.sum(-1, keepdim=True)
        ms = ((x * x).sum(-1, keepdim=True) + s * s) / (self.n + 1)
        y = x / torch.sqrt(ms + eps)
        return y * self.weight if self.weight is not None else y


class RMSNorm(nn.Module):
    def __init__(self, n, eps):
        super().__init__()
        self.eps = eps
        self.weight = nn.Parameter(torch.ones(n))

    def forward(self, x):
        return x / torch.sqrt((x * x).mean(-1, keepdim=True) + self.eps) * self.weight


class Block(nn.Module):
    def __init__(self, norm, d, hidden):
        super().__init__()
        self.norm = norm
        self.fc1 = nn.Linear(d, hidden)
        self.fc2 = nn.Linear(hidden, d)

    def forward(self, h):
        return h + self.fc2(F.gelu(self.fc1(self.norm(h))))


class PreNormResidualMLP(nn.Module):
    def __init__(self, i, width, o, depth, hidden, norm, eps=1e-5):
        super().__init__()
        d = width - 1 if norm == "crms" else width
        make = {"layer": lambda: nn.LayerNorm(d, eps=eps), "rms": lambda: RMSNorm(d, eps),
                "crms": lambda: CRMSNorm(d, eps)}[norm]
        self.embed = nn.Linear(i, d)
        self.blocks = nn.ModuleList([Block(make(), d, hidden) for _ in range(depth)])
        self.norm = make()
        self.head = nn.Linear(d, o)

    def forward(self, x):
        h = self.embed(x)
        for b in self.blocks:
            h = b(h)
        return self.head(self.norm(h))


def main():
    f64 = {"dtype": "float64"}
    cases = {}
    cases["gluActivation"] = case({"type": "GLU", "dim": -1}, nn.GLU(-1), [("train", randn(4, 6))])
    cases["gluActivationDim1"] = case({"type": "GLU", "dim": 1}, nn.GLU(1), [("train", randn(2, 4, 3))])
    cases["gatedLinearSigmoid"] = case({"type": "GatedLinear", "inFeatures": 4, "outFeatures": 3, **f64},
                                       GatedLinear(4, 3, "sigmoid"), [("train", randn(5, 4))])
    cases["gatedLinearGeluTanh"] = case({"type": "GatedLinear", "inFeatures": 4, "outFeatures": 3, "gate": "geluTanh", **f64},
                                        GatedLinear(4, 3, "geluTanh"), [("train", randn(5, 4))])
    for typ, gate in [("GeGLU", "gelu"), ("SwiGLU", "silu"), ("ReGLU", "relu")]:
        cases[typ] = case({"type": typ, "inFeatures": 4, "outFeatures": 5, **f64}, GatedLinear(4, 5, gate),
                          [("train", randn(2, 3, 4))])
    cases["bilinearNoBias"] = case({"type": "BilinearGLU", "inFeatures": 4, "outFeatures": 3, "bias": False, **f64},
                                   GatedLinear(4, 3, "identity", bias=False), [("train", randn(6, 4))])
    cases["bilinearBias"] = case({"type": "BilinearGLU", "inFeatures": 4, "outFeatures": 3, **f64},
                                 GatedLinear(4, 3, "identity"), [("train", randn(6, 4))])
    cases["feedForwardSwiGLU"] = case(
        {"type": "GLUFeedForward", "inFeatures": 5, "hiddenFeatures": 7, "outFeatures": 3, "gate": "silu", "bias": False, **f64},
        GLUFeedForward(5, 7, 3, "silu", bias=False, out_bias=False), [("train", randn(4, 5))])
    cases["feedForwardBilinearHead"] = case(
        {"type": "GLUFeedForward", "inFeatures": 5, "hiddenFeatures": 6, "outFeatures": 2, "gate": "identity", "bias": False, "outBias": True, **f64},
        GLUFeedForward(5, 6, 2, "identity", bias=False, out_bias=True), [("train", randn(4, 5))])
    cases["quadraticLinear"] = case({"type": "QuadraticLinear", "inFeatures": 4, "outFeatures": 3, **f64},
                                    QuadraticLinear(4, 3), [("train", randn(5, 4)), ("eval", randn(2, 2, 4))])
    cases["gatedPerceptron"] = case({"type": "GatedPerceptron", "inFeatures": 3, "outFeatures": 2, **f64},
                                    GatedPerceptron(3, 2, [[0, 1, 2]]), [("train", randn(6, 3))])
    cases["gatedPerceptronPairs"] = case(
        {"type": "GatedPerceptron", "inFeatures": 3, "outFeatures": 2, "products": [[0, 1], [1, 2], [0, 2]], "bias": False, **f64},
        GatedPerceptron(3, 2, [[0, 1], [1, 2], [0, 2]], bias=False), [("train", randn(2, 4, 3))])
    cases["crmsNorm"] = case({"type": "CRMSNorm", "normalizedShape": [5], "eps": 1e-6, **f64}, CRMSNorm(5, 1e-6),
                             [("train", randn(4, 5, scale=2.0, shift=0.3))])
    cases["crmsNormNoAffineDefaultEps"] = case({"type": "CRMSNorm", "normalizedShape": [4], "elementwiseAffine": False},
                                               CRMSNorm(4, None, affine=False), [("train", randn(2, 3, 4))])
    for norm in ["layer", "rms", "crms"]:
        cases[f"preNormMLP_{norm}"] = case(
            {"type": "PreNormResidualMLP", "inFeatures": 4, "width": 6, "outFeatures": 3, "depth": 2, "hidden": 8, "norm": norm, **f64},
            PreNormResidualMLP(4, 6, 3, 2, 8, norm), [("train", randn(5, 4))])

    write_cases(cases, "modules-glu.json")


if __name__ == "__main__":
    main()
