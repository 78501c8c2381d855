#!/usr/bin/python3
"""Writes test/golden/modules-linattn.json: PyTorch (float64) re-implementations of the issue-14
layers of src/nn/linear-attention/ (linear attention, AFT-simple / AFT-full, GLA, DeltaNet, the
diagonal linear RNN, Aaren, modern Hopfield layers), the oracle that test/nn-golden.test.ts checks
to 1e-10. Each reference is written in the most direct form (the quadratic masked form, or the
plain recurrence), not the chunked one, and every chunked plexus config is checked against it.
Run offline from the repo root:
    /usr/bin/python3 scripts/golden/modules_linattn.py

Each module below has plexus' parameter names in plexus' order, so the state dicts map one to one.
"""
import math

import torch
import torch.nn as nn
import torch.nn.functional as F

from modules import case, randn, write_cases


def heads(x, h):
    b, l, d = x.shape
    return x.reshape(b, l, h, d // h).permute(0, 2, 1, 3)


def merge(x):
    b, h, l, d = x.shape
    return x.permute(0, 2, 1, 3).reshape(b, l, h * d)


def causal(l):
    return torch.tril(torch.ones(l, l, dtype=torch.bool))


class LinearAttention(nn.Module):
    def __init__(self, d, h=1, fmap="elu+1", eps=1e-6):
        super().__init__()
        self.q, self.k, self.v, self.out = (nn.Linear(d, d) for _ in range(4))
        self.h, self.eps = h, eps
        self.phi = {"elu+1": lambda x: F.elu(x) + 1, "relu": F.relu, "softplus": F.softplus}[fmap]

    def forward(self, x):
        q, k, v = (heads(m(x), self.h) for m in (self.q, self.k, self.v))
        q, k = self.phi(q), self.phi(k)
        a = (q @ k.transpose(-1, -2)) * causal(x.shape[1])
        return self.out(merge((a @ v) / (a.sum(-1, keepdim=True) + self.eps)))


class AFT(nn.Module):
    def __init__(self, d, max_len=None):
        super().__init__()
        self.q, self.k, self.v, self.out = (nn.Linear(d, d) for _ in range(4))
        if max_len is not None:
            self.posBias = nn.Parameter(torch.zeros(max_len, max_len))
        self.full = max_len is not None

    def forward(self, x):
        l = x.shape[1]
        k, v = self.k(x), self.v(x)
        w = self.posBias[:l, :l] if self.full else torch.zeros(l, l)
        # e[b, t, s, d] = exp(k_s + w_ts) for s <= t
        e = torch.exp(k[:, None, :, :] + w[None, :, :, None]) * causal(l)[None, :, :, None]
        y = (e * v[:, None]).sum(2) / e.sum(2)
        return self.out(torch.sigmoid(self.q(x)) * y)


class GLA(nn.Module):
    def __init__(self, d, h=1, rank=16, tau=16.0):
        super().__init__()
        self.q, self.k, self.v = (nn.Linear(d, d, bias=False) for _ in range(3))
        self.g = nn.Linear(d, d)
        self.gateDown = nn.Linear(d, rank, bias=False)
        self.gateUp = nn.Linear(rank, d)
        self.out = nn.Linear(d, d, bias=False)
        self.h, self.tau = h, tau

    def forward(self, x):
        q, k, v = (heads(m(x), self.h) for m in (self.q, self.k, self.v))
        alpha = heads(torch.exp(F.logsigmoid(self.gateUp(self.gateDown(x))) / self.tau), self.h)
        s = torch.zeros(q.shape[0], self.h, q.shape[3], v.shape[3])
        outs = []
        for t in range(x.shape[1]):
            s = alpha[:, :, t, :, None] * s + k[:, :, t, :, None] * v[:, :, t, None, :]
            outs.append(torch.einsum("bhd,bhde->bhe", q[:, :, t], s))
        o = F.layer_norm(torch.stack(outs, 2), (v.shape[3],))
        return self.out(merge(o) * F.silu(self.g(x)))


def l2norm(x):
    return x / torch.sqrt((x * x).sum(-1, keepdim=True) + 1e-12)


class DeltaNet(nn.Module):
    def __init__(self, d, h=1):
        super().__init__()
        self.q, self.k, self.v = (nn.Linear(d, d, bias=False) for _ in range(3))
        self.beta = nn.Linear(d, h)
        self.out = nn.Linear(d, d, bias=False)
        self.h = h

    def forward(self, x):
        q = l2norm(F.silu(heads(self.q(x), self.h)))
        k = l2norm(F.silu(heads(self.k(x), self.h)))
        v = heads(self.v(x), self.h)
        beta = torch.sigmoid(self.beta(x)).permute(0, 2, 1)  # [B, H, L]
        s = torch.zeros(q.shape[0], self.h, q.shape[3], v.shape[3])
        outs = []
        for t in range(x.shape[1]):
            kt = k[:, :, t]
            old = torch.einsum("bhd,bhde->bhe", kt, s)
            s = s + kt[..., None] * (beta[:, :, t, None] * (v[:, :, t] - old))[:, :, None, :]
            outs.append(torch.einsum("bhd,bhde->bhe", q[:, :, t], s))
        return self.out(merge(torch.stack(outs, 2)))


class DiagonalLinearRNN(nn.Module):
    def __init__(self, i, h, negative=True, norm=False):
        super().__init__()
        self.a, self.b = nn.Linear(i, h), nn.Linear(i, h)
        self.negative, self.norm = negative, norm

    def forward(self, x):
        a = torch.sigmoid(self.a(x))
        a = 2 * a - 1 if self.negative else a
        b = self.b(x)
        h = torch.zeros(x.shape[0], b.shape[2])
        outs = []
        for t in range(x.shape[1]):
            h = a[:, t] * h + b[:, t]
            outs.append(h)
        hs = torch.stack(outs, 1)
        if self.norm:
            hs = hs / torch.sqrt((hs * hs).mean(-1, keepdim=True) + torch.finfo(hs.dtype).eps)
        return hs


class Aaren(nn.Module):
    def __init__(self, d):
        super().__init__()
        self.k, self.v = nn.Linear(d, d), nn.Linear(d, d)
        self.query = nn.Parameter(torch.zeros(d))

    def forward(self, x):
        l = x.shape[1]
        s = (self.k(x) @ self.query) / math.sqrt(x.shape[2])  # [B, L]
        s = s[:, None, :].expand(-1, l, -1).masked_fill(~causal(l), float("-inf"))
        return torch.softmax(s, -1) @ self.v(x)


class Hopfield(nn.Module):
    def __init__(self, d, hidden=None, beta=None, project=True, steps=1):
        super().__init__()
        hidden = hidden or d
        self.beta = beta if beta is not None else 1 / math.sqrt(hidden)
        self.project, self.steps = project, steps
        if project:
            self.q, self.k = nn.Linear(d, hidden), nn.Linear(d, hidden)
            self.v, self.out = nn.Linear(d, d), nn.Linear(d, d)

    def forward(self, x):
        if self.project:
            return self.out(torch.softmax(self.beta * self.q(x) @ self.k(x).transpose(-1, -2), -1) @ self.v(x))
        xi = x
        for _ in range(self.steps):
            xi = torch.softmax(self.beta * xi @ x.transpose(-1, -2), -1) @ x
        return xi


class HopfieldPooling(nn.Module):
    def __init__(self, d, nq=1, hidden=None, beta=None):
        super().__init__()
        hidden = hidden or d
        self.beta = beta if beta is not None else 1 / math.sqrt(hidden)
        self.query = nn.Parameter(torch.zeros(nq, hidden))
        self.k, self.v = nn.Linear(d, hidden), nn.Linear(d, d)

    def forward(self, x):
        return torch.softmax(self.beta * self.query @ self.k(x).transpose(-1, -2), -1) @ self.v(x)


def main():
    f64 = {"dtype": "float64"}
    cases = {}
    seq = lambda: [("train", randn(2, 7, 4))]
    for mode, chunk in [("recurrent", 16), ("chunk", 3), ("chunk", 16)]:
        m = {"mode": mode, "chunkSize": chunk, **f64}
        tag = f"{mode}{chunk if mode == 'chunk' else ''}"
        cases[f"linearAttention_{tag}"] = case({"type": "LinearAttention", "dim": 4, "numHeads": 2, **m}, LinearAttention(4, 2), seq())
        cases[f"aftSimple_{tag}"] = case({"type": "AFTSimple", "dim": 4, **m}, AFT(4), seq())
        cases[f"aftFull_{tag}"] = case({"type": "AFTFull", "dim": 4, "maxSeqLen": 9, **m}, AFT(4, 9), seq())
        cases[f"gla_{tag}"] = case({"type": "GatedLinearAttention", "dim": 4, "numHeads": 2, "gateRank": 3, "gateTemperature": 4, **m},
                                   GLA(4, 2, 3, 4.0), seq())
        cases[f"deltaNet_{tag}"] = case({"type": "DeltaNet", "dim": 4, "numHeads": 2, **m}, DeltaNet(4, 2), seq())
    cases["linearAttention_softplus"] = case({"type": "LinearAttention", "dim": 4, "featureMap": "softplus", "chunkSize": 4, **f64},
                                             LinearAttention(4, 1, "softplus"), seq())
    cases["diagonalRnn_negative"] = case({"type": "DiagonalLinearRNN", "inputSize": 3, "hiddenSize": 4, **f64},
                                         DiagonalLinearRNN(3, 4), [("train", randn(2, 6, 3, scale=2.0))])
    cases["diagonalRnn_negative_recurrent"] = case({"type": "DiagonalLinearRNN", "inputSize": 3, "hiddenSize": 4, "mode": "recurrent", **f64},
                                                   DiagonalLinearRNN(3, 4), [("train", randn(2, 6, 3, scale=2.0))])
    cases["diagonalRnn_positive_norm"] = case({"type": "DiagonalLinearRNN", "inputSize": 3, "hiddenSize": 4, "negativeEigenvalues": False, "norm": True, **f64},
                                              DiagonalLinearRNN(3, 4, False, True), [("train", randn(2, 6, 3, scale=2.0))])
    for mode in ["scan", "recurrent"]:
        cases[f"aaren_{mode}"] = case({"type": "Aaren", "dim": 4, "mode": mode, **f64}, Aaren(4), [("train", randn(2, 11, 4, scale=2.0))])
    cases["hopfield"] = case({"type": "Hopfield", "dim": 4, "hiddenSize": 3, "beta": 0.7, **f64}, Hopfield(4, 3, 0.7), [("train", randn(2, 5, 4))])
    cases["hopfieldBare"] = case({"type": "Hopfield", "dim": 4, "project": False, "updateSteps": 2}, Hopfield(4, project=False, steps=2),
                                 [("train", randn(2, 5, 4))])
    cases["hopfieldPooling"] = case({"type": "HopfieldPooling", "dim": 4, "numQueries": 2, "hiddenSize": 3, **f64},
                                    HopfieldPooling(4, 2, 3), [("train", randn(2, 5, 4))])
    write_cases(cases, "modules-linattn.json")


if __name__ == "__main__":
    main()
