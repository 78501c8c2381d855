/**
 * @file The MLP family of src/nn/mlp/ (issue #12): construction checks (typed errors naming the
 * argument), forward shape checks (naming the expected and the given shape), the accepted input
 * layouts of the patch models, fromConfig / io.saveModel round trips, the frozen lift of the
 * Hourglass MLP, ResMLP's LayerScale rule and a loop that leaves no tensors behind. The values
 * themselves are checked against PyTorch in test/nn-golden.test.ts (modules-mixer.json).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as px from '../src/index.js';
import { io, nn } from '../src/index.js';
import { allocationsDuring } from './allocations.js';

const V = px.ValueError;
const S = px.ShapeError;
/** Throws `cls` with a message matching every pattern. */
function throwsWith(f: () => unknown, cls: new (...a: never[]) => Error, ...patterns: RegExp[]): void {
  assert.throws(f, (e: unknown) => {
    assert.ok(e instanceof cls, `expected ${cls.name}, got ${e instanceof Error ? `${e.constructor.name}: ${e.message}` : String(e)}`);
    for (const p of patterns) assert.match((e as Error).message, p);
    return true;
  });
}

describe('MLP family: bad construction arguments are typed errors naming the argument', () => {
  const sizes: [string, () => unknown, RegExp][] = [
    ['MLPBlock dim 0', () => new nn.MLPBlock(0), /dim/],
    ['MLPBlock hidden 2.5', () => new nn.MLPBlock(4, { hidden: 2.5 }), /hidden/],
    ['MLPBlock expansion -1', () => new nn.MLPBlock(4, { expansion: -1 }), /expansion/],
    ['MLPBlock hidden and expansion', () => new nn.MLPBlock(4, { hidden: 8, expansion: 2 }), /hidden or expansion/],
    ['MLPBlock layerScale 0', () => new nn.MLPBlock(4, { layerScale: 0 }), /layerScale/],
    ['Affine dim "4"', () => new nn.Affine('4' as never), /dim/],
    ['PatchEmbed patch 0', () => new nn.PatchEmbed(28, 0, 1, 8), /patchSize/],
    ['PatchEmbed patch not dividing', () => new nn.PatchEmbed(28, 5, 1, 8), /patchSize \[5, 5\] must divide imageSize \[28, 28\]/],
    ['PatchEmbed imageSize [28]', () => new nn.PatchEmbed([28] as never, 4, 1, 8), /imageSize/],
    ['MetaFormerBlock numTokens -1', () => new nn.MetaFormerBlock(4, -1), /numTokens/],
    ['MetaFormerBlock gridSize not holding the tokens', () => new nn.MetaFormerBlock(4, 6, { tokenMixer: 'pooling', gridSize: [2, 2] }), /gridSize/],
    ['MetaFormerBlock pooling on non-square count', () => new nn.MetaFormerBlock(4, 6, { tokenMixer: 'pooling' }), /give gridSize/],
    ['MetaFormerBlock even poolSize', () => new nn.MetaFormerBlock(4, 4, { tokenMixer: 'pooling', poolSize: 2 }), /poolSize/],
    ['MetaFormerBlock tokenHidden on linear', () => new nn.MetaFormerBlock(4, 4, { tokenMixer: 'linear', tokenHidden: 3 }), /tokenHidden is an option of tokenMixer mlp/],
    ['MLPMixer depth 1.5', () => new nn.MLPMixer(28, 7, 16, 1.5, 10), /MLPMixer: depth/],
    ['MLPMixer numClasses 0', () => new nn.MLPMixer(28, 7, 16, 2, 0), /MLPMixer: numClasses/],
    ['MLPMixer patch not dividing', () => new nn.MLPMixer([28, 28], 3, 16, 2, 10), /patchSize/],
    ['ResMLP dim NaN', () => new nn.ResMLP(28, 7, NaN, 2, 10), /ResMLP: dim/],
    ['PoolFormer inChannels 0', () => new nn.PoolFormer(28, 7, 8, 1, 10, { inChannels: 0 }), /inChannels/],
    ['HourglassMLP narrow 0', () => new nn.HourglassMLP(8, 16, 0, 2, 8), /narrow/],
    ['HourglassMLP freezeLift "yes"', () => new nn.HourglassMLP(8, 16, 4, 2, 8, { freezeLift: 'yes' as never }), /freezeLift/],
  ];
  for (const [what, f, p] of sizes) it(what, () => throwsWith(f, V, p));

  it('unknown mixer, norm and activation names list the allowed values', () => {
    throwsWith(() => new nn.MetaFormer(28, 7, 8, 1, 10, { tokenMixer: 'attention' as never }), V, /tokenMixer must be one of mlp, linear, pooling, identity, got "attention"/);
    throwsWith(() => new nn.MLPBlock(4, { norm: 'batch' as never }), V, /norm must be null or one of layer, rms, affine/);
    throwsWith(() => new nn.HourglassMLP(4, 8, 2, 1, 4, { activation: 'swish' as never }), V, /activation must be one of .*gelu/);
  });

  it('an option of another model is refused by name (MLPMixer has no layerScale, ResMLP no tokenHidden)', () => {
    throwsWith(() => new nn.MLPMixer(28, 7, 8, 1, 10, { layerScale: 0.1 } as never), V, /layerScale/);
    throwsWith(() => new nn.ResMLP(28, 7, 8, 1, 10, { tokenHidden: 4 } as never), V, /tokenHidden/);
  });
});

describe('MLP family: forward shapes', () => {
  it('MLPMixer takes [N,C,H,W], [N,H,W] and flat [N,C*H*W] alike (same values)', () => {
    px.manualSeed(1);
    const m = new nn.MLPMixer([8, 6], 2, 4, 2, 3);
    const x = px.randn([2, 1, 8, 6]);
    const a = m.forward(x);
    assert.deepEqual(a.shape, [2, 3]);
    assert.deepEqual([...m.forward(x.reshape(2, 8, 6)).values], [...a.values]);
    assert.deepEqual([...m.forward(x.reshape(2, 48)).values], [...a.values]);
  });
  it('a wrong input shape names the expected and the given shape', () => {
    const m = new nn.MLPMixer(28, 7, 8, 1, 10);
    throwsWith(() => m.forward(px.zeros([2, 783])), S, /\[N,1,28,28\], \[N,28,28\], \[N,784\], got \[2,783\]/);
    const rgb = new nn.ResMLP(8, 4, 8, 1, 10, { inChannels: 3 });
    throwsWith(() => rgb.forward(px.zeros([2, 8, 8])), S, /\[N,3,8,8\], \[N,192\], got \[2,8,8\]/);
    throwsWith(() => new nn.MetaFormerBlock(4, 9).forward(px.zeros([2, 8, 4])), S, /must be \[N,9,4\], got \[2,8,4\]/);
    throwsWith(() => new nn.MLPBlock(4).forward(px.zeros([2, 5])), S, /\[2,5\] must end with \[4\]/);
    throwsWith(() => new nn.HourglassMLP(4, 8, 2, 1, 3).forward(px.zeros([2, 5])), S, /\[2,5\] must end with \[4\]/);
  });
  it('MLPBlock and HourglassMLP keep leading dims', () => {
    assert.deepEqual(new nn.MLPBlock(4).forward(px.zeros([2, 3, 4])).shape, [2, 3, 4]);
    assert.deepEqual(new nn.HourglassMLP(4, 8, 2, 2, 5).forward(px.zeros([2, 3, 4])).shape, [2, 3, 5]);
  });
  it('a non-square image and rectangular patches give the right token count', () => {
    const pe = new nn.PatchEmbed([6, 8], [3, 2], 2, 5);
    assert.equal(pe.numPatches, 8);
    assert.deepEqual(pe.forward(px.zeros([1, 2, 6, 8])).shape, [1, 8, 5]);
    assert.deepEqual(new nn.PoolFormer([6, 8], [3, 2], 4, 1, 2, { inChannels: 2 }).forward(px.zeros([1, 96])).shape, [1, 2]);
  });
});

describe('MLP family: configs and model files', () => {
  const models: [string, () => nn.Module, number[]][] = [
    ['MLPMixer', () => new nn.MLPMixer(8, 4, 6, 2, 3, { tokenHidden: 5, channelHidden: 7 }), [2, 64]],
    ['ResMLP', () => new nn.ResMLP([8, 8], 2, 4, 2, 3, { layerScale: 0.2 }), [2, 1, 8, 8]],
    ['PoolFormer', () => new nn.PoolFormer(8, 2, 4, 1, 3, { poolSize: 3 }), [2, 8, 8]],
    ['MetaFormer identity', () => new nn.MetaFormer(8, 4, 4, 1, 3, { tokenMixer: 'identity', norm: 'rms' }), [2, 64]],
    ['MetaFormerBlock linear', () => new nn.MetaFormerBlock(4, 6, { tokenMixer: 'linear', norm: null, layerScale: 0.5 }), [2, 6, 4]],
    ['MLPBlock', () => new nn.MLPBlock(4, { expansion: 2, activation: 'silu', norm: 'affine' }), [3, 4]],
    ['HourglassMLP', () => new nn.HourglassMLP(6, 12, 3, 2, 4, { freezeLift: true }), [3, 6]],
  ];
  for (const [name, make, shape] of models) {
    it(`${name}: fromConfig(getConfig()) and saveModel/loadModel rebuild it with the same outputs`, async () => {
      px.manualSeed(3);
      const m = make();
      const x = px.randn(shape);
      const y = m.forward(x);
      const again = nn.fromConfig(JSON.parse(JSON.stringify(m.getConfig())));
      assert.deepEqual(again.getConfig(), m.getConfig());
      again.loadStateDict(m.stateDict());
      assert.deepEqual([...again.forward(x).values], [...y.values]);
      const { model } = await io.loadModel(io.saveModel(m));
      assert.deepEqual(model.getConfig(), m.getConfig());
      assert.deepEqual([...model.forward(x).values], [...y.values]);
    });
  }
  it('fromConfig fill: supplies only keys the module reads, never overrides the config, never reaches nested configs', () => {
    const fill = { imageSize: [8, 8], numClasses: 3, inFeatures: 64, outFeatures: 3 };
    const m = nn.fromConfig({ type: 'MLPMixer', patchSize: 4, dim: 4, depth: 1, numClasses: 5 }, { fill }) as nn.MLPMixer;
    assert.deepEqual([m.imageSize, m.numClasses], [[8, 8], 5]);
    const h = nn.fromConfig({ type: 'HourglassMLP', wide: 8, narrow: 2, depth: 1 }, { path: 'model', fill }) as nn.HourglassMLP;
    assert.deepEqual([h.inFeatures, h.outFeatures], [64, 3]);
    throwsWith(() => nn.fromConfig({ type: 'Sequential', layers: [{ type: 'Linear', outFeatures: 2 }] }, { fill }), V, /config\.layers\[0\]\.inFeatures must be an integer, got undefined/);
    throwsWith(() => nn.fromConfig({ type: 'Identity' }, { fil: {} } as never), V, /unknown option 'fil'/);
  });
  it('fromConfig names a bad key by its path', () => {
    throwsWith(() => nn.fromConfig({ type: 'MLPMixer', imageSize: 28, patchSize: 7, dim: 8, depth: 1, numClasses: 10, tokenHiden: 3 }), V, /unknown key\(s\) "tokenHiden"/);
    throwsWith(() => nn.fromConfig({ type: 'ResMLP', imageSize: 28, patchSize: '7', dim: 8, depth: 1, numClasses: 10 }), V, /config\.patchSize must be an array of integers/);
  });
});

describe('MLP family: semantics', () => {
  it('HourglassMLP freezeLift: the lift has no gradient, is skipped by Adam and not counted as trainable; the rest trains', () => {
    px.manualSeed(0);
    const m = new nn.HourglassMLP(4, 8, 2, 1, 4, { freezeLift: true });
    const lift0 = [...m.lift.weight.values];
    assert.equal(m.numParameters({ trainableOnly: true }), m.numParameters() - (4 * 8 + 8));
    const opt = new px.optim.Adam(m.parameters(), { lr: 0.1 });
    const x = px.randn([5, 4]);
    const head0 = [...m.head.weight.values];
    for (let i = 0; i < 3; i++) {
      opt.zeroGrad();
      px.mse(m.forward(x), x).backward();
      opt.step();
    }
    assert.equal(m.lift.weight.grad, null);
    assert.deepEqual([...m.lift.weight.values], lift0);
    assert.notDeepEqual([...m.head.weight.values], head0);
  });
  it('ResMLP LayerScale init follows the depth rule (0.1 / 1e-5 / 1e-6) and starts every gamma at it', () => {
    assert.deepEqual([12, 18, 24, 36].map(nn.resmlpLayerScale), [0.1, 0.1, 1e-5, 1e-6]);
    const m = new nn.ResMLP(4, 2, 3, 2, 2);
    const gammas = m.namedParameters().filter(([k]) => /gamma/.test(k));
    assert.equal(gammas.length, 4);
    for (const [, g] of gammas) for (const v of g.values) assert.ok(Math.abs(v - 0.1) < 1e-7);
  });
  it('the identity mixer block is x + norm(x) then the channel MLP', () => {
    px.setDefaultDType('float64');
    try {
      const b = new nn.MetaFormerBlock(4, 3, { tokenMixer: 'identity' });
      const x = px.randn([2, 3, 4]);
      const want = b.mlp.forward(px.add(x, b.norm1!.forward(x)));
      assert.deepEqual([...b.forward(x).values], [...want.values]);
    } finally {
      px.setDefaultDType('float32');
    }
  });
  it('every model\'s forward is framed: without grad it leaves only its output behind', async () => {
    px.manualSeed(0);
    const ms: [nn.Module, number[]][] = [
      [new nn.MLPMixer(8, 4, 8, 2, 3), [4, 64]], [new nn.ResMLP(8, 4, 8, 2, 3), [4, 64]], [new nn.PoolFormer(8, 2, 8, 1, 3), [4, 64]],
      [new nn.HourglassMLP(6, 12, 3, 2, 4), [4, 6]],
    ];
    for (const [m, shape] of ms) {
      const x = px.randn(shape);
      const run = await allocationsDuring(() => px.noGrad(() => m.forward(x)));
      assert.equal(run.live, 1, `${m.constructor.name}: ${run.live} storages left by forward (only the output may stay)`);
    }
  });
});
