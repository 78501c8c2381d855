/**
 * @file Attention workloads (issue #14), each library in its own stepwise process (bench/stepwise.ts),
 * rounds interleaved (round r starts at library r mod k) so load drifts hit both alike.
 *
 * attn: causal self-attention forward and forward+backward at seq 256, dim 256, 8 heads, batch 4
 * (nn.MultiheadAttention, needWeights false), plexus (bench/attention-child.ts) vs PyTorch
 * (bench/peers/torch_attention.py): median ms per call, and the paired speed ratio = the median over
 * rounds of torch ms / plexus ms in the same round (> 1: plexus faster). `--rounds` (5), `--steps` calls per round (5).
 * decode: KV-cached greedy decoding tokens/s of a 2-layer dModel-256 TransformerLM with 8 heads
 * and 8 (MHA), 2 (GQA) or 1 (MQA) key/value heads; plexus only (torch 1.13 has neither GQA nor a
 * decoding cache to compare with). `--rounds` (3), `--steps` tokens per round (64).
 */
import { Stepwise } from './stepwise.js';
import { PYTHON, load1, median, repoPath, round, threadEnv, torchPeers } from './common.js';

type Result = Record<string, number>;

/** Each process's peak RSS (MB) from its `done` line. */
const peaksOf = (libs: Lib[]): Record<string, number> => Object.fromEntries(libs.filter((l) => typeof l.final?.peakRssMB === 'number').map((l) => [l.name, l.final!.peakRssMB!]));

export interface AttentionBenchOptions {
  threads?: number[];
  rounds?: number;
  perRound?: number;
}

interface Lib { name: string; proc: Stepwise; rounds: Result[]; final?: Result }

const child = (workload: string, threads: number): Stepwise =>
  Stepwise.start(process.execPath, ['--expose-gc', repoPath('dist/bench/attention-child.js'), workload, String(threads)], {});

async function interleave(libs: Lib[], rounds: number, arg: number): Promise<string[]> {
  const skipped: string[] = [];
  const live = new Set<Lib>();
  for (const lib of libs) {
    try {
      await lib.proc.read();
      live.add(lib);
    } catch (e) {
      skipped.push(`${lib.name}: ${(e as Error).message}`);
      lib.proc.kill();
    }
  }
  const order = libs.filter((l) => live.has(l));
  for (let r = 0; r < rounds; r++) {
    for (let i = 0; i < order.length; i++) {
      const lib = order[(r + i) % order.length]!;
      if (!live.has(lib)) continue;
      try {
        lib.rounds.push(await lib.proc.ask(`round ${arg}`) as Result);
      } catch (e) {
        skipped.push(`${lib.name}: ${(e as Error).message}`);
        live.delete(lib);
        lib.proc.kill();
      }
    }
  }
  for (const lib of live) {
    lib.final = await lib.proc.ask('done').then((r) => r as Result, () => (lib.proc.kill(), undefined));
    lib.proc.stop(); // the child exits once its stdin closes (else it and this process would wait forever)
  }
  return skipped;
}

/** Workload attn: one line per thread count. */
export async function runAttention(opts: AttentionBenchOptions = {}): Promise<object[]> {
  const lines: object[] = [];
  for (const threads of opts.threads ?? [1, 2]) {
    const libs: Lib[] = [{ name: 'plexus', proc: child('attn', threads), rounds: [] }];
    for (const p of torchPeers()) libs.push({ name: p.name, proc: Stepwise.start(PYTHON, [repoPath('bench/peers/torch_attention.py')], { ...threadEnv(threads), ...p.env }), rounds: [] });
    const skipped = await interleave(libs, opts.rounds ?? 5, opts.perRound ?? 5);
    const ok = libs.filter((l) => l.rounds.length > 0);
    const fig = (l: Lib): object => ({ fwdMs: round(median(l.rounds.map((r) => r.fwdMs!)), 1), fwdBwdMs: round(median(l.rounds.map((r) => r.fwdBwdMs!)), 1) });
    const mine = ok.find((l) => l.name === 'plexus');
    const paired = (peer: Lib, key: string): number => {
      const n = Math.min(mine!.rounds.length, peer.rounds.length);
      return round(median(Array.from({ length: n }, (_, i) => peer.rounds[i]![key]! / mine!.rounds[i]![key]!)));
    };
    const peers = ok.filter((l) => l !== mine);
    const line = {
      workload: 'attn', metric: 'ms_per_call', seq: 256, dim: 256, heads: 8, batch: 4, causal: true, threads, roundsInterleaved: true,
      plexus: mine ? fig(mine) : null, peers: Object.fromEntries(peers.map((l) => [l.name, fig(l)])),
      speedRatio: mine ? Object.fromEntries(peers.map((l) => [l.name, { fwd: paired(l, 'fwdMs'), fwdBwd: paired(l, 'fwdBwdMs') }])) : {},
      peakRssMB: peaksOf(libs), load: load1(), ...(skipped.length ? { skipped } : {}),
    };
    console.log(JSON.stringify(line));
    lines.push(line);
  }
  return lines;
}

/** Workload decode: one line per thread count. */
export async function runDecode(opts: AttentionBenchOptions = {}): Promise<object[]> {
  const lines: object[] = [];
  for (const threads of opts.threads ?? [1]) {
    const lib: Lib = { name: 'plexus', proc: child('decode', threads), rounds: [] };
    const skipped = await interleave([lib], opts.rounds ?? 3, opts.perRound ?? 64);
    const tps = (k: string): number => round(median(lib.rounds.map((r) => r[k]!)), 1);
    const line = {
      workload: 'decode', metric: 'tokens_per_s', model: 'TransformerLM(256, dModel 256, 8 heads, 2 layers)', batch: 1, threads,
      plexus: lib.rounds.length ? { mha: tps('mha'), gqa: tps('gqa'), mqa: tps('mqa') } : null,
      notes: ['numKVHeads 8 / 2 / 1 at the same dModel and heads; no peer (torch 1.13 has no GQA or decoding cache)'],
      peakRssMB: peaksOf([lib]), load: load1(), ...(skipped.length ? { skipped } : {}),
    };
    console.log(JSON.stringify(line));
    lines.push(line);
  }
  return lines;
}
