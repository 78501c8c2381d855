#!/usr/bin/python3
"""Writes test/golden/optimizers.json: PyTorch's optimizers and learning-rate schedulers in float64,
the oracle for test/optim-golden.test.ts and test/optim-schedules.test.ts.
Run offline from the repo root:  /usr/bin/python3 scripts/golden/optimizers.py

Optimizers: a small model with two parameter tensors, W [3,4] and b [4], and the fixed loss
    loss(W, b) = mean((tanh(X @ W + b) - Y)^2)
with X [5,3], Y [5,4] and the initial W, b written into the JSON. For each configuration we take
three steps (zero_grad, loss, backward, step) and record W and b after every step.

Schedulers: an SGD (or Adam) over two param groups (lr 0.1 and 0.05); we record the lr of each
group at construction and after each of the following scheduler steps (PyTorch order: optimizer.step()
then scheduler.step()), and for OneCycleLR also the momentum / beta1 it writes into the groups.

Options are written with plexus's camelCase names so the TS test passes them through unchanged;
`snake()` maps them to PyTorch's keyword arguments here. Every float is written with Python's repr
(json.dumps), which round-trips float64 exactly.
"""
import json
import math
import os
import re

import torch

torch.set_default_dtype(torch.float64)
STEPS = 3
EPOCHS = 30


def snake(name):
    return re.sub(r"([A-Z])", lambda m: "_" + m.group(1).lower(), name)


def kwargs(options):
    out = {}
    for k, v in options.items():
        out[snake(k)] = tuple(v) if k == "betas" else v
    return out


def arr(t):
    t = t.detach()
    return {"shape": list(t.shape), "values": [float(v) for v in t.reshape(-1).tolist()]}


def problem():
    g = torch.Generator().manual_seed(20240611)
    x = torch.randn(5, 3, generator=g)
    y = torch.randn(5, 4, generator=g) * 0.5
    w = torch.randn(3, 4, generator=g) * 0.5
    b = torch.randn(4, generator=g) * 0.1
    return x, y, w, b


def loss_fn(x, y, w, b):
    return ((torch.tanh(x @ w + b) - y) ** 2).mean()


OPTIMIZERS = {
    "SGD": torch.optim.SGD,
    "Adam": torch.optim.Adam,
    "AdamW": torch.optim.AdamW,
    "RMSprop": torch.optim.RMSprop,
    "Adagrad": torch.optim.Adagrad,
}

# (name, optimizer, options, groups). groups: None for one group over [W, b], else a list of
# {"params": ["W"|"b", ...], **overrides}.
OPT_CONFIGS = [
    ("sgd", "SGD", {"lr": 0.1}, None),
    ("sgd_momentum", "SGD", {"lr": 0.1, "momentum": 0.9}, None),
    ("sgd_momentum_dampening", "SGD", {"lr": 0.1, "momentum": 0.9, "dampening": 0.3}, None),
    ("sgd_nesterov", "SGD", {"lr": 0.1, "momentum": 0.9, "nesterov": True}, None),
    ("sgd_weight_decay", "SGD", {"lr": 0.1, "momentum": 0.5, "weightDecay": 0.1}, None),
    ("sgd_maximize", "SGD", {"lr": 0.1, "weightDecay": 0.1, "maximize": True}, None),
    ("adam", "Adam", {"lr": 0.01}, None),
    ("adam_weight_decay", "Adam", {"lr": 0.01, "betas": [0.8, 0.99], "eps": 1e-6, "weightDecay": 0.1}, None),
    # beta2 = 0.5 lets the second moment fall between steps, so the running max actually matters.
    ("adam_amsgrad", "Adam", {"lr": 0.01, "betas": [0.9, 0.5], "amsgrad": True}, None),
    ("adam_maximize", "Adam", {"lr": 0.01, "maximize": True}, None),
    ("adam_groups", "Adam", {"lr": 0.01}, [{"params": ["W"], "lr": 0.02}, {"params": ["b"], "betas": [0.5, 0.9]}]),
    ("adamw", "AdamW", {"lr": 0.01, "weightDecay": 0.1}, None),
    ("adamw_amsgrad", "AdamW", {"lr": 0.01, "betas": [0.9, 0.5], "weightDecay": 0.5, "amsgrad": True}, None),
    ("rmsprop", "RMSprop", {"lr": 0.01}, None),
    ("rmsprop_centered_momentum", "RMSprop",
     {"lr": 0.01, "alpha": 0.9, "momentum": 0.8, "centered": True, "weightDecay": 0.05}, None),
    ("adagrad", "Adagrad", {"lr": 0.1}, None),
    ("adagrad_decay", "Adagrad",
     {"lr": 0.1, "lrDecay": 0.1, "weightDecay": 0.05, "initialAccumulatorValue": 0.2, "eps": 1e-8}, None),
]


def run_optimizer(name, opt_name, options, groups):
    x, y, w0, b0 = problem()
    w = w0.clone().requires_grad_()
    b = b0.clone().requires_grad_()
    named = {"W": w, "b": b}
    if groups is None:
        params = [w, b]
    else:
        params = [dict(kwargs({k: v for k, v in g.items() if k != "params"}), params=[named[p] for p in g["params"]])
                  for g in groups]
    opt = OPTIMIZERS[opt_name](params, **kwargs(options))
    trace = []
    for _ in range(STEPS):
        opt.zero_grad()
        loss = loss_fn(x, y, w, b)
        loss.backward()
        opt.step()
        trace.append({"loss": loss.item(), "W": arr(w), "b": arr(b)})
    out = {"name": name, "optimizer": opt_name, "options": options, "steps": trace}
    if groups is not None:
        out["groups"] = groups
    return out


def hf_cosine_warmup(warmup, total):
    """transformers.get_cosine_schedule_with_warmup's lambda (num_cycles = 0.5)."""
    def f(step):
        if step < warmup:
            return float(step) / float(max(1, warmup))
        progress = float(step - warmup) / float(max(1, total - warmup))
        return max(0.0, 0.5 * (1.0 + math.cos(math.pi * 0.5 * 2.0 * progress)))
    return f


S = torch.optim.lr_scheduler
# (name, scheduler, options, optimizer, optimizer options, metrics or None)
SCHED_CONFIGS = [
    ("step", "StepLR", {"stepSize": 7, "gamma": 0.5}, "SGD", {"momentum": 0.9}, None),
    ("multistep", "MultiStepLR", {"milestones": [5, 12, 20], "gamma": 0.3}, "SGD", {}, None),
    ("exponential", "ExponentialLR", {"gamma": 0.9}, "SGD", {}, None),
    ("cosine", "CosineAnnealingLR", {"tMax": 10, "etaMin": 0.01}, "SGD", {}, None),
    ("linear", "LinearLR", {"startFactor": 0.25, "totalIters": 8}, "SGD", {}, None),
    ("cosine_warmup", "CosineWarmupLR", {"warmupSteps": 5, "totalSteps": 30}, "SGD", {}, None),
    ("onecycle", "OneCycleLR", {"maxLr": 0.5, "totalSteps": 30}, "SGD", {"momentum": 0.9}, None),
    ("onecycle_three_phase_linear_adam", "OneCycleLR",
     {"maxLr": [0.5, 0.2], "totalSteps": 30, "threePhase": True, "annealStrategy": "linear",
      "baseMomentum": 0.8, "maxMomentum": 0.9}, "Adam", {}, None),
    ("onecycle_epochs_no_momentum", "OneCycleLR",
     {"maxLr": 0.3, "epochs": 3, "stepsPerEpoch": 10, "pctStart": 0.25, "divFactor": 10.0,
      "finalDivFactor": 100.0, "cycleMomentum": False}, "SGD", {}, None),
    ("plateau_min_rel", "ReduceLROnPlateau",
     {"factor": 0.5, "patience": 2, "threshold": 0.01, "cooldown": 1, "minLr": [0.01, 0.02]}, "SGD", {},
     [1.0, 0.9, 0.95, 0.899, 0.9, 0.91, 0.85, 0.86, 0.87, 0.88, 0.841, 0.84, 0.9, 0.9, 0.9,
      0.9, 0.9, 0.9, 0.5, 0.6, 0.7, 0.8, 0.9, 0.49, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5]),
    ("plateau_max_abs", "ReduceLROnPlateau",
     {"mode": "max", "thresholdMode": "abs", "threshold": 0.05, "factor": 0.3, "patience": 1}, "SGD", {},
     [0.1, 0.2, 0.22, 0.3, 0.34, 0.36, 0.5, 0.5, 0.5, 0.56, 0.6, 0.6, 0.6, 0.6, 0.6,
      0.7, 0.7, 0.7, 0.7, 0.7, 0.7, 0.7, 0.7, 0.7, 0.7, 0.7, 0.7, 0.7, 0.7, 0.7]),
]


def make_scheduler(kind, opt, options):
    o = kwargs(options)
    if kind == "StepLR":
        return S.StepLR(opt, step_size=o["step_size"], gamma=o["gamma"])
    if kind == "MultiStepLR":
        return S.MultiStepLR(opt, milestones=o["milestones"], gamma=o["gamma"])
    if kind == "ExponentialLR":
        return S.ExponentialLR(opt, gamma=o["gamma"])
    if kind == "CosineAnnealingLR":
        return S.CosineAnnealingLR(opt, T_max=options["tMax"], eta_min=o["eta_min"])
    if kind == "LinearLR":
        return S.LinearLR(opt, **o)
    if kind == "CosineWarmupLR":
        return S.LambdaLR(opt, hf_cosine_warmup(o["warmup_steps"], o["total_steps"]))
    if kind == "OneCycleLR":
        return S.OneCycleLR(opt, **o)
    if kind == "ReduceLROnPlateau":
        return S.ReduceLROnPlateau(opt, **o)
    raise ValueError(kind)


def momenta(opt):
    return [g["betas"][0] if "betas" in g else g["momentum"] for g in opt.param_groups]


def run_scheduler(name, kind, options, opt_name, opt_options, metrics):
    _, _, w0, b0 = problem()
    groups = [{"params": [w0.clone().requires_grad_()], "lr": 0.1},
              {"params": [b0.clone().requires_grad_()], "lr": 0.05}]
    opt = OPTIMIZERS[opt_name](groups, **kwargs(opt_options))
    sched = make_scheduler(kind, opt, options)
    track_momentum = kind == "OneCycleLR" and options.get("cycleMomentum", True)
    lrs = [[g["lr"] for g in opt.param_groups]]
    moms = [momenta(opt)]
    n = len(metrics) if metrics is not None else EPOCHS - 1
    for k in range(n):
        opt.step()  # no gradients: a no-op that keeps PyTorch's call-order check quiet
        if metrics is not None:
            sched.step(metrics[k])
        else:
            sched.step()
        lrs.append([g["lr"] for g in opt.param_groups])
        moms.append(momenta(opt))
    out = {"name": name, "scheduler": kind, "options": options, "optimizer": opt_name,
           "optimizerOptions": opt_options, "groupLrs": [0.1, 0.05], "lrs": lrs}
    if metrics is not None:
        out["metrics"] = metrics
    if track_momentum:
        out["momentum"] = moms
    return out


def main():
    x, y, w, b = problem()
    optimizers = [run_optimizer(*c) for c in OPT_CONFIGS]
    # Guard the premise of the amsgrad configs: the max must change the result.
    plain = run_optimizer("x", "Adam", {"lr": 0.01, "betas": [0.9, 0.5]}, None)
    assert plain["steps"][-1]["W"] != optimizers[8]["steps"][-1]["W"], "amsgrad config does not exercise the max"
    doc = {
        "generator": "scripts/golden/optimizers.py",
        "torch": torch.__version__,
        "dtype": "float64",
        "loss": "mean((tanh(X @ W + b) - Y)^2)",
        "problem": {"X": arr(x), "Y": arr(y), "W": arr(w), "b": arr(b)},
        "optimizers": optimizers,
        "schedulers": [run_scheduler(*c) for c in SCHED_CONFIGS],
    }
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    path = os.path.join(root, "test", "golden", "optimizers.json")
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        json.dump(doc, f, indent=1)
        f.write("\n")
    print("wrote", path)


if __name__ == "__main__":
    main()
