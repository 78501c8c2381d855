/**
 * @file PyTorch-compatible weights, both ways (scripts/torch_interop.py on /usr/bin/python3 with
 * torch; skipped with the reason when torch is absent). Linear, LayerNorm, RMSNorm, BatchNorm1d and
 * Embedding keep PyTorch's parameter names and layouts, and `MLP.toSequential()` gives the
 * `torch.nn.Sequential` key order, so:
 * - plexus -> PyTorch: the plexus state dict saved as safetensors loads into the torch Sequential
 *   with strict=True and gives plexus's outputs (float64, 1e-12);
 * - PyTorch -> plexus: a torch state dict saved as safetensors loads into the plexus model
 *   (through toSequential, which shares its parameters) and gives torch's outputs.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as px from '../src/node.js';
import type { Module } from '../src/nn/module.js';
import type { Tensor } from '../src/core/tensor.js';

const { nn, io } = px;
const SCRIPT = fileURLToPath(new URL('../../scripts/torch_interop.py', import.meta.url));

function torchMissing(): string | null {
  try {
    execFileSync('/usr/bin/python3', ['-c', 'import torch, numpy'], { stdio: 'pipe' });
    return null;
  } catch {
    return '/usr/bin/python3 has no torch/numpy (apt-get install python3-torch python3-numpy); the PyTorch round trip did not run';
  }
}

interface Case {
  /** The plexus model; `weights` is the module whose state dict has PyTorch's keys. */
  model: Module;
  weights: Module;
  x: Tensor;
}

function cases(): Record<string, Case> {
  px.manualSeed(7);
  const d = 'float64' as const;
  const ln = new nn.MLP([5, 8, 8, 3], { norm: 'layer', activation: 'gelu', dropout: 0.1, dtype: d });
  const rms = new nn.MLP([5, 8, 3], { norm: 'rms', activation: 'silu', dtype: d });
  const bn = new nn.MLP([5, 8, 3], { norm: 'batch', activation: 'tanh', dtype: d });
  // Non-trivial running statistics, so eval mode's use of them is checked.
  bn.train();
  for (let i = 0; i < 3; i++) px.noGrad(() => bn.forward(px.randn([16, 5], { dtype: d })));
  const emb = new nn.Sequential(new nn.Embedding(10, 4, { dtype: d }), new nn.Linear(4, 3, { dtype: d }));
  const x = px.randn([6, 5], { dtype: d });
  return {
    mlp_layernorm: { model: ln, weights: ln.toSequential(), x },
    mlp_rmsnorm: { model: rms, weights: rms.toSequential(), x },
    mlp_batchnorm: { model: bn, weights: bn.toSequential(), x },
    embedding: { model: emb, weights: emb, x: px.tensor([[1, 2, 3], [9, 0, 4]], { dtype: 'int32' }) },
  };
}

function maxDiff(a: Tensor, b: Tensor): number {
  assert.deepEqual(a.shape, b.shape);
  let m = 0;
  const av = a.values as ArrayLike<number>;
  const bv = b.values as ArrayLike<number>;
  for (let i = 0; i < av.length; i++) m = Math.max(m, Math.abs(av[i]! - bv[i]!));
  return m;
}

describe('PyTorch-compatible weights (scripts/torch_interop.py)', () => {
  const missing = torchMissing();
  let dir = '';
  let all: Record<string, Case> = {};

  before(async () => {
    if (missing) {
      console.log(`# SKIP ${missing}`);
      return;
    }
    dir = mkdtempSync(path.join(os.tmpdir(), 'plexus-torch-'));
    all = cases();
    for (const [name, c] of Object.entries(all)) {
      c.model.eval();
      await io.saveSafetensors(path.join(dir, `${name}.plexus.safetensors`), c.weights.stateDict());
      await io.saveSafetensors(path.join(dir, `${name}.input.safetensors`), new Map([['x', c.x]]));
    }
    execFileSync('/usr/bin/python3', [SCRIPT, dir], { stdio: 'pipe' });
  });
  after(() => { if (dir) rmSync(dir, { recursive: true, force: true }); });

  for (const name of ['mlp_layernorm', 'mlp_rmsnorm', 'mlp_batchnorm', 'embedding']) {
    it(`${name}: plexus weights load into torch (strict) and give plexus's outputs`, async (t) => {
      if (missing) return t.skip(missing);
      const c = all[name]!;
      const y = px.noGrad(() => c.model.forward(c.x));
      const torchY = (await io.loadSafetensors(path.join(dir, `${name}.torch_of_plexus.safetensors`))).tensors.get('y')!;
      const e = maxDiff(y, torchY);
      console.log(`# ${name} plexus -> torch: max |diff| ${e.toExponential(2)}`);
      assert.ok(e <= 1e-12, `${name}: ${e}`);
    });

    it(`${name}: torch weights load into plexus and give torch's outputs`, async (t) => {
      if (missing) return t.skip(missing);
      const c = all[name]!;
      const before = c.weights.stateDict();
      const { tensors } = await io.loadSafetensors(path.join(dir, `${name}.torch.safetensors`));
      assert.deepEqual([...tensors.keys()].sort(), [...before.keys()].sort(), 'same keys as the torch state_dict');
      c.weights.loadStateDict(tensors);
      const y = px.noGrad(() => c.model.forward(c.x));
      const torchY = (await io.loadSafetensors(path.join(dir, `${name}.torch_out.safetensors`))).tensors.get('y')!;
      const e = maxDiff(y, torchY);
      console.log(`# ${name} torch -> plexus: max |diff| ${e.toExponential(2)}`);
      assert.ok(e <= 1e-12, `${name}: ${e}`);
    });
  }

  it('toSequential shares the MLP parameters and refuses a residual MLP', () => {
    const m = new nn.MLP([3, 4, 2]);
    const s = m.toSequential();
    assert.equal(s.stateDict().get('0.weight')!._storage, m.stateDict().get('layers.0.weight')!._storage);
    assert.deepEqual([...s.stateDict().keys()], ['0.weight', '0.bias', '2.weight', '2.bias']);
    assert.throws(() => new nn.MLP([3, 4, 4, 2], { residual: true }).toSequential(), /residual MLP/);
  });
});
