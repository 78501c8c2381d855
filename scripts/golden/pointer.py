#!/usr/bin/python3
"""Writes test/golden/pointer.json: an independent PyTorch (1.13, float64) implementation of the
pointer network of Vinyals et al. 2015 (https://arxiv.org/abs/1506.03134) as nn.PointerNetwork
defines it (src/nn/pointer/network.ts): LSTM encoder over a packed (variable-length) batch, LSTM
decoder started from the encoder's final state with a learned start vector then the pointed inputs
(teacher forcing), u = v . tanh(W1 e_j + W2 d_i), masks for padding and (maskVisited) visited
positions, log-softmax over positions. The oracle for test/nn-pointer.test.ts: the log-probabilities
(-inf written as null), and the gradients of the summed target log-likelihood (nll, reduction sum)
with respect to the input and every parameter. Run offline from the repo root:
    /usr/bin/python3 scripts/golden/pointer.py
"""
import json
import os

import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

torch.set_default_dtype(torch.float64)
G = torch.Generator().manual_seed(20261203)


def arr(t):
    t = t.detach()
    return {"shape": list(t.shape), "values": [None if v == float("-inf") else float(v) for v in t.reshape(-1).tolist()]}


def case(F_in, H, x, lengths, target, mask_visited, closed):
    B, N, _ = x.shape
    M = target.shape[1]
    enc = nn.LSTM(F_in, H, batch_first=True)
    dec = nn.LSTM(F_in, H, batch_first=True)
    W1 = nn.Linear(H, H, bias=False)
    W2 = nn.Linear(H, H, bias=False)
    v = nn.Parameter(torch.randn(H, generator=G) * 0.5)
    start = nn.Parameter(torch.randn(F_in, generator=G) * 0.5)
    with torch.no_grad():
        for m in (enc, dec, W1, W2):
            for p in m.parameters():
                p.copy_(torch.randn(*p.shape, generator=G) * 0.5)
    params = {}
    for prefix, m in (("encoder", enc), ("decoder", dec), ("W1", W1), ("W2", W2)):
        for k, p in m.named_parameters():
            params[f"{prefix}.{k}"] = p
    params["v"] = v
    params["start"] = start
    x = x.clone().requires_grad_()
    packed = pack_padded_sequence(x, torch.tensor(lengths), batch_first=True, enforce_sorted=False)
    out, (h, c) = enc(packed)
    out, _ = pad_packed_sequence(out, batch_first=True, total_length=N)
    e1 = W1(out)
    prev = target[:, :-1].clamp(min=0)
    pointed = torch.stack([x[b, prev[b]] for b in range(B)]) if M > 1 else x[:, :0]
    dec_in = torch.cat([start.expand(B, 1, F_in), pointed], 1)
    d, _ = dec(dec_in, (h, c))
    u = torch.tanh(e1[:, None, :, :] + W2(d)[:, :, None, :]) @ v
    off = torch.zeros(B, M, N)
    for b in range(B):
        visited, first = set(), None
        for j in range(M):
            k = int(target[b, j])
            for q in range(N):
                blocked = q >= lengths[b] or (k != -100 and mask_visited and q in visited and not (closed and q == first))
                if blocked:
                    off[b, j, q] = float("-inf")
            if k != -100:
                first = k if first is None else first
                visited.add(k)
    logp = torch.log_softmax(u + off, -1)
    loss = F.nll_loss(logp.reshape(B * M, N), target.reshape(B * M).long(), ignore_index=-100, reduction="sum")
    loss.backward()
    return {
        "config": {"type": "PointerNetwork", "inputSize": F_in, "hiddenSize": H, "maskVisited": mask_visited, "closed": closed, "dtype": "float64"},
        "state": {k: arr(p) for k, p in params.items()},
        "input": arr(x), "lengths": lengths, "target": target.tolist(),
        "output": arr(logp), "loss": float(loss),
        "grads": {"input": arr(x.grad), **{k: arr(p.grad) for k, p in params.items()}},
    }


cases = {
    "maskVisited, lengths": case(2, 4, torch.rand(3, 5, 2, generator=G), [5, 3, 4],
                                 torch.tensor([[4, 0, 2, 1, 3], [1, 2, 0, -100, -100], [3, 0, 1, 2, -100]]), True, False),
    "closed": case(2, 3, torch.rand(2, 4, 2, generator=G), [4, 4],
                   torch.tensor([[1, 3, 2, 1, -100], [0, 2, 3, 1, 0]]), True, True),
    "open, no mask": case(1, 3, torch.rand(2, 3, 1, generator=G), [3, 2], torch.tensor([[2, 2, 0, 1], [1, 1, 0, -100]]), False, False),
}
path = os.path.join(os.path.dirname(__file__), "..", "..", "test", "golden", "pointer.json")
with open(path, "w") as f:
    json.dump({"torch": torch.__version__, "cases": cases}, f)
    f.write("\n")
print(f"wrote {path}: {len(cases)} cases")
