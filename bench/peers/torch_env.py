#!/usr/bin/python3
"""The PyTorch side of `npm run bench`'s env line (bench/env.ts): this torch's version, the BLAS the
process loaded (peer_common.blas_in_use) and its default thread count, as one JSON line."""
import torch
from peer_common import blas_in_use, emit

emit({"lib": "torch", "version": torch.__version__, "blas": blas_in_use(), "threads": torch.get_num_threads()})
