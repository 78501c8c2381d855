/**
 * @file `plexus playground [--port N] [--host H]`: serves the browser playground (apps/playground)
 * on localhost and runs until interrupted. The server itself is apps/playground/server.ts; this file
 * checks the flags (a bad port or a port in use is a refused invocation, exit 2) and prints the URL.
 */
import { PlaygroundServerError, startPlayground } from '../playground/server.js';
import type { Ctx } from './context.js';
import { CliError } from './errors.js';

/** The --port value: an integer in [0, 65535] (0: any free port). */
export function parsePort(raw: unknown): number {
  const s = String(raw);
  const n = /^\d+$/.test(s) ? Number(s) : NaN;
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new CliError('INVALID_FLAG', `--port: must be an integer in [0, 65535], got ${JSON.stringify(s)}`);
  return n;
}

export async function playgroundCommand(ctx: Ctx, opts: Record<string, unknown>): Promise<void> {
  const port = opts.port === undefined ? 8080 : parsePort(opts.port);
  const host = opts.host === undefined ? '127.0.0.1' : String(opts.host);
  if (host === '' || /[\s/]/.test(host)) throw new CliError('INVALID_FLAG', `--host: expected a host name or address, got ${JSON.stringify(host)}`);
  let started: Awaited<ReturnType<typeof startPlayground>>;
  try {
    started = await startPlayground({ port, host });
  } catch (e) {
    if (e instanceof PlaygroundServerError) throw new CliError(e.code, e.message);
    throw e;
  }
  const { server, url } = started;
  ctx.io.out(`plexus playground: serving ${url} (cross-origin isolated; Ctrl-C stops)\n`);
  if (!['127.0.0.1', 'localhost', '::1'].includes(host)) ctx.io.err(`plexus playground: listening on ${host}: reachable from other machines\n`);
  await new Promise<void>((resolve) => {
    const stop = (): void => {
      server.close(() => resolve());
      server.closeAllConnections();
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    server.once('close', () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    });
  });
}
