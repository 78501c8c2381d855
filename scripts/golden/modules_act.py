#!/usr/bin/python3
"""Writes test/golden/modules-act.json: PyTorch (float64) outputs and gradients of the activation
zoo and the Gaussian RBF layers, re-implemented here from their papers / reference code, for
test/nn-golden.test.ts. Run offline from the repo root:
    /usr/bin/python3 scripts/golden/modules_act.py

* Sine: sin(w0 x); SIREN: Sitzmann et al. 2020 (arXiv 2006.09661), explore_siren's SineLayer
  (sin(omega_0 * linear(x))) with a linear last layer;
* SPDER: sin(x) * sqrt(clamp(|x|, min=eps)) (Shah & Sitawarin 2023, arXiv 2306.15242);
* GCU: x * cos(x) (Noel et al. 2021, arXiv 2108.12943);
* PolyReLU / PolyNorm: Zhuo et al. 2024 (arXiv 2411.03884), the reference code's layout
  weight[0] * f(x^3) + weight[1] * f(x^2) + weight[2] * f(x) + bias;
* GaussianRBF / RBFNetwork: exp(-||x - c_k||^2 / (2 exp(logSigma_k)^2)), then a Linear read-out,
  with the distance as a plain broadcast difference (plexus uses the GEMM expansion: the 1e-10
  tolerance checks that the two agree);
* FeatureGrid / GaussianNeuralField: multilinear interpolation of a [R^d, F] grid as the sum over
  the 2^d cell corners, then GaussianRBF in feature space and a Linear (Bouzidi et al. 2025,
  arXiv 2503.06762).
"""

import torch
import torch.nn as nn

from modules import G, case, randn, write_cases

torch.set_default_dtype(torch.float64)


class Sine(nn.Module):
    def __init__(self, w0):
        super().__init__()
        self.w0 = w0

    def forward(self, x):
        return torch.sin(self.w0 * x)


def spder(x, eps=1e-6):
    return torch.sin(x) * torch.sqrt(torch.clamp(torch.abs(x), min=eps))


class SPDER(nn.Module):
    def __init__(self, eps=1e-6):
        super().__init__()
        self.eps = eps

    def forward(self, x):
        return spder(x, self.eps)


class GCU(nn.Module):
    def forward(self, x):
        return x * torch.cos(x)


class Siren(nn.Module):
    """plexus' nn.SIREN structure (layers.i.*), the reference forward."""

    def __init__(self, sizes, w0, first_w0, act="sine", outermost_linear=True):
        super().__init__()
        self.layers = nn.ModuleList([nn.Linear(a, b) for a, b in zip(sizes[:-1], sizes[1:])])
        self.w0, self.first_w0, self.act, self.outermost_linear = w0, first_w0, act, outermost_linear
        with torch.no_grad():
            for i, lin in enumerate(self.layers):
                n = lin.in_features
                bound = 1 / n if i == 0 else (6 / n) ** 0.5 / w0
                # Drawn from the seeded generator (weights and biases), so a re-run writes the same file.
                lin.weight.uniform_(-bound, bound, generator=G)
                lin.bias.uniform_(-n ** -0.5, n ** -0.5, generator=G)

    def forward(self, h):
        for i, lin in enumerate(self.layers):
            h = lin(h)
            if i == len(self.layers) - 1 and self.outermost_linear:
                break
            z = (self.first_w0 if i == 0 else self.w0) * h
            h = torch.sin(z) if self.act == "sine" else spder(z)
        return h


def _norm(u, eps):
    return u * torch.rsqrt(u.pow(2).mean(-1, keepdim=True) + eps)


class PolyReLU(nn.Module):
    def __init__(self, order=3):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(order) / order)
        self.bias = nn.Parameter(torch.zeros(1))

    def forward(self, x):
        r = torch.relu(x)
        n = self.weight.shape[0]
        return sum(self.weight[j] * r ** (n - j) for j in range(n)) + self.bias


class PolyNorm(nn.Module):
    def __init__(self, order=3, eps=1e-6):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(order) / order)
        self.bias = nn.Parameter(torch.zeros(1))
        self.eps = eps

    def forward(self, x):
        n = self.weight.shape[0]
        return sum(self.weight[j] * _norm(x ** (n - j), self.eps) for j in range(n)) + self.bias


class GaussianRBF(nn.Module):
    def __init__(self, d, k):
        super().__init__()
        self.centres = nn.Parameter(torch.zeros(k, d))
        self.logSigma = nn.Parameter(torch.zeros(k))

    def forward(self, x):
        d2 = ((x.unsqueeze(-2) - self.centres) ** 2).sum(-1)
        return torch.exp(-d2 / (2 * torch.exp(self.logSigma) ** 2))


class RBFNetwork(nn.Module):
    def __init__(self, d, k, out):
        super().__init__()
        self.rbf = GaussianRBF(d, k)
        self.readout = nn.Linear(k, out)

    def forward(self, x):
        return self.readout(self.rbf(x))


class FeatureGrid(nn.Module):
    """Dense grid [R^d, F] on [low, high]^d, multilinear interpolation as a sum over the 2^d corners."""

    def __init__(self, d, r, f, low=-1.0, high=1.0):
        super().__init__()
        self.weight = nn.Parameter(torch.zeros(r ** d, f))
        self.d, self.r, self.low, self.high = d, r, low, high

    def forward(self, x):
        d, r = self.d, self.r
        lead = x.shape[:-1]
        u = ((x.reshape(-1, d) - self.low) * ((r - 1) / (self.high - self.low))).clamp(0, r - 1)
        i0 = torch.floor(u.detach()).clamp(max=r - 2).long()
        t = u - i0
        out = 0
        for corner in range(2 ** d):
            w, row = 1, 0
            for a in range(d):
                bit = (corner >> (d - 1 - a)) & 1
                w = w * (t[:, a:a + 1] if bit else 1 - t[:, a:a + 1])
                row = row * r + i0[:, a] + bit
            out = out + w * self.weight[row]
        return out.reshape(*lead, -1)


class GaussianNeuralField(nn.Module):
    def __init__(self, d, r, f, k, out):
        super().__init__()
        self.grid = FeatureGrid(d, r, f)
        self.rbf = GaussianRBF(f, k)
        self.readout = nn.Linear(k, out)

    def forward(self, x):
        return self.readout(self.rbf(self.grid(x)))


def main():
    f64 = {"dtype": "float64"}
    cases = {}
    cases["sine"] = case({"type": "Sine", "w0": 3.5}, Sine(3.5), [("train", randn(4, 5))])
    # Values around 0 and one exact 0 and a value inside the floor: the clamp branch is exercised.
    x_spder = randn(3, 4, scale=2.0)
    x_spder[0, 0], x_spder[0, 1] = 0.0, 3e-7
    cases["spder"] = case({"type": "SPDER", "eps": 1e-6}, SPDER(), [("train", x_spder)])
    cases["spderEps"] = case({"type": "SPDER", "eps": 0.3}, SPDER(0.3), [("train", randn(3, 4, scale=0.5))])
    cases["gcu"] = case({"type": "GCU"}, GCU(), [("train", randn(2, 3, 4, scale=3.0))])
    cases["siren"] = case({"type": "SIREN", "sizes": [2, 6, 6, 3], "w0": 12.0, "firstW0": 20.0, **f64},
                          Siren([2, 6, 6, 3], 12.0, 20.0), [("train", randn(5, 2, scale=0.5))], randomize_params=False)
    cases["sirenSpderSineOut"] = case(
        {"type": "SIREN", "sizes": [3, 5, 2], "w0": 4.0, "firstW0": 6.0, "activation": "spder", "outermostLinear": False, **f64},
        Siren([3, 5, 2], 4.0, 6.0, act="spder", outermost_linear=False), [("train", randn(2, 4, 3, scale=0.5))],
        randomize_params=False)
    cases["polyRelu"] = case({"type": "PolyReLU", **f64}, PolyReLU(), [("train", randn(4, 6))])
    cases["polyReluOrder2"] = case({"type": "PolyReLU", "order": 2, **f64}, PolyReLU(2), [("train", randn(2, 3, 4))])
    cases["polyNorm"] = case({"type": "PolyNorm", **f64}, PolyNorm(), [("train", randn(4, 6, scale=1.5))])
    cases["polyNormOrder4"] = case({"type": "PolyNorm", "order": 4, "eps": 1e-3, **f64}, PolyNorm(4, 1e-3),
                                   [("train", randn(2, 3, 5))])
    cases["gaussianRbf"] = case({"type": "GaussianRBF", "inFeatures": 2, "numKernels": 5, **f64}, GaussianRBF(2, 5),
                                [("train", randn(6, 2))])
    cases["rbfNetwork"] = case({"type": "RBFNetwork", "inFeatures": 3, "numKernels": 4, "outFeatures": 2, **f64},
                               RBFNetwork(3, 4, 2), [("train", randn(2, 5, 3))])

    # Points inside cells, on the box edge, and outside it (clamped).
    x_grid = randn(6, 2, scale=0.6)
    x_grid[0, 0], x_grid[1, 1], x_grid[2, 0] = 1.0, -1.4, 1.7
    cases["featureGrid"] = case({"type": "FeatureGrid", "inFeatures": 2, "resolution": 4, "features": 3, **f64},
                                FeatureGrid(2, 4, 3), [("train", x_grid)])
    cases["featureGrid3d"] = case({"type": "FeatureGrid", "inFeatures": 3, "resolution": 3, "features": 2,
                                   "range": [0.0, 2.0], **f64},
                                  FeatureGrid(3, 3, 2, 0.0, 2.0), [("train", randn(2, 2, 3, scale=0.6, shift=1.0))])
    cases["gaussianNeuralField"] = case(
        {"type": "GaussianNeuralField", "inFeatures": 2, "resolution": 5, "features": 3, "numKernels": 4, "outFeatures": 2, **f64},
        GaussianNeuralField(2, 5, 3, 4, 2), [("train", randn(5, 2, scale=0.6))])

    write_cases(cases, "modules-act.json")


if __name__ == "__main__":
    main()
