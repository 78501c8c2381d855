"""Helpers every PyTorch peer shares: bench/common.ts's mulberry32 generator (so both sides draw the
same inputs), which BLAS this torch runs on, the process's peak RSS, and one-JSON-line output."""
import json

import torch

from rss import peak_rss_mb  # noqa: F401 (re-exported for the peers)

M32 = 0xFFFFFFFF


def mulberry32(seed):
    """The JS generator with 32-bit wraparound made explicit (all its ops are mod 2^32)."""
    a = seed & M32

    def nxt():
        nonlocal a
        a = (a + 0x6D2B79F5) & M32
        t = ((a ^ (a >> 15)) * (1 | a)) & M32
        t = ((t + (((t ^ (t >> 7)) * (61 | t)) & M32)) & M32) ^ t
        return ((t ^ (t >> 14)) & M32) / 4294967296

    return nxt


def blas_in_use():
    # torch opens libblas.so.3 on its first BLAS call, not at import: a probe before it sees no BLAS.
    torch.mm(torch.ones(64, 64), torch.ones(64, 64))
    torch.mm(torch.ones(64, 64, dtype=torch.float64), torch.ones(64, 64, dtype=torch.float64))
    try:
        with open("/proc/self/maps") as f:
            maps = f.read()
    except OSError:
        return "?"
    if "openblas" in maps:
        return "openblas"
    if "libmkl" in maps:
        return "mkl"
    return "generic (" + next((s.split("=", 1)[1] for s in torch.__config__.show().replace(",", "\n").split() if s.startswith("BLAS_INFO=")), "?") + ", netlib unless libblas.so.3 is OpenBLAS)"




def emit(obj):
    print(json.dumps(obj), flush=True)
