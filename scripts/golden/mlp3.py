#!/usr/bin/python3
"""Writes test/golden/mlp3.json: small MLPs computed by PyTorch in float64, the oracle for
test/golden-mlp.test.ts. Run offline from the repo root:  /usr/bin/python3 scripts/golden/mlp3.py

Two models, both with fixed weights drawn from torch.manual_seed and written into the JSON (so the
TS test never re-derives them and needs no RNG agreement with PyTorch):

* "classifier": 5 -> 7 (tanh) -> 6 (relu) -> 5 (gelu, exact erf) -> 4 logits, biases everywhere,
  int targets; cross-entropy (mean) and cross-entropy with label_smoothing=0.1, each with the
  gradients of every parameter and of the input.
* "regressor": 5 -> 7 (sigmoid) -> 6 (softplus) -> 5 (elu) -> 4, MSE (mean) against float targets.

Weights use PyTorch's nn.Linear layout [out, in]: y = x @ W.T + b.
Every float is written with Python's repr (json.dumps), which round-trips float64 exactly.
"""
import json
import os

import torch
import torch.nn.functional as F

torch.set_default_dtype(torch.float64)
SIZES = [5, 7, 6, 5, 4]
BATCH = 8


def arr(t):
    """{shape, values}: plain row-major numbers, the layout the TS side reads."""
    t = t.detach()
    return {"shape": list(t.shape), "values": [float(v) for v in t.reshape(-1).tolist()]}


def iarr(t):
    return {"shape": list(t.shape), "values": [int(v) for v in t.reshape(-1).tolist()]}


def make_params(seed):
    g = torch.Generator().manual_seed(seed)
    params = []
    for fan_in, fan_out in zip(SIZES[:-1], SIZES[1:]):
        # Scaled so pre-activations land on the curved parts of tanh/gelu/sigmoid, not saturated.
        w = torch.randn(fan_out, fan_in, generator=g) / fan_in ** 0.5
        b = torch.randn(fan_out, generator=g) * 0.3
        params.append((w.requires_grad_(), b.requires_grad_()))
    x = torch.randn(BATCH, 5, generator=g).requires_grad_()
    return g, params, x


def forward(x, params, acts):
    h = x
    for i, ((w, b), act) in enumerate(zip(params, acts + [None])):
        z = F.linear(h, w, b)
        if act is not None:
            # relu at an exact kink would make the golden gradient convention-dependent.
            assert (z.abs() > 1e-6).all(), f"pre-activation {i} too close to 0"
        h = z if act is None else act(z)
    return h


def grads_of(loss, params, x):
    leaves = [t for wb in params for t in wb] + [x]
    gs = torch.autograd.grad(loss, leaves, retain_graph=True)
    out = {"input": arr(gs[-1]), "layers": []}
    for i in range(len(params)):
        out["layers"].append({"weight": arr(gs[2 * i]), "bias": arr(gs[2 * i + 1])})
    return out


def layers_json(params):
    return [{"weight": arr(w), "bias": arr(b)} for w, b in params]


def classifier():
    g, params, x = make_params(1234)
    target = torch.randint(0, 4, (BATCH,), generator=g)
    acts = [torch.tanh, torch.relu, lambda z: F.gelu(z, approximate="none")]
    logits = forward(x, params, acts)
    ce = F.cross_entropy(logits, target)
    ce_ls = F.cross_entropy(logits, target, label_smoothing=0.1)
    return {
        "activations": ["tanh", "relu", "gelu"],
        "input": arr(x),
        "target": iarr(target),
        "layers": layers_json(params),
        "logits": arr(logits),
        "crossEntropy": {"loss": ce.item(), "grads": grads_of(ce, params, x)},
        "crossEntropyLabelSmoothing": {
            "labelSmoothing": 0.1,
            "loss": ce_ls.item(),
            "grads": grads_of(ce_ls, params, x),
        },
    }


def regressor():
    g, params, x = make_params(5678)
    target = torch.randn(BATCH, 4, generator=g)
    acts = [torch.sigmoid, F.softplus, F.elu]
    out = forward(x, params, acts)
    loss = F.mse_loss(out, target)
    return {
        "activations": ["sigmoid", "softplus", "elu"],
        "input": arr(x),
        "target": arr(target),
        "layers": layers_json(params),
        "output": arr(out),
        "mse": {"loss": loss.item(), "grads": grads_of(loss, params, x)},
    }


def main():
    doc = {
        "generator": "scripts/golden/mlp3.py",
        "torch": torch.__version__,
        "dtype": "float64",
        "layout": "weights are [out, in] (nn.Linear); y = x @ W.T + b",
        "classifier": classifier(),
        "regressor": regressor(),
    }
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    path = os.path.join(root, "test", "golden", "mlp3.json")
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        json.dump(doc, f, indent=1)
        f.write("\n")
    print("wrote", path)


if __name__ == "__main__":
    main()
