/**
 * @file `plexus analyse`: on two digits models trained by `plexus train` (seeds 0 and 1), the report
 * (weight spectra per layer, activation statistics with --data, CKA between every pair of layers
 * with --against) and its files (report.json, ESD and CKA plots as SVG and PNG) in the run folder;
 * refused invocations (bad flags, a taken folder) exit 2 and write nothing; models whose inputs do
 * not fit the data are typed errors naming the shapes; a missing file names the file.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { refused, removeTempDirs, runCli, tempDir } from './cli-helpers.js';

after(removeTempDirs);

describe('plexus analyse', () => {
  let cwd: string;
  const m0 = 'runs/a/model.safetensors';
  const m1 = 'runs/b/model.safetensors';
  const iris = 'runs/iris/model.safetensors';

  before(async () => {
    cwd = tempDir();
    for (const [name, extra] of [['a', ['--seed', '0']], ['b', ['--seed', '1']], ['iris', ['--data', 'iris']]] as const) {
      const r = await runCli(cwd, 'train', '--epochs', '2', '--hidden', '24,16', '--name', name, ...extra);
      assert.equal(r.code, 0, r.err);
    }
  });

  it('--help lists analyse; analyse --help its flags; analyze is an alias', async () => {
    assert.match((await runCli(cwd, '--help')).out, /\banalyse\b/);
    const h = await runCli(cwd, 'analyze', '--help');
    assert.equal(h.code, 0);
    for (const f of ['--data', '--against', '--samples', '--out', '--name', '--backend']) assert.ok(h.out.includes(f), f);
  });

  it('spectra only, without --data', async () => {
    const r = await runCli(cwd, 'analyse', m0, '--out', 'an0');
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /weight spectra of runs\/a\/model\.safetensors/);
    assert.match(r.out, /layers\.0\.weight\s+\[24, 64\]/);
    const report = JSON.parse(readFileSync(path.join(cwd, 'an0', 'report.json'), 'utf8')) as { sections: Record<string, unknown> };
    assert.deepEqual(Object.keys(report.sections), ['spectra']);
    const spectra = report.sections.spectra as { name: string; alpha: number; eigenvalues: number[]; shape: number[] }[];
    assert.deepEqual(spectra.map((s) => s.name), ['layers.0.weight', 'layers.1.weight', 'layers.2.weight']);
    assert.ok(spectra.every((s) => s.eigenvalues.length === Math.min(...s.shape)));
    assert.ok(existsSync(path.join(cwd, 'an0', 'esd.svg')) && !existsSync(path.join(cwd, 'an0', 'cka.svg')));
  });

  it('with --data and --against: activations, CKA heatmap, both ESD plots', async () => {
    const r = await runCli(cwd, 'analyse', m0, '--data', 'digits', '--against', m1, '--samples', '200', '--out', 'an1');
    assert.equal(r.code, 0, r.err);
    console.log(r.out);
    const dir = path.join(cwd, 'an1');
    const report = JSON.parse(readFileSync(path.join(dir, 'report.json'), 'utf8')) as { sections: Record<string, unknown>; data: { note: string } };
    assert.deepEqual(Object.keys(report.sections), ['spectra', 'activations', 'cka', 'ntk', 'rotation']);
    assert.match(report.data.note, /^200 samples of the digits test split/);
    const acts = report.sections.activations as { layer: string; samples: number; features: number }[];
    assert.deepEqual(acts.map((a) => [a.layer, a.samples, a.features]), [['layers.0', 200, 24], ['layers.1', 200, 16], ['layers.2', 200, 10]]);
    const cka = report.sections.cka as { rows: string[]; cols: string[]; matrix: number[][]; pairedByName: boolean };
    assert.deepEqual([cka.rows, cka.cols, cka.pairedByName], [['layers.0', 'layers.1', 'layers.2'], ['layers.0', 'layers.1', 'layers.2'], true]);
    assert.ok(cka.matrix.flat().every((v) => v > 0 && v <= 1 + 1e-12));
    const ntk = report.sections.ntk as { samples: number; eigenvalues: number[]; trace: number; effectiveRank: number };
    assert.equal(ntk.samples, 200);
    assert.equal(ntk.eigenvalues.length, 200);
    // Sorted descending, and an NTK is PSD: the sum of its eigenvalues is its trace.
    assert.ok(ntk.eigenvalues.every((v, i) => i === 0 || v <= ntk.eigenvalues[i - 1]!) && ntk.eigenvalues.at(-1)! > -1e-9 * ntk.eigenvalues[0]!);
    assert.ok(ntk.effectiveRank >= 1 && ntk.effectiveRank <= 200);
    const rotation = report.sections.rotation as Record<string, number>;
    assert.deepEqual(Object.keys(rotation), ['layers.0.weight', 'layers.1.weight', 'layers.2.weight']);
    // Two independent random initialisations trained briefly: nearly orthogonal weights, distance near 1.
    assert.ok(Object.values(rotation).every((v) => v > 0.5 && v < 1.5), JSON.stringify(rotation));
    assert.match(r.out, /empirical NTK \(trace over outputs\) on 200 samples of the digits test split/);
    for (const f of ['esd', 'esd-against', 'cka', 'ntk']) {
      assert.match(readFileSync(path.join(dir, `${f}.svg`), 'utf8'), /^<svg /);
      assert.deepEqual([...readFileSync(path.join(dir, `${f}.png`)).subarray(0, 4)], [0x89, 0x50, 0x4e, 0x47]);
    }
    assert.match(r.out, /linear CKA \(Kornblith et al\. 2019\)/);
  });

  it('refusals exit 2 and write nothing', async () => {
    const cases: [string[], string][] = [
      [['analyse', m0, '--samples', '2', '--data', 'digits'], '--samples must be an integer >= 4'],
      [['analyse', m0, '--data', 'mnist'], '--data must be one of'],
      [['analyse', m0, '--samples', '10'], '--samples needs --data'],
      [['analyse', m0, '--out', 'an0'], 'already exists'],
      [['analyse', m0, '--out', '../x'], 'outside'],
    ];
    for (const [args, msg] of cases) assert.equal((await refused(cwd, args, [msg])).code, 2, args.join(' '));
  });

  it('inputs that do not fit: a typed error naming the shapes; a missing file names the file', async () => {
    const r = await runCli(cwd, 'analyse', iris, '--data', 'digits', '--out', 'bad1');
    assert.equal(r.code, 2, r.err);
    assert.match(r.err, /digits has 64 features but the model takes 4/);
    const r2 = await runCli(cwd, 'analyse', m0, '--data', 'digits', '--against', iris, '--out', 'bad2');
    assert.notEqual(r2.code, 0);
    assert.match(r2.err, /64 features but the model takes 4/);
    const r3 = await runCli(cwd, 'analyse', 'nope.safetensors', '--out', 'bad3');
    assert.equal(r3.code, 1);
    assert.match(r3.err, /nope\.safetensors/);
    for (const d of ['bad1', 'bad2', 'bad3']) assert.ok(!existsSync(path.join(cwd, d)), `${d} was not written`);
  });
});
