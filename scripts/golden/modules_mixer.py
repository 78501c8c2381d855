#!/usr/bin/python3
"""Writes test/golden/modules-mixer.json: PyTorch (float64) re-implementations of the MLP-family
modules of src/nn/mlp/ (MLPBlock, Affine, PatchEmbed, MetaFormerBlock with each token mixer,
MLPMixer, ResMLP, PoolFormer, HourglassMLP), their outputs and input/parameter gradients, for
test/nn-golden.test.ts (1e-10). Run offline from the repo root:
    /usr/bin/python3 scripts/golden/modules_mixer.py

The PyTorch side is written from the papers' definitions with torch's own ops: the patch embedding
is a strided F.conv2d (plexus: patchify + Linear), PoolFormer's mixer nn.AvgPool2d(3, 1, 1,
count_include_pad=False) (plexus: the avgPool2d composite), token mixing a transpose + Linear.
Parameter names and registration order follow plexus' state-dict keys.
"""

import torch
import torch.nn as nn
import torch.nn.functional as F

from modules import case, randn, write_cases

F64 = {"dtype": "float64"}


class Affine(nn.Module):
    def __init__(self, dim):
        super().__init__()
        self.alpha = nn.Parameter(torch.ones(dim))
        self.beta = nn.Parameter(torch.zeros(dim))

    def forward(self, x):
        return self.alpha * x + self.beta


def make_norm(name, dim):
    return {"layer": lambda: nn.LayerNorm(dim), "affine": lambda: Affine(dim), None: lambda: None}[name]()


class MLPBlock(nn.Module):
    """x + gamma * fc2(act(fc1(norm(x))))."""

    def __init__(self, dim, hidden, norm="layer", layer_scale=None, act=nn.GELU):
        super().__init__()
        self.norm = make_norm(norm, dim)
        self.fc1 = nn.Linear(dim, hidden)
        self.act = act()
        self.fc2 = nn.Linear(hidden, dim)
        self.gamma = None if layer_scale is None else nn.Parameter(torch.full((dim,), layer_scale))

    def forward(self, x):
        h = x if self.norm is None else self.norm(x)
        z = self.fc2(self.act(self.fc1(h)))
        return x + (z if self.gamma is None else self.gamma * z)


class PatchEmbed(nn.Module):
    """Conv2d(C, D, kernel=stride=p) holding its weight as plexus' Linear layout [D, C*p*p]."""

    def __init__(self, channels, patch, dim):
        super().__init__()
        self.c, self.p = channels, patch
        self.proj = nn.Linear(channels * patch * patch, dim)

    def forward(self, x):
        if x.dim() == 2:
            side = int(round((x.shape[1] / self.c) ** 0.5))
            x = x.reshape(x.shape[0], self.c, side, side)
        elif x.dim() == 3:
            x = x.unsqueeze(1)
        w = self.proj.weight.reshape(-1, self.c, self.p, self.p)
        return F.conv2d(x, w, self.proj.bias, stride=self.p).flatten(2).transpose(1, 2)


class MetaFormerBlock(nn.Module):
    def __init__(self, dim, tokens, mixer, token_hidden=None, channel_hidden=None, norm="layer", layer_scale=None, grid=None):
        super().__init__()
        self.mixer, self.grid = mixer, grid
        self.norm1 = make_norm(norm, dim)
        if mixer == "mlp":
            self.tokenFc1 = nn.Linear(tokens, token_hidden)
            self.tokenAct = nn.GELU()
            self.tokenFc2 = nn.Linear(token_hidden, tokens)
        elif mixer == "linear":
            self.tokenFc = nn.Linear(tokens, tokens)
        elif mixer == "pooling":
            self.pool = nn.AvgPool2d(3, 1, 1, count_include_pad=False)
        self.gamma1 = None if layer_scale is None else nn.Parameter(torch.full((dim,), layer_scale))
        self.mlp = MLPBlock(dim, channel_hidden, norm, layer_scale)

    def mix(self, h):
        if self.mixer == "identity":
            return h
        if self.mixer == "pooling":
            n, t, d = h.shape
            img = h.reshape(n, self.grid[0], self.grid[1], d).permute(0, 3, 1, 2)
            return (self.pool(img) - img).permute(0, 2, 3, 1).reshape(n, t, d)
        ht = h.transpose(1, 2)
        m = self.tokenFc2(self.tokenAct(self.tokenFc1(ht))) if self.mixer == "mlp" else self.tokenFc(ht)
        return m.transpose(1, 2)

    def forward(self, x):
        h = x if self.norm1 is None else self.norm1(x)
        m = self.mix(h)
        return self.mlp(x + (m if self.gamma1 is None else self.gamma1 * m))


class MetaFormer(nn.Module):
    def __init__(self, image, patch, dim, depth, classes, channels=1, **block):
        super().__init__()
        self.patchEmbed = PatchEmbed(channels, patch, dim)
        g = image // patch
        self.blocks = nn.ModuleList([MetaFormerBlock(dim, g * g, grid=(g, g), **block) for _ in range(depth)])
        self.norm = make_norm(block.get("norm", "layer"), dim)
        self.head = nn.Linear(dim, classes)

    def forward(self, x):
        h = self.patchEmbed(x)
        for b in self.blocks:
            h = b(h)
        return self.head(self.norm(h).mean(1))


class Hourglass(nn.Module):
    def __init__(self, inp, wide, narrow, depth, out):
        super().__init__()
        self.lift = nn.Linear(inp, wide)
        self.blocks = nn.ModuleList([MLPBlock(wide, narrow, norm=None) for _ in range(depth)])
        self.head = nn.Linear(wide, out)

    def forward(self, x):
        z = self.lift(x)
        for b in self.blocks:
            z = b(z)
        return self.head(z)


def main():
    torch.set_default_dtype(torch.float64)
    cases = {}
    cases["affine"] = case({"type": "Affine", "dim": 4, **F64}, Affine(4), [("train", randn(2, 3, 4))])
    cases["mlpBlock"] = case({"type": "MLPBlock", "dim": 4, "hidden": 8, **F64}, MLPBlock(4, 8), [("train", randn(5, 4))])
    cases["mlpBlockAffineLayerScale"] = case(
        {"type": "MLPBlock", "dim": 4, "hidden": 6, "norm": "affine", "layerScale": 0.1, **F64},
        MLPBlock(4, 6, "affine", 0.1), [("train", randn(2, 3, 4))])
    cases["mlpBlockNoNormNarrow"] = case({"type": "MLPBlock", "dim": 6, "hidden": 2, "norm": None, "activation": "relu", **F64},
                                         MLPBlock(6, 2, None, act=nn.ReLU), [("train", randn(4, 6))])
    cases["patchEmbed4d"] = case({"type": "PatchEmbed", "imageSize": 6, "patchSize": 3, "inChannels": 2, "embedDim": 5, **F64},
                                 PatchEmbed(2, 3, 5), [("train", randn(2, 2, 6, 6))])
    cases["patchEmbedFlat"] = case({"type": "PatchEmbed", "imageSize": [4, 4], "patchSize": 2, "inChannels": 1, "embedDim": 3, **F64},
                                   PatchEmbed(1, 2, 3), [("train", randn(3, 16)), ("train", randn(2, 4, 4))])
    blocks = {
        "mlp": ({"tokenHidden": 5}, {"token_hidden": 5}),
        "linear": ({"norm": "affine", "layerScale": 0.1}, {"norm": "affine", "layer_scale": 0.1}),
        "pooling": ({"layerScale": 0.5}, {"layer_scale": 0.5}),
        "identity": ({}, {}),
    }
    for mixer, (pcfg, tkw) in blocks.items():
        cases[f"metaFormerBlock_{mixer}"] = case(
            {"type": "MetaFormerBlock", "dim": 4, "numTokens": 9, "tokenMixer": mixer, "channelHidden": 6, **pcfg, **F64},
            MetaFormerBlock(4, 9, mixer, channel_hidden=6, grid=(3, 3), **tkw), [("train", randn(2, 9, 4))])
    common = {"imageSize": 8, "patchSize": 4, "dim": 4, "depth": 2, "numClasses": 3, "channelHidden": 6, **F64}
    cases["mlpMixer"] = case({"type": "MLPMixer", **common, "tokenHidden": 5},
                             MetaFormer(8, 4, 4, 2, 3, mixer="mlp", token_hidden=5, channel_hidden=6), [("train", randn(2, 64))])
    cases["resMLP"] = case({"type": "ResMLP", **common},
                           MetaFormer(8, 4, 4, 2, 3, mixer="linear", channel_hidden=6, norm="affine", layer_scale=0.1),
                           [("train", randn(2, 1, 8, 8))])
    pool = {**common, "patchSize": 2}
    cases["poolFormer"] = case({"type": "PoolFormer", **pool},
                               MetaFormer(8, 2, 4, 2, 3, mixer="pooling", channel_hidden=6, layer_scale=1e-5), [("train", randn(2, 8, 8))])
    cases["metaFormerRGB"] = case({"type": "MetaFormer", **common, "inChannels": 3, "tokenMixer": "linear", "norm": "layer"},
                                  MetaFormer(8, 4, 4, 2, 3, channels=3, mixer="linear", channel_hidden=6), [("train", randn(2, 3, 8, 8))])
    cases["hourglass"] = case({"type": "HourglassMLP", "inFeatures": 5, "wide": 8, "narrow": 3, "depth": 2, "outFeatures": 4, **F64},
                              Hourglass(5, 8, 3, 2, 4), [("train", randn(6, 5))])

    write_cases(cases, "modules-mixer.json")


if __name__ == "__main__":
    main()
