#!/usr/bin/env python3
"""Writes test/fixtures/torch-int64.safetensors: a PyTorch BatchNorm1d(3) state dict after two
training-mode forward passes (running_mean, running_var as F32, num_batches_tracked as I64 = 2, as
PyTorch stores it), plus integer labels as I64. The bytes follow the safetensors spec (u64 LE header
length, JSON header, data), written with struct so that only torch is needed, not the safetensors
package. Run offline: /usr/bin/python3 scripts/golden/int64_state_dict.py; the file is committed.

With --load FILE it instead reads a safetensors FILE (written by plexus) into torch tensors with
torch.frombuffer and loads its "bn.*" tensors into a fresh BatchNorm1d(3) with load_state_dict;
prints JSON {name: {"dtype", "values"}} and exits 1 on any failure (test/io-int64.test.ts uses it).
"""
import json
import os
import struct
import sys

import torch

TORCH_DTYPES = {"F32": torch.float32, "F64": torch.float64, "I32": torch.int32, "I64": torch.int64, "BOOL": torch.bool}
FILE_DTYPES = {v: k for k, v in TORCH_DTYPES.items()}


def write(path, tensors):
    header, data, at = {}, b"", 0
    for name in sorted(tensors, key=lambda n: (-tensors[n].element_size(), n)):
        t = tensors[name].contiguous()
        raw = t.numpy().tobytes()
        header[name] = {"dtype": FILE_DTYPES[t.dtype], "shape": list(t.shape), "data_offsets": [at, at + len(raw)]}
        data += raw
        at += len(raw)
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)) + text + data)


def read(path):
    with open(path, "rb") as f:
        b = f.read()
    (n,) = struct.unpack("<Q", b[:8])
    header = json.loads(b[8:8 + n])
    header.pop("__metadata__", None)
    out = {}
    for name, e in header.items():
        lo, hi = e["data_offsets"]
        chunk = bytearray(b[8 + n + lo:8 + n + hi])
        out[name] = torch.frombuffer(chunk, dtype=TORCH_DTYPES[e["dtype"]]).reshape(e["shape"]) if chunk else torch.zeros(e["shape"], dtype=TORCH_DTYPES[e["dtype"]])
    return out


def main():
    if len(sys.argv) == 3 and sys.argv[1] == "--load":
        tensors = read(sys.argv[2])
        bn = torch.nn.BatchNorm1d(3)
        bn.load_state_dict({k[3:]: v for k, v in tensors.items() if k.startswith("bn.")}, strict=True)
        assert bn.num_batches_tracked.dtype == torch.int64
        print(json.dumps({k: {"dtype": str(v.dtype), "values": v.flatten().tolist()} for k, v in tensors.items()}))
        return
    torch.manual_seed(0)
    bn = torch.nn.BatchNorm1d(3)
    bn.train()
    for _ in range(2):
        bn(torch.randn(8, 3))
    tensors = {f"bn.{k}": v.detach() for k, v in bn.state_dict().items()}
    tensors["labels"] = torch.tensor([0, 2, 1, 7, 2147483647, -2147483648], dtype=torch.int64)
    out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "test", "fixtures", "torch-int64.safetensors")
    write(out, tensors)
    print(json.dumps({k: {"dtype": str(v.dtype), "values": v.flatten().tolist()} for k, v in tensors.items()}))


if __name__ == "__main__":
    main()
