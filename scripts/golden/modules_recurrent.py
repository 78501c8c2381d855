#!/usr/bin/python3
"""Writes test/golden/recurrent.json: PyTorch (1.13, float64) nn.RNN / nn.LSTM / nn.GRU
(stacked, bidirectional, batch_first, without bias, packed variable-length batches) and the three
cells, the oracle of test/rnn-golden.test.ts (1e-10 in float64, 1e-5 in float32). Run offline from
the repo root:
    /usr/bin/python3 scripts/golden/modules_recurrent.py

The recurrent modules take initial states and return (output, h_n) / (output, (h_n, c_n)), which
the single-input/single-output format of modules.json cannot express, so each case here holds:
* "config": the plexus config for nn.fromConfig; "state": the state dict (PyTorch's names);
* "input", "h0" / "c0" (absent: zeros), "lengths" (absent: full length; else packed with
  pack_padded_sequence(enforce_sorted=False) and unpacked with total_length = T);
* "outputs": {"output", "hN", "cN"} and "upstream" for each (the loss is sum(out * R) summed over
  them); "grads": of the input, h0, c0 and of every parameter (by state-dict key).
The file is not named modules-*.json, which test/nn-golden.test.ts would read in its own format.
"""
import torch
import torch.nn as nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

from modules import arr, randn, state, write_cases


def randomize(module, scale=0.5):
    with torch.no_grad():
        for p in module.parameters():
            p.copy_(randn(*p.shape, scale=scale))
    return module


def seq_case(config, module, x, h0=None, c0=None, lengths=None):
    randomize(module)
    initial = state(module)
    x = x.clone().requires_grad_()
    leaves = {"input": x}
    hx = None
    if h0 is not None:
        h0 = h0.clone().requires_grad_()
        leaves["h0"] = h0
        hx = h0
    if c0 is not None:
        c0 = c0.clone().requires_grad_()
        leaves["c0"] = c0
        hx = (h0, c0)
    batch_first = config.get("batchFirst", False)
    if lengths is None:
        inp = x
    else:
        inp = pack_padded_sequence(x, torch.tensor(lengths), batch_first=batch_first, enforce_sorted=False)
    out, hn = module(inp, hx)
    if lengths is not None:
        T = x.shape[1] if batch_first else x.shape[0]
        out, _ = pad_packed_sequence(out, batch_first=batch_first, total_length=T)
    outs = {"output": out}
    if isinstance(hn, tuple):
        outs["hN"], outs["cN"] = hn
    else:
        outs["hN"] = hn
    ups = {k: randn(*v.shape) for k, v in outs.items()}
    sum((v * ups[k]).sum() for k, v in outs.items()).backward()
    grads = {k: arr(v.grad) for k, v in leaves.items()}
    for name, p in module.named_parameters():
        grads[name] = arr(p.grad)
    c = {"config": config, "state": initial, "input": arr(x)}
    if h0 is not None:
        c["h0"] = arr(h0)
    if c0 is not None:
        c["c0"] = arr(c0)
    if lengths is not None:
        c["lengths"] = lengths
    c.update({"outputs": {k: arr(v) for k, v in outs.items()}, "upstream": {k: arr(v) for k, v in ups.items()}, "grads": grads})
    return c


def cell_case(config, module, x, h=None, c=None):
    randomize(module)
    initial = state(module)
    x = x.clone().requires_grad_()
    leaves = {"input": x}
    if h is not None:
        h = h.clone().requires_grad_()
        leaves["h0"] = h
    if c is not None:
        c = c.clone().requires_grad_()
        leaves["c0"] = c
    y = module(x, (h, c) if c is not None else h)
    outs = {"hN": y[0], "cN": y[1]} if isinstance(y, tuple) else {"hN": y}
    ups = {k: randn(*v.shape) for k, v in outs.items()}
    sum((v * ups[k]).sum() for k, v in outs.items()).backward()
    grads = {k: arr(v.grad) for k, v in leaves.items()}
    for name, p in module.named_parameters():
        grads[name] = arr(p.grad)
    out = {"config": config, "state": initial, "input": arr(x)}
    if h is not None:
        out["h0"] = arr(h)
    if c is not None:
        out["c0"] = arr(c)
    out.update({"outputs": {k: arr(v) for k, v in outs.items()}, "upstream": {k: arr(v) for k, v in ups.items()}, "grads": grads})
    return out


def main():
    torch.set_default_dtype(torch.float64)
    f64 = {"dtype": "float64"}
    T, B, I, H = 5, 3, 3, 4
    cases = {}
    cases["rnnTanh2Layers"] = seq_case({"type": "RNN", "inputSize": I, "hiddenSize": H, "numLayers": 2, **f64},
                                       nn.RNN(I, H, num_layers=2), randn(T, B, I), h0=randn(2, B, H))
    cases["rnnReluBidirBatchFirst"] = seq_case(
        {"type": "RNN", "inputSize": I, "hiddenSize": H, "nonlinearity": "relu", "bidirectional": True, "batchFirst": True, **f64},
        nn.RNN(I, H, nonlinearity="relu", bidirectional=True, batch_first=True), randn(B, T, I), h0=randn(2, B, H))
    cases["lstm2Layers"] = seq_case({"type": "LSTM", "inputSize": I, "hiddenSize": H, "numLayers": 2, **f64},
                                    nn.LSTM(I, H, num_layers=2), randn(T, B, I), h0=randn(2, B, H), c0=randn(2, B, H))
    cases["lstmBidir2LayersBatchFirst"] = seq_case(
        {"type": "LSTM", "inputSize": I, "hiddenSize": H, "numLayers": 2, "bidirectional": True, "batchFirst": True, **f64},
        nn.LSTM(I, H, num_layers=2, bidirectional=True, batch_first=True), randn(B, T, I), h0=randn(4, B, H), c0=randn(4, B, H))
    cases["lstmNoBiasZeroState"] = seq_case({"type": "LSTM", "inputSize": I, "hiddenSize": H, "bias": False, **f64},
                                            nn.LSTM(I, H, bias=False), randn(T, B, I))
    cases["gru2Layers"] = seq_case({"type": "GRU", "inputSize": I, "hiddenSize": H, "numLayers": 2, **f64},
                                   nn.GRU(I, H, num_layers=2), randn(T, B, I), h0=randn(2, B, H))
    cases["gruBidir2Layers"] = seq_case({"type": "GRU", "inputSize": I, "hiddenSize": H, "numLayers": 2, "bidirectional": True, **f64},
                                        nn.GRU(I, H, num_layers=2, bidirectional=True), randn(T, B, I), h0=randn(4, B, H))
    # Packed variable-length batches (unsorted lengths; one sequence at full length T).
    cases["lstmBidirLengths"] = seq_case(
        {"type": "LSTM", "inputSize": I, "hiddenSize": H, "numLayers": 2, "bidirectional": True, **f64},
        nn.LSTM(I, H, num_layers=2, bidirectional=True), randn(T, B, I), h0=randn(4, B, H), c0=randn(4, B, H), lengths=[2, 5, 3])
    cases["gruBidirLengthsBatchFirst"] = seq_case(
        {"type": "GRU", "inputSize": I, "hiddenSize": H, "bidirectional": True, "batchFirst": True, **f64},
        nn.GRU(I, H, bidirectional=True, batch_first=True), randn(B, T, I), h0=randn(2, B, H), lengths=[4, 1, 5])
    cases["rnnLengths"] = seq_case({"type": "RNN", "inputSize": I, "hiddenSize": H, "numLayers": 2, **f64},
                                   nn.RNN(I, H, num_layers=2), randn(T, B, I), lengths=[3, 5, 1])
    cases["rnnCellTanh"] = cell_case({"type": "RNNCell", "inputSize": I, "hiddenSize": H, **f64}, nn.RNNCell(I, H), randn(B, I), h=randn(B, H))
    cases["rnnCellReluUnbatched"] = cell_case({"type": "RNNCell", "inputSize": I, "hiddenSize": H, "nonlinearity": "relu", **f64},
                                              nn.RNNCell(I, H, nonlinearity="relu"), randn(I), h=randn(H))
    cases["lstmCell"] = cell_case({"type": "LSTMCell", "inputSize": I, "hiddenSize": H, **f64}, nn.LSTMCell(I, H), randn(B, I), h=randn(B, H), c=randn(B, H))
    cases["gruCell"] = cell_case({"type": "GRUCell", "inputSize": I, "hiddenSize": H, **f64}, nn.GRUCell(I, H), randn(B, I), h=randn(B, H))
    cases["gruCellNoBias"] = cell_case({"type": "GRUCell", "inputSize": I, "hiddenSize": H, "bias": False, **f64},
                                       nn.GRUCell(I, H, bias=False), randn(B, I))
    write_cases(cases, "recurrent.json")


if __name__ == "__main__":
    main()
