#!/usr/bin/python3
"""Writes the PyTorch (1.13, float64) oracle of src/nn/attention/. Run offline from the repo root:
    /usr/bin/python3 scripts/golden/modules_attention.py

* test/golden/modules-attention.json (modules.json's format, checked by test/nn-golden.test.ts):
  TransformerBlock against nn.TransformerEncoderLayer(norm_first=True, batch_first=True,
  activation="gelu", dropout=0), with and without the causal mask (same state-dict keys).
* test/golden/attention-mha.json (checked by test/nn-attention-golden.test.ts, since a module with
  three inputs, masks and an (output, weights) pair does not fit that format): nn.MultiheadAttention
  outputs, attention weights and the gradients of the inputs and every parameter for
  loss = sum(output * R) + sum(weights * Rw), with key padding / causal / float masks, kdim/vdim,
  unbatched inputs, and grouped-/multi-query heads (numKVHeads < numHeads: PyTorch 1.13 has no such
  module, so `GQAttention` below writes the same math out with repeat_interleave'd key/value heads).

torch 1.13's MultiheadAttention has no is_causal: the causal cases pass the equivalent bool
attn_mask (true above the diagonal = not allowed) to torch and `isCausal: true` to plexus.
"""
import math

import torch
import torch.nn as nn
import torch.nn.functional as F

from modules import arr, case, randn, randomize, state, write_cases


def causal(L, S):
    return torch.ones(L, S, dtype=torch.bool).triu(1)


class CausalEncoderLayer(nn.TransformerEncoderLayer):
    """nn.TransformerEncoderLayer that always passes the causal mask (plexus' TransformerBlock default)."""

    def __init__(self, *a, causal_mask=True, **k):
        super().__init__(*a, **k)
        self.causal_mask = causal_mask

    def forward(self, x):
        L = x.shape[1]
        return super().forward(x, src_mask=causal(L, L) if self.causal_mask else None)


def block_cases():
    cases = {}
    for name, causal_mask, ff in [("causal", True, 32), ("bidirectional", False, 24)]:
        layer = CausalEncoderLayer(8, 2, dim_feedforward=ff, dropout=0.0, activation="gelu", batch_first=True,
                                   norm_first=True, causal_mask=causal_mask)
        cfg = {"type": "TransformerBlock", "dModel": 8, "numHeads": 2, "dimFeedforward": ff, "causal": causal_mask, "dtype": "float64"}
        cases[f"TransformerBlock {name}"] = case(cfg, layer, [("train", randn(2, 5, 8)), ("eval", randn(3, 4, 8))])
    return cases


class GQAttention(nn.Module):
    """Grouped-query attention with plexus' MultiheadAttention layout for numKVHeads < numHeads."""

    def __init__(self, E, H, Hkv, kdim=None, vdim=None, bias=True):
        super().__init__()
        d = E // H
        self.E, self.H, self.Hkv, self.d = E, H, Hkv, d
        self.q_proj_weight = nn.Parameter(torch.empty(E, E))
        self.k_proj_weight = nn.Parameter(torch.empty(Hkv * d, kdim or E))
        self.v_proj_weight = nn.Parameter(torch.empty(Hkv * d, vdim or E))
        self.in_proj_bias = nn.Parameter(torch.empty(E + 2 * Hkv * d)) if bias else None
        self.out_proj = nn.Linear(E, E, bias=bias)

    def forward(self, query, key, value, key_padding_mask=None, need_weights=True, attn_mask=None, average_attn_weights=True):
        # batch_first inputs [N, L, E]
        E, H, Hkv, d = self.E, self.H, self.Hkv, self.d
        b = self.in_proj_bias
        bq, bk, bv = (None, None, None) if b is None else (b[:E], b[E:E + Hkv * d], b[E + Hkv * d:])
        N, L, _ = query.shape
        S = key.shape[1]
        q = F.linear(query, self.q_proj_weight, bq).view(N, L, H, d).transpose(1, 2)
        k = F.linear(key, self.k_proj_weight, bk).view(N, S, Hkv, d).transpose(1, 2).repeat_interleave(H // Hkv, dim=1)
        v = F.linear(value, self.v_proj_weight, bv).view(N, S, Hkv, d).transpose(1, 2).repeat_interleave(H // Hkv, dim=1)
        scores = q @ k.transpose(-1, -2) / math.sqrt(d)
        if attn_mask is not None:
            scores = scores.masked_fill(attn_mask, float("-inf"))
        if key_padding_mask is not None:
            scores = scores.masked_fill(key_padding_mask[:, None, None, :], float("-inf"))
        P = scores.softmax(-1)
        o = (P @ v).transpose(1, 2).reshape(N, L, E)
        w = P.mean(1) if average_attn_weights else P
        return self.out_proj(o), (w if need_weights else None)


def mha_case(config, module, inputs, opts, torch_kw):
    """inputs: dict of query/key/value (+ masks); opts: the plexus forward options; torch_kw: torch's."""
    randomize(module)
    initial = state(module)
    module.zero_grad(set_to_none=True)
    q, k, v = (inputs[n].clone().requires_grad_() for n in ("query", "key", "value"))
    out, w = module(q, k, v, **torch_kw)
    r = randn(*out.shape)
    loss = (out * r).sum()
    rw = None
    if w is not None:
        rw = randn(*w.shape)
        loss = loss + (w * rw).sum()
    loss.backward()
    grads = {"query": arr(q.grad), "key": arr(k.grad), "value": arr(v.grad)}
    for name, p in module.named_parameters():
        grads[name] = arr(p.grad)
    masks = {}
    for n in ("keyPaddingMask", "attnMask"):
        if n in inputs:
            m = inputs[n]
            masks[n] = {"shape": list(m.shape), "dtype": "bool", "values": [bool(x) for x in m.reshape(-1).tolist()]} if m.dtype == torch.bool else arr(m)
    return {"config": config, "state": initial, "inputs": {n: arr(inputs[n]) for n in ("query", "key", "value")}, "masks": masks,
            "options": opts, "upstream": arr(r), "upstreamWeights": None if rw is None else arr(rw),
            "output": arr(out), "weights": None if w is None else arr(w), "grads": grads}


def mha_cases():
    E, H = 8, 2
    cfg = lambda **k: {"type": "MultiheadAttention", "embedDim": E, "numHeads": H, "dtype": "float64", **k}
    c = {}
    x = randn(5, 3, E)  # [L, N, E]
    c["self-attention [L,N,E], weights averaged"] = mha_case(cfg(), nn.MultiheadAttention(E, H), {"query": x, "key": x, "value": x}, {}, {})
    xb = randn(3, 5, E)
    kpm = torch.tensor([[False] * 5, [False, False, False, True, True], [False, True, False, False, False]])
    c["batchFirst, key padding + causal, per-head weights"] = mha_case(
        cfg(batchFirst=True), nn.MultiheadAttention(E, H, batch_first=True), {"query": xb, "key": xb, "value": xb, "keyPaddingMask": kpm},
        {"isCausal": True, "averageAttnWeights": False}, {"key_padding_mask": kpm, "attn_mask": causal(5, 5), "average_attn_weights": False})
    fm = randn(3 * H, 5, 5, scale=0.7)
    c["float attnMask [N*H,L,S]"] = mha_case(
        cfg(batchFirst=True), nn.MultiheadAttention(E, H, batch_first=True), {"query": xb, "key": xb, "value": xb, "attnMask": fm}, {}, {"attn_mask": fm})
    bm = torch.tensor([[False, True, False, True, False]] * 5)
    c["bool attnMask [L,S]"] = mha_case(
        cfg(batchFirst=True), nn.MultiheadAttention(E, H, batch_first=True), {"query": xb, "key": xb, "value": xb, "attnMask": bm}, {}, {"attn_mask": bm})
    qx, kx, vx = randn(4, 2, E), randn(6, 2, 5), randn(6, 2, 3)
    c["cross-attention kdim 5, vdim 3 (separate q/k/v_proj_weight)"] = mha_case(
        cfg(kdim=5, vdim=3), nn.MultiheadAttention(E, H, kdim=5, vdim=3), {"query": qx, "key": kx, "value": vx}, {}, {})
    u = randn(4, E)
    c["unbatched [L,E], no bias"] = mha_case(cfg(bias=False), nn.MultiheadAttention(E, H, bias=False), {"query": u, "key": u, "value": u}, {}, {})
    c["needWeights false (fused kernel), key padding"] = mha_case(
        cfg(batchFirst=True), nn.MultiheadAttention(E, H, batch_first=True), {"query": xb, "key": xb, "value": xb, "keyPaddingMask": kpm},
        {"needWeights": False}, {"key_padding_mask": kpm, "need_weights": False})
    for hkv, label in [(2, "GQA 4 heads / 2 kv heads"), (1, "MQA 4 heads / 1 kv head")]:
        for fused in (False, True):
            g = GQAttention(E, 4, hkv)
            opts = {"isCausal": True}
            kw = {"attn_mask": causal(5, 5), "key_padding_mask": kpm}
            if fused:
                opts["needWeights"] = False
                kw["need_weights"] = False
            c[f"{label}, causal + key padding{', fused' if fused else ''}"] = mha_case(
                {"type": "MultiheadAttention", "embedDim": E, "numHeads": 4, "numKVHeads": hkv, "batchFirst": True, "dtype": "float64"},
                g, {"query": xb, "key": xb, "value": xb, "keyPaddingMask": kpm}, opts, kw)
    return c


if __name__ == "__main__":
    write_cases(block_cases(), "modules-attention.json")
    write_cases(mha_cases(), "attention-mha.json")
