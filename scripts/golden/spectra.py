#!/usr/bin/python3
"""Writes test/golden/spectra.json: the numpy reference for plexus's weight spectra
(src/analysis/spectra, checked by test/analysis-spectra.test.ts to 1e-6). Run offline from the repo root:
    /usr/bin/python3 scripts/golden/spectra.py

Cases:
* the three weight matrices of a small MLP [24, 80, 48, 10] trained here with torch (float64, Adam,
  a random teacher task), stored as a plexus state dict (keys layers.<i>.weight / .bias), so the test
  loads them into nn.MLP and runs analysis.weightSpectra on the model: "the same layer";
* an i.i.d. Gaussian matrix and a heavy-tailed (Student t, 3 degrees of freedom) one.

The reference follows WeightWatcher's conventions with the `powerlaw` package's continuous fit,
written out in numpy: eigenvalues of W^T W = squared singular values (LAPACK SVD); for each distinct
eigenvalue but the largest as xmin, alpha = 1 + n / sum(log(x / xmin)) over the tail x >= xmin and the
KS distance D = max |arange(n)/n - (1 - (x/xmin)^(1-alpha))|; the smallest D wins (first on a tie).
alpha_weighted = alpha log10(lambda_max), log_spectral_norm = log10(lambda_max), stable rank =
sum(lambda) / lambda_max, MP bulk edge sigma^2 (sqrt(N) + sqrt(M))^2 with sigma^2 = ||W||_F^2 / (N M).
Floats are written with repr (json.dumps), which round-trips float64 exactly.
"""
import json
import os

import numpy as np
import torch
import torch.nn as nn

torch.set_default_dtype(torch.float64)


def fit_powerlaw(ev):
    x = np.sort(ev[ev > ev.max() * max(ev.shape[0], 1) * 2.0 ** -52])
    best = None
    cands = np.unique(x)[:-1]
    for xmin in cands:
        t = x[x >= xmin]
        n = len(t)
        alpha = 1 + n / np.sum(np.log(t / xmin))
        D = np.max(np.abs(np.arange(n) / n - (1 - (t / xmin) ** (1 - alpha))))
        if best is None or D < best[2]:
            best = (alpha, xmin, D, n)
    return best


def spectrum(name, W):
    W = np.asarray(W, dtype=np.float64)
    rows, cols = W.shape
    sv = np.linalg.svd(W, compute_uv=False)
    ev = sv ** 2
    alpha, xmin, D, n = fit_powerlaw(ev)
    lmax = ev.max()
    sigma2 = np.sum(W * W) / (rows * cols)
    mp_max = sigma2 * (np.sqrt(rows) + np.sqrt(cols)) ** 2
    return {
        "name": name, "shape": [rows, cols],
        "eigenvalues": [float(v) for v in ev],
        "alpha": float(alpha), "xmin": float(xmin), "D": float(D), "n": int(n),
        "alphaWeighted": float(alpha * np.log10(lmax)), "logSpectralNorm": float(np.log10(lmax)),
        "stableRank": float(np.sum(ev) / lmax), "sigma2": float(sigma2), "mpLambdaMax": float(mp_max),
        "numSpikes": int(np.sum(ev > mp_max)),
    }


class MLP(nn.Module):
    def __init__(self, sizes):
        super().__init__()
        self.layers = nn.ModuleList([nn.Linear(a, b) for a, b in zip(sizes[:-1], sizes[1:])])

    def forward(self, x):
        for i, l in enumerate(self.layers):
            x = l(x)
            if i < len(self.layers) - 1:
                x = torch.relu(x)
        return x


def main():
    torch.manual_seed(20241203)
    sizes = [24, 80, 48, 10]
    model = MLP(sizes)
    teacher = MLP([24, 32, 10])
    x = torch.randn(512, 24)
    with torch.no_grad():
        y = teacher(x).argmax(1)
    opt = torch.optim.Adam(model.parameters(), lr=3e-3)
    for _ in range(400):
        opt.zero_grad()
        loss = nn.functional.cross_entropy(model(x), y)
        loss.backward()
        opt.step()
    state = {k: {"shape": list(v.shape), "values": [float(t) for t in v.detach().reshape(-1).tolist()]} for k, v in model.state_dict().items()}
    layers = [spectrum(f"layers.{i}.weight", l.weight.detach().numpy()) for i, l in enumerate(model.layers)]
    rng = np.random.default_rng(7)
    gauss = rng.standard_normal((120, 60))
    heavy = rng.standard_t(3, size=(100, 70))
    out = {
        "mlp": {"sizes": sizes, "finalLoss": float(loss), "state": state, "spectra": layers},
        "matrices": [
            {"values": [float(v) for v in gauss.reshape(-1)], **spectrum("gaussian", gauss)},
            {"values": [float(v) for v in heavy.reshape(-1)], **spectrum("student-t3", heavy)},
        ],
    }
    path = os.path.join(os.path.dirname(__file__), "..", "..", "test", "golden", "spectra.json")
    with open(path, "w") as f:
        json.dump(out, f)
    for s in layers + out["matrices"]:
        print(f"{s['name']:18s} {s['shape']} alpha {s['alpha']:.6f} xmin {s['xmin']:.6g} D {s['D']:.4f} n {s['n']} stable rank {s['stableRank']:.4f}")
    print(f"final training loss {float(loss):.4f}")


if __name__ == "__main__":
    main()
