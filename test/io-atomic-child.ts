/**
 * @file Child process for the atomic-write tests (not a test file itself). Usage:
 *   node io-atomic-child.js <target> <payload-file> <stage|none>
 * Saves the bytes of <payload-file> to <target> with writeFileAtomic. With a stage, it prints
 * "STAGE <stage>" when that stage is reached and then hangs, so the parent can SIGKILL it at a known
 * point. With "none" it writes and exits 0. It imports only atomic.ts, so it does not depend on the
 * rest of the library (which other work may be rebuilding while tests run).
 */
import { readFileSync } from 'node:fs';
import { writeFileAtomic, type AtomicStage } from '../src/io/atomic.js';

async function main(): Promise<void> {
  const [target, payloadFile, killAt] = process.argv.slice(2);
  if (!target || !payloadFile || !killAt) throw new Error('usage: io-atomic-child.js <target> <payload-file> <stage|none>');
  await writeFileAtomic(target, new Uint8Array(readFileSync(payloadFile)), {
    chunkSize: 64 * 1024, // several write calls, so 'write' is genuinely mid-file
    onStage: async (stage: AtomicStage) => {
      if (stage !== killAt) return;
      process.stdout.write(`STAGE ${stage}\n`);
      // Hang with a live handle until the parent's SIGKILL arrives.
      setInterval(() => undefined, 1000);
      await new Promise(() => undefined);
    },
  });
}

main().catch((e: unknown) => {
  process.stderr.write(`${String(e)}\n`);
  process.exit(2);
});
