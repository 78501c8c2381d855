#!/usr/bin/env python3
"""Independent reader for safetensors files, using only the standard library and numpy.

Why: a file plexus writes must be readable by other implementations, so the test suite checks it with
code that shares nothing with plexus' reader. This follows the format spec: u64 little-endian header
length N, N bytes of JSON header, then the data section; every tensor is read with np.frombuffer.

Usage: check_safetensors.py FILE
Prints one JSON object: {"metadata": {...}, "checksum": "ok"|"absent", "tensors": {name: {"dtype",
"shape", "hex", "values"}}} where "hex" is the tensor's bytes as numpy holds them (little-endian) and
"values" its elements as Python numbers (NaN/Inf as strings). Exits 1 with a message on any violation.
"""
import hashlib
import json
import struct
import sys

import numpy as np

DTYPES = {
    "BOOL": np.dtype("?"), "U8": np.dtype("u1"), "I8": np.dtype("i1"), "U16": np.dtype("<u2"),
    "I16": np.dtype("<i2"), "U32": np.dtype("<u4"), "I32": np.dtype("<i4"), "U64": np.dtype("<u8"),
    "I64": np.dtype("<i8"), "F16": np.dtype("<f2"), "F32": np.dtype("<f4"), "F64": np.dtype("<f8"),
}


def fail(msg):
    print(f"check_safetensors: {msg}", file=sys.stderr)
    sys.exit(1)


def no_duplicates(pairs):
    keys = [k for k, _ in pairs]
    if len(keys) != len(set(keys)):
        fail(f"duplicate keys {keys}")
    return dict(pairs)


def plain(x):
    if isinstance(x, float) and not np.isfinite(x):
        return str(x)
    return x


def main(path):
    raw = open(path, "rb").read()
    (n,) = struct.unpack("<Q", raw[:8])
    if 8 + n > len(raw):
        fail(f"header length {n} beyond file size {len(raw)}")
    if (8 + n) % 8 != 0:
        fail(f"data section starts at {8 + n}, not 8-byte aligned")
    header = json.loads(raw[8:8 + n].decode("utf-8"), object_pairs_hook=no_duplicates)
    data = raw[8 + n:]
    metadata = header.pop("__metadata__", {})
    spans = sorted((info["data_offsets"][0], info["data_offsets"][1], name) for name, info in header.items())
    at = 0
    for begin, end, name in spans:
        if begin != at or end < begin:
            fail(f"tensor {name}: offsets [{begin}, {end}] do not tile the data (expected begin {at})")
        at = end
    if at != len(data):
        fail(f"tensors cover {at} data bytes, the data section has {len(data)}")

    checksum = "absent"
    digest = metadata.get("plexus.sha256")
    if digest is not None:
        marker = b'"' + digest.encode("ascii") + b'"'
        if raw[:8 + n].count(marker) != 1:
            fail("plexus.sha256 not found exactly once in the header")
        pos = raw.index(marker) + 1
        zeroed = raw[:pos] + b"0" * 64 + raw[pos + 64:]
        if hashlib.sha256(zeroed).hexdigest() != digest:
            fail("plexus.sha256 does not match the file")
        checksum = "ok"

    tensors = {}
    for name, info in header.items():
        dt = DTYPES[info["dtype"]]
        shape = info["shape"]
        begin, end = info["data_offsets"]
        if int(np.prod(shape, dtype=np.int64)) * dt.itemsize != end - begin:
            fail(f"tensor {name}: shape {shape} x {dt.itemsize} != span {end - begin}")
        arr = np.frombuffer(data[begin:end], dtype=dt).reshape(shape)
        tensors[name] = {
            "dtype": info["dtype"],
            "shape": list(arr.shape),
            "hex": arr.tobytes().hex(),
            "values": [plain(v) for v in arr.reshape(-1).tolist()],
        }
    print(json.dumps({"metadata": metadata, "checksum": checksum, "tensors": tensors}))


if __name__ == "__main__":
    if len(sys.argv) != 2:
        fail("usage: check_safetensors.py FILE")
    main(sys.argv[1])
