/**
 * @file Fast associative-recall check (4 key-value pairs, 8 keys, 8 values: chance 12.5%; one mixer
 * layer of test/recall-helpers.ts, dim 32, 300 Adam steps): causal softmax attention and linear
 * attention (Katharopoulos et al.) both store and retrieve the pairs (>= 90%), printed side by side.
 * Every method at 8 pairs is in test/linear-attention-recall.slow.ts.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { MIXERS, trainRecall } from './recall-helpers.js';

describe('associative recall (fast): linear attention beside softmax attention', () => {
  it('both >= 90% at 4 pairs', () => {
    for (const [name, make] of MIXERS.filter(([n]) => n === 'softmax attention' || n === 'LinearAttention')) {
      const r = trainRecall(name, make, { steps: 300, dim: 32, numPairs: 4 });
      console.log(`associative recall (4 pairs, chance 12.5%): ${name} ${(100 * r.accuracy).toFixed(1)}%`);
      assert.ok(r.accuracy >= 0.9, `${name}: ${(100 * r.accuracy).toFixed(1)}%`);
    }
  });
});
