#!/usr/bin/python3
"""Writes test/fixtures/torch-lstm.safetensors: the state dict of a PyTorch (1.13) float32
nn.LSTM(3, 5, num_layers=2, bidirectional=True, batch_first=True) with its default init
(torch.manual_seed(7)), plus an input batch, the lengths of a packed run and PyTorch's outputs:
"expected.output", "expected.h_n", "expected.c_n" (full length) and "expected.packed_output",
"expected.packed_h_n", "expected.packed_c_n" (pack_padded_sequence(enforce_sorted=False), unpacked
with total_length = T). test/rnn-io.test.ts loads the weights into nn.LSTM with loadStateDict and
checks plexus gives the same numbers. Run offline from the repo root:
    /usr/bin/python3 scripts/golden/lstm_state_dict.py
The bytes are written by int64_state_dict.write (struct only; no safetensors package needed).
"""
import os

import torch
import torch.nn as nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

from int64_state_dict import write


def main():
    torch.manual_seed(7)
    lstm = nn.LSTM(3, 5, num_layers=2, bidirectional=True, batch_first=True)
    x = torch.randn(2, 6, 3)
    lengths = torch.tensor([6, 4], dtype=torch.int64)
    with torch.no_grad():
        out, (h, c) = lstm(x)
        packed, (ph, pc) = lstm(pack_padded_sequence(x, lengths, batch_first=True, enforce_sorted=False))
        pout, _ = pad_packed_sequence(packed, batch_first=True, total_length=6)
    tensors = dict(lstm.state_dict())
    tensors.update({"input": x, "lengths": lengths, "expected.output": out, "expected.h_n": h, "expected.c_n": c,
                    "expected.packed_output": pout, "expected.packed_h_n": ph, "expected.packed_c_n": pc})
    path = os.path.join(os.path.dirname(__file__), "..", "..", "test", "fixtures", "torch-lstm.safetensors")
    write(path, {k: v.detach().clone() for k, v in tensors.items()})
    print(f"wrote {path}: {len(tensors)} tensors")


if __name__ == "__main__":
    main()
