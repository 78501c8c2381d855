#!/usr/bin/python3
"""Writes test/golden/modules.json: PyTorch (1.13, float64) outputs and gradients of nn layers, the
oracle for test/nn-golden.test.ts. Run offline from the repo root:
    /usr/bin/python3 scripts/golden/modules.py

Each case holds:
* "config": the plexus config ({type, ...}) the TS test passes to nn.fromConfig;
* "state": the module's initial state dict (weights drawn here from a seeded torch.Generator, not
  the layer's default init, so affine parameters are not the trivial ones/zeros);
* "steps": a sequence of forward+backward passes, each with the mode ("train"/"eval"), the input,
  an upstream gradient R (the loss is sum(output * R)), the output, the gradients of the input and of
  every parameter (by state-dict key; zeroed before each step), and the state dict after the step
  (this is where BatchNorm's running statistics are checked).

Every float is written with Python's repr (json.dumps), which round-trips float64 exactly.
"""
import json
import os

import torch
import torch.nn as nn

torch.set_default_dtype(torch.float64)
G = torch.Generator().manual_seed(20240604)


def randn(*shape, scale=1.0, shift=0.0):
    return torch.randn(*shape, generator=G) * scale + shift


def arr(t):
    t = t.detach()
    if t.dtype in (torch.int64, torch.int32):
        return {"shape": list(t.shape), "dtype": "int32", "values": [int(v) for v in t.reshape(-1).tolist()]}
    return {"shape": list(t.shape), "dtype": "float64", "values": [float(v) for v in t.reshape(-1).tolist()]}


def state(module):
    return {k: arr(v) for k, v in module.state_dict().items()}


def write_cases(cases, name):
    """Writes {"torch": version, "cases": cases} to test/golden/<name>; every golden script shares it
    so the files keep one format (json.dumps' repr floats, trailing newline)."""
    path = os.path.join(os.path.dirname(__file__), "..", "..", "test", "golden", name)
    with open(path, "w") as f:
        json.dump({"torch": torch.__version__, "cases": cases}, f)
        f.write("\n")
    print(f"wrote {path}: {len(cases)} cases")


def randomize(module, scale=0.5):
    """Non-trivial parameter values (weights around 1 for scales, around 0 for shifts)."""
    with torch.no_grad():
        for name, p in module.named_parameters():
            base = 1.0 if name.endswith("weight") and p.dim() == 1 and not isinstance(module, nn.PReLU) else 0.0
            p.copy_(randn(*p.shape, scale=scale, shift=base))
    return module


def step(module, mode, x):
    module.train(mode == "train")
    module.zero_grad(set_to_none=True)
    x = x.clone().requires_grad_()
    y = module(x)
    r = randn(*y.shape)
    (y * r).sum().backward()
    grads = {"input": arr(x.grad)}
    for name, p in module.named_parameters():
        grads[name] = arr(p.grad)
    return {"mode": mode, "input": arr(x), "upstream": arr(r), "output": arr(y), "grads": grads,
            "stateAfter": state(module)}


def case(config, module, runs, randomize_params=True):
    if randomize_params:
        randomize(module)
    initial = state(module)
    return {"config": config, "state": initial, "steps": [step(module, mode, x) for mode, x in runs]}


class PlexusMLP(nn.Module):
    """The structure of plexus' nn.MLP, with the same state-dict keys (layers.i.*, norms.i.*)."""

    def __init__(self, sizes, act, norm=None, residual=False):
        super().__init__()
        self.sizes = sizes
        self.layers = nn.ModuleList([nn.Linear(a, b) for a, b in zip(sizes[:-1], sizes[1:])])
        self.norms = None if norm is None else nn.ModuleList([norm(w) for w in sizes[1:-1]])
        self.act = act
        self.residual = residual

    def forward(self, h):
        for i, lin in enumerate(self.layers[:-1]):
            z = lin(h)
            if self.norms is not None:
                z = self.norms[i](z)
            z = self.act(z)
            h = h + z if self.residual and self.sizes[i] == self.sizes[i + 1] else z
        return self.layers[-1](h)


def main():
    cases = {}
    f64 = {"dtype": "float64"}
    cases["linear2d"] = case({"type": "Linear", "inFeatures": 4, "outFeatures": 3, **f64}, nn.Linear(4, 3),
                             [("train", randn(5, 4))])
    cases["linear3d"] = case({"type": "Linear", "inFeatures": 4, "outFeatures": 3, **f64}, nn.Linear(4, 3),
                             [("train", randn(2, 3, 4))])
    cases["linearNoBias"] = case({"type": "Linear", "inFeatures": 4, "outFeatures": 3, "bias": False, **f64},
                                 nn.Linear(4, 3, bias=False), [("train", randn(5, 4))])
    cases["layerNorm"] = case({"type": "LayerNorm", "normalizedShape": [4], **f64}, nn.LayerNorm(4),
                              [("train", randn(5, 4, scale=2.0, shift=0.5))])
    cases["layerNorm2d"] = case({"type": "LayerNorm", "normalizedShape": [3, 4], "eps": 1e-3, **f64},
                                nn.LayerNorm([3, 4], eps=1e-3), [("train", randn(2, 3, 4, scale=3.0))])
    cases["layerNormNoAffine"] = case({"type": "LayerNorm", "normalizedShape": [4], "elementwiseAffine": False, **f64},
                                      nn.LayerNorm(4, elementwise_affine=False), [("train", randn(3, 2, 4))])
    # BatchNorm: two training steps (running stats move twice), then eval with the running stats.
    bn_runs = lambda *shape: [("train", randn(*shape, scale=2.0, shift=1.0)), ("train", randn(*shape, scale=0.5, shift=-1.0)),
                              ("eval", randn(*shape))]
    cases["batchNorm"] = case({"type": "BatchNorm1d", "numFeatures": 3, **f64}, nn.BatchNorm1d(3), bn_runs(6, 3))
    cases["batchNorm3d"] = case({"type": "BatchNorm1d", "numFeatures": 3, "momentum": 0.3, "eps": 1e-3, **f64},
                                nn.BatchNorm1d(3, momentum=0.3, eps=1e-3), bn_runs(4, 3, 5))
    cases["batchNormCumulative"] = case({"type": "BatchNorm1d", "numFeatures": 2, "momentum": None, **f64},
                                        nn.BatchNorm1d(2, momentum=None), bn_runs(5, 2))
    cases["batchNormNoAffine"] = case({"type": "BatchNorm1d", "numFeatures": 3, "affine": False, **f64},
                                      nn.BatchNorm1d(3, affine=False), bn_runs(6, 3))
    cases["dropoutEval"] = case({"type": "Dropout", "p": 0.5}, nn.Dropout(0.5), [("eval", randn(4, 5))])
    cases["prelu"] = case({"type": "PReLU", "numParameters": 3, **f64}, nn.PReLU(3), [("train", randn(4, 3, 2))])
    cases["mlpLayerNormResidual"] = case(
        {"type": "MLP", "sizes": [5, 8, 8, 3], "activation": "gelu", "norm": "layer", "residual": True, **f64},
        PlexusMLP([5, 8, 8, 3], nn.GELU(), nn.LayerNorm, residual=True), [("train", randn(6, 5))])
    cases["mlpBatchNormTanh"] = case(
        {"type": "MLP", "sizes": [4, 6, 5, 2], "activation": "tanh", "norm": "batch", **f64},
        PlexusMLP([4, 6, 5, 2], nn.Tanh(), nn.BatchNorm1d), [("train", randn(7, 4)), ("eval", randn(3, 4))])

    write_cases(cases, "modules.json")


if __name__ == "__main__":
    main()
