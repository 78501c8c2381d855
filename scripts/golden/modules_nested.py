#!/usr/bin/python3
"""Writes the PyTorch (1.13, float64) goldens of the nested / hypernetwork family (src/nn/mlp/nested.ts,
src/nn/mlp/hyper.ts, src/nn/functional-call.ts). Run offline from the repo root:
    /usr/bin/python3 scripts/golden/modules_nested.py

* test/golden/modules-nested.json: single-input cases in modules.json's format (test/nn-golden.test.ts
  runs them): Matryoshka (MRL, MRL-E) at a prefix and at the full size, SortedNet at several widths.
* test/golden/nested-extra.json: what takes more than one input (test/nn-nested.test.ts runs them):
  the MRL loss, HyperNetwork (plain and MIP) and functionalCall.

The modules below are independent PyTorch re-implementations of the plexus layers, written from the
papers' definitions, with the same state-dict keys.
"""
import math

import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.nn.utils.stateless import functional_call

from modules import G, arr, case, randn, randomize, state, write_cases, PlexusMLP

torch.set_default_dtype(torch.float64)


class Matryoshka(nn.Module):
    """MRL head: one Linear(m, C) per prefix m, or (efficient) one Linear(d, C) whose first m columns serve prefix m."""

    def __init__(self, nesting, classes, efficient=False, dim=None, importance=None):
        super().__init__()
        self.nesting, self.efficient = nesting, efficient
        self.dim = nesting[-1] if dim is None else dim
        self.importance = importance
        widths = [nesting[-1]] if efficient else nesting
        self.classifiers = nn.ModuleList([nn.Linear(m, classes) for m in widths])

    def at(self, x, m):
        if self.efficient:
            lin = self.classifiers[0]
            return x[..., :m] @ lin.weight[:, :m].t() + lin.bias
        return self.classifiers[self.nesting.index(m)](x[..., :m])

    def forward(self, x):
        return self.at(x, self.dim)

    def loss(self, x, y):
        c = self.importance or [1.0] * len(self.nesting)
        return sum(ci * F.cross_entropy(self.at(x, m), y) for ci, m in zip(c, self.nesting))


class SortedNet(nn.Module):
    """Sub-model of width w: every hidden layer keeps its first w units."""

    def __init__(self, sizes, width, act):
        super().__init__()
        self.layers = nn.ModuleList([nn.Linear(a, b) for a, b in zip(sizes[:-1], sizes[1:])])
        self.width, self.act = width, act

    def forward(self, x):
        last = len(self.layers) - 1
        for i, lin in enumerate(self.layers):
            rows = lin.out_features if i == last else self.width
            cols = lin.in_features if i == 0 else self.width
            x = F.linear(x, lin.weight[:rows, :cols], lin.bias[:rows])
            if i < last:
                x = self.act(x)
        return x


class HyperNetwork(nn.Module):
    """theta = [theta_0 +] h(E(z)) for every target parameter, then the target with theta (functional_call)."""

    def __init__(self, target, cond, hidden, encoding, additive, act):
        super().__init__()
        self.target = target
        self.encoding, self.additive = encoding, additive
        self.shapes = [(k, p.shape) for k, p in target.named_parameters()]
        total = sum(p.numel() for p in target.parameters())
        self.net = PlexusMLP([2 * cond if encoding == "cosSin" else cond, *hidden, total], act)
        if not additive:
            target.requires_grad_(False)

    def forward(self, x, z):
        e = torch.cat([torch.cos(math.pi / 2 * z), torch.sin(math.pi / 2 * z)]) if self.encoding == "cosSin" else z
        flat = self.net(e)
        own = dict(self.target.named_parameters())
        params, off = {}, 0
        for k, shape in self.shapes:
            n = int(torch.tensor(shape).prod())
            d = flat[off:off + n].reshape(shape)
            params[k] = own[k] + d if self.additive else d
            off += n
        return functional_call(self.target, params, (x,))


def grads_of(module, extra):
    out = {k: arr(v.grad) for k, v in extra.items()}
    for name, p in module.named_parameters():
        if p.grad is not None:
            out[name] = arr(p.grad)
    return out


def hyper_case(config, module, x, z):
    randomize(module)
    initial = state(module)
    x = x.clone().requires_grad_()
    z = z.clone().requires_grad_()
    y = module(x, z)
    r = randn(*y.shape)
    (y * r).sum().backward()
    return {"config": config, "state": initial, "x": arr(x), "z": arr(z), "upstream": arr(r), "output": arr(y),
            "grads": grads_of(module, {"x": x, "z": z})}


def loss_case(config, module, x, y):
    randomize(module)
    initial = state(module)
    x = x.clone().requires_grad_()
    loss = module.loss(x, y)
    loss.backward()
    return {"config": config, "state": initial, "x": arr(x), "y": arr(y), "loss": float(loss),
            "grads": grads_of(module, {"x": x})}


def functional_case(config, module, given_keys, x):
    randomize(module)
    initial = state(module)
    given = {k: randn(*dict(module.named_parameters())[k].shape).requires_grad_() for k in given_keys}
    x = x.clone().requires_grad_()
    y = functional_call(module, given, (x,))
    r = randn(*y.shape)
    (y * r).sum().backward()
    grads = {"x": arr(x.grad), **{f"given:{k}": arr(v.grad) for k, v in given.items()}}
    for name, p in module.named_parameters():
        if p.grad is not None:
            grads[name] = arr(p.grad)
    return {"config": config, "state": initial, "given": {k: arr(v) for k, v in given.items()}, "x": arr(x),
            "upstream": arr(r), "output": arr(y), "grads": grads}


def mlp_config(sizes, act):
    return {"type": "MLP", "sizes": sizes, "activation": act, "norm": None, "dropout": 0, "residual": False, "bias": True,
            "dtype": "float64"}


def main():
    f64 = {"dtype": "float64"}
    cases = {}
    nest = [2, 3, 5]
    # MRL-E at a prefix and at full size (MRL with one head per prefix leaves the other heads without
    # a gradient at any one prefix, which this format cannot state: its prefixes are checked through
    # the loss in nested-extra.json).
    for dim in (3, 5):
        cases[f"mrlEDim{dim}"] = case(
            {"type": "Matryoshka", "nestingList": nest, "numClasses": 4, "efficient": True, "dim": dim, **f64},
            Matryoshka(nest, 4, efficient=True, dim=dim), [("train", randn(6, 5)), ("eval", randn(2, 3, 5))])
    for width, act, name in ((2, nn.Tanh(), "tanh"), (4, nn.ReLU(), "relu"), (6, nn.GELU(), "gelu")):
        cases[f"sortedNetW{width}"] = case(
            {"type": "SortedNet", "sizes": [4, 6, 6, 3], "widths": [2, 4, 6], "width": width, "activation": name, "sample": False, **f64},
            SortedNet([4, 6, 6, 3], width, act), [("train", randn(5, 4)), ("eval", randn(2, 3, 4))])

    extra = {}
    extra["mrlLoss"] = loss_case(
        {"type": "Matryoshka", "nestingList": nest, "numClasses": 4, "relativeImportance": [0.5, 1.0, 2.0], **f64},
        Matryoshka(nest, 4, importance=[0.5, 1.0, 2.0]), randn(7, 5), torch.tensor([0, 1, 2, 3, 0, 1, 3]))
    extra["mrlELoss"] = loss_case(
        {"type": "Matryoshka", "nestingList": nest, "numClasses": 4, "efficient": True, **f64},
        Matryoshka(nest, 4, efficient=True), randn(7, 5), torch.tensor([3, 1, 2, 0, 0, 2, 3]))
    for enc in ("cosSin", "none"):
        for additive in (True, False):
            target_cfg = mlp_config([3, 4, 2], "tanh")
            cfg = {"type": "HyperNetwork", "target": target_cfg, "condSize": 2, "hidden": [5, 6], "encoding": enc,
                   "additive": additive, "activation": "leakyRelu", **f64}
            module = HyperNetwork(PlexusMLP([3, 4, 2], nn.Tanh()), 2, [5, 6], enc, additive, nn.LeakyReLU())
            extra[f"hyper_{enc}_{'additive' if additive else 'direct'}"] = hyper_case(cfg, module, randn(5, 3), torch.rand(2, generator=G))
    extra["functionalCallMLP"] = functional_case(mlp_config([3, 5, 2], "tanh"), PlexusMLP([3, 5, 2], nn.Tanh()),
                                                 ["layers.0.weight", "layers.1.bias"], randn(4, 3))

    write_cases(cases, "modules-nested.json")
    write_cases(extra, "nested-extra.json")


if __name__ == "__main__":
    main()
