"""PyTorch side of the weights round trip (test/torch-interop.test.ts).

Usage: /usr/bin/python3 scripts/torch_interop.py DIR

For each architecture below, the test writes DIR/<name>.plexus.safetensors (the state dict of a
plexus model in PyTorch's layout) and DIR/<name>.input.safetensors (x). This script:
  1. loads the plexus weights into the equivalent torch.nn.Sequential (strict load_state_dict), runs
     it in eval mode on x and writes DIR/<name>.torch_of_plexus.safetensors {"y": ...};
  2. builds a fresh torch model (seeded), writes its state_dict to DIR/<name>.torch.safetensors and
     its output on x to DIR/<name>.torch_out.safetensors, for plexus to load and compare.
Needs only the standard library, numpy and torch: safetensors is read and written here by hand
(8-byte little-endian header length, JSON header, raw little-endian data).
"""
import json
import struct
import sys

import numpy as np
import torch
from torch import nn

DTYPES = {"F64": np.float64, "F32": np.float32, "I64": np.int64, "I32": np.int32}
NAMES = {np.dtype(v): k for k, v in DTYPES.items()}


def read_safetensors(path):
    with open(path, "rb") as f:
        data = f.read()
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + n])
    body = data[8 + n:]
    out = {}
    for key, info in header.items():
        if key == "__metadata__":
            continue
        a, b = info["data_offsets"]
        arr = np.frombuffer(body[a:b], dtype=DTYPES[info["dtype"]]).reshape(info["shape"])
        out[key] = torch.from_numpy(arr.copy())
    return out


def write_safetensors(path, tensors):
    header, chunks, offset = {}, [], 0
    for key, t in tensors.items():
        # .contiguous().numpy() keeps 0-d tensors 0-d (np.ascontiguousarray would make them [1]).
        arr = t.detach().cpu().contiguous().numpy()
        raw = arr.astype(arr.dtype.newbyteorder("<"), copy=False).tobytes()
        header[key] = {"dtype": NAMES[arr.dtype], "shape": list(arr.shape), "data_offsets": [offset, offset + len(raw)]}
        chunks.append(raw)
        offset += len(raw)
    text = json.dumps(header).encode()
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)) + text + b"".join(chunks))


class RMSNorm(nn.Module):
    """torch >= 2.4's nn.RMSNorm (eps None = the dtype's machine epsilon); torch 1.13 has none."""

    def __init__(self, n):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(n, dtype=torch.float64))

    def forward(self, x):
        eps = torch.finfo(x.dtype).eps
        return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + eps) * self.weight


def architectures():
    d = torch.float64
    return {
        # plexus nn.MLP([5, 8, 8, 3], {norm: 'layer', activation: 'gelu', dropout: 0.1}).toSequential()
        "mlp_layernorm": lambda: nn.Sequential(
            nn.Linear(5, 8), nn.LayerNorm(8), nn.GELU(), nn.Dropout(0.1),
            nn.Linear(8, 8), nn.LayerNorm(8), nn.GELU(), nn.Dropout(0.1), nn.Linear(8, 3)).to(d),
        # plexus nn.MLP([5, 8, 3], {norm: 'rms', activation: 'silu'}).toSequential()
        "mlp_rmsnorm": lambda: nn.Sequential(nn.Linear(5, 8), RMSNorm(8), nn.SiLU(), nn.Linear(8, 3)).to(d),
        # plexus nn.MLP([5, 8, 3], {norm: 'batch', activation: 'tanh'}).toSequential(), eval mode
        "mlp_batchnorm": lambda: nn.Sequential(nn.Linear(5, 8), nn.BatchNorm1d(8), nn.Tanh(), nn.Linear(8, 3)).to(d),
        # plexus nn.Sequential(nn.Embedding(10, 4), nn.Linear(4, 3)); input: token ids
        "embedding": lambda: nn.Sequential(nn.Embedding(10, 4), nn.Linear(4, 3)).to(d),
    }


def randomize(model, seed):
    """Non-trivial values for every parameter and buffer (norm weights and running stats too)."""
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for name, p in model.state_dict().items():
            if p.dtype.is_floating_point:
                v = torch.rand(p.shape, generator=g, dtype=p.dtype)
                p.copy_(v + 0.5 if name.endswith("running_var") else v * 2 - 1)


def main(folder):
    for i, (name, make) in enumerate(architectures().items()):
        x = read_safetensors(f"{folder}/{name}.input.safetensors")["x"]
        if name == "embedding":
            x = x.long()
        model = make().eval()
        model.load_state_dict(read_safetensors(f"{folder}/{name}.plexus.safetensors"), strict=True)
        with torch.no_grad():
            write_safetensors(f"{folder}/{name}.torch_of_plexus.safetensors", {"y": model(x)})
        fresh = make().eval()
        randomize(fresh, 100 + i)
        write_safetensors(f"{folder}/{name}.torch.safetensors", fresh.state_dict())
        with torch.no_grad():
            write_safetensors(f"{folder}/{name}.torch_out.safetensors", {"y": fresh(x)})
    print("ok")


if __name__ == "__main__":
    main(sys.argv[1])
