/**
 * @file The README's code runs as written. Every fenced block whose info string is `ts` (or `js`) is
 * a test: its types are stripped by esbuild (a devDependency), it is written as an .mjs file inside
 * dist/ and run in a child `node` from a fresh temporary folder, and it must exit 0. Because the file
 * sits inside this package, `import ... from 'plexus'` (and any `plexus/<subpath>`) resolves through
 * package.json's `exports` to the built entry, exactly as it would for a user.
 *
 * A `console.log(...)` line ending in a comment that is just a number (`// 98.05%`, `// ~0.5`) is a
 * claim: some printed line must hold a number within 1% of it (relative; an absolute 1e-6 near 0).
 *
 * A block that is a fragment, not a program (it uses names defined elsewhere), is fenced as
 * ```` ```ts no-run ````: renderers still highlight it as TypeScript, and this test lists it (a
 * diagnostic of the first test) instead of running it. Blocks in other languages (sh, plain) are
 * not run.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { transformSync } from 'esbuild';

const ROOT = fileURLToPath(new URL('../../', import.meta.url)); // dist/test/ -> the repository
const README = path.join(ROOT, 'README.md');

export interface Block {
  /** 1-based line of the opening fence. */
  line: number;
  lang: string;
  /** Words after the language on the fence line (`no-run`). */
  flags: string[];
  code: string;
}

/** Fenced blocks of a Markdown text (``` or ~~~ fences, any length >= 3). */
export function codeBlocks(markdown: string): Block[] {
  const lines = markdown.split('\n');
  const blocks: Block[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^(\s*)(`{3,}|~{3,})\s*([\w-]*)\s*(.*)$/.exec(lines[i]!);
    if (!open) continue;
    const fence = open[2]!;
    const body: string[] = [];
    let j = i + 1;
    for (; j < lines.length && !lines[j]!.trim().startsWith(fence); j++) body.push(lines[j]!);
    blocks.push({ line: i + 1, lang: open[3]!.toLowerCase(), flags: open[4]!.trim().split(/\s+/).filter(Boolean), code: body.join('\n') });
    i = j;
  }
  return blocks;
}

/** Numbers claimed by `console.log(...); // 98.05%` lines. */
export function claimedNumbers(code: string): number[] {
  const out: number[] = [];
  for (const line of code.split('\n')) {
    const m = /console\.log\(.*\/\/\s*~?\s*(-?\d+(?:\.\d+)?(?:e[-+]?\d+)?)\s*%?\s*$/i.exec(line);
    if (m) out.push(Number(m[1]));
  }
  return out;
}

const near = (got: number, want: number): boolean => Math.abs(got - want) <= Math.max(0.01 * Math.abs(want), 1e-6);

/** Every number printed on any line of `stdout`. */
const printedNumbers = (stdout: string): number[] => (stdout.match(/-?\d+(?:\.\d+)?(?:e[-+]?\d+)?/gi) ?? []).map(Number);

describe('codeBlocks and claimedNumbers (the parser this test relies on)', () => {
  it('finds fenced blocks with their language and flags, and the numeric claims', () => {
    const md = ['text', '```ts', 'console.log(x); // 98.05%', '```', '~~~ts no-run', 'f(y)', '~~~', '```sh', 'npm test', '```'].join('\n');
    const b = codeBlocks(md);
    assert.deepEqual(b.map((x) => [x.line, x.lang, x.flags.join()]), [[2, 'ts', ''], [5, 'ts', 'no-run'], [8, 'sh', '']]);
    assert.deepEqual(claimedNumbers(b[0]!.code), [98.05]);
    assert.deepEqual(claimedNumbers('console.log(a); // about the loss\nconsole.log(b) // ~0.5'), [0.5]);
    assert.ok(near(97.9, 98.05) && !near(96.5, 98.05));
  });
});

describe('README code blocks run as written', () => {
  const blocks = codeBlocks(readFileSync(README, 'utf8')).filter((b) => b.lang === 'ts' || b.lang === 'js' || b.lang === 'typescript' || b.lang === 'javascript');
  const fragments = blocks.filter((b) => b.flags.includes('no-run'));
  it('the README has runnable blocks', (t) => {
    assert.ok(blocks.length > fragments.length, 'no ts/js block without no-run');
    if (fragments.length) t.diagnostic(`not run (fenced no-run): README.md lines ${fragments.map((b) => b.line).join(', ')}`);
  });
  // Inside the package (so 'plexus' self-resolves); dist/ is rebuilt by every npm test.
  const dir = path.join(ROOT, 'dist', 'readme-blocks');
  mkdirSync(dir, { recursive: true });
  for (const b of blocks.filter((x) => !fragments.includes(x))) {
    it(`README.md:${b.line} (${b.lang})`, () => {
      const js = transformSync(b.code, { loader: b.lang.startsWith('t') ? 'ts' : 'js', format: 'esm', target: 'node20' }).code;
      const file = path.join(dir, `block-${b.line}.mjs`);
      writeFileSync(file, js);
      const cwd = mkdtempSync(path.join(tmpdir(), 'plexus-readme-'));
      try {
        // A hang guard only: the blocks take seconds; the limit separates "finishes" from "hangs".
        const r = spawnSync(process.execPath, [file], { cwd, encoding: 'utf8', timeout: 300_000 });
        assert.equal(r.status, 0, `exit ${r.status} (signal ${r.signal})\n${r.stderr}`);
        const printed = printedNumbers(r.stdout);
        for (const want of claimedNumbers(b.code)) {
          assert.ok(printed.some((got) => near(got, want)), `the block claims ${want}; it printed:\n${r.stdout}`);
        }
      } finally {
        rmSync(cwd, { recursive: true, force: true });
      }
    });
  }
});
