/**
 * @file The playground's web server (`plexus playground`): Node's own http server serving the
 * built bundle folder (dist/apps/playground/www, written by scripts/build-playground.mjs) and
 * nothing else. Every response carries COOP/COEP (`same-origin` / `require-corp`) so the page is
 * cross-origin isolated: SharedArrayBuffer exists and the wasm backend's worker pool runs threads.
 *
 * Safety: it binds to 127.0.0.1 unless told otherwise; only GET and HEAD; the path is decoded once
 * and refused (400) when it holds a NUL, a backslash or a `..` / `.` segment (raw or %-encoded),
 * then resolved and required to lie inside the folder, symlinks followed; anything else is a 404.
 * A port in use is refused with a message naming it (no fallback to another port).
 */
import { createServer, type Server } from 'node:http';
import { existsSync, promises as fs, realpathSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Where the build puts the bundle, relative to this file once compiled (dist/apps/playground/server.js). */
export const DEFAULT_ROOT = fileURLToPath(new URL('./www/', import.meta.url));

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8',
  '.json': 'application/json', '.png': 'image/png', '.svg': 'image/svg+xml', '.map': 'application/json', '.wasm': 'application/wasm',
};

/** Headers every response gets: cross-origin isolation, no sniffing, no caching of a dev bundle. */
export const ISOLATION_HEADERS: Readonly<Record<string, string>> = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
  'Cross-Origin-Resource-Policy': 'same-origin',
  'X-Content-Type-Options': 'nosniff',
  'Cache-Control': 'no-store',
};

export class PlaygroundServerError extends Error {
  override readonly name = 'PlaygroundServerError';
  constructor(readonly code: 'PORT_IN_USE' | 'LISTEN_FAILED' | 'NOT_BUILT', message: string) {
    super(message);
  }
}

export interface PlaygroundOptions {
  port?: number;
  host?: string;
  /** The folder to serve (default: the built bundle). */
  root?: string;
}

/** The file a request path maps to inside `root`, or an HTTP status for why not. */
export function resolveRequestPath(root: string, rawUrl: string): { file: string } | { status: 400 | 404 } {
  const q = rawUrl.indexOf('?');
  const rawPath = q < 0 ? rawUrl : rawUrl.slice(0, q);
  if (!rawPath.startsWith('/')) return { status: 400 };
  let decoded: string;
  try {
    decoded = decodeURIComponent(rawPath);
  } catch {
    return { status: 400 };
  }
  if (decoded.includes('\0') || decoded.includes('\\')) return { status: 400 };
  const segments = decoded.split('/');
  if (segments.some((s) => s === '..' || s === '.')) return { status: 400 };
  const rel = decoded === '/' || decoded.endsWith('/') ? `${decoded}index.html` : decoded;
  const file = path.resolve(root, `.${rel}`);
  const within = (p: string): boolean => {
    const r = path.relative(root, p);
    return r !== '' && !r.startsWith('..') && !path.isAbsolute(r);
  };
  if (!within(file)) return { status: 400 };
  return { file };
}

/** Starts the server; resolves once it listens (with the URL to open), rejects on a port in use. */
export async function startPlayground(opts: PlaygroundOptions = {}): Promise<{ server: Server; url: string }> {
  const host = opts.host ?? '127.0.0.1';
  const port = opts.port ?? 8080;
  const rootGiven = opts.root ?? DEFAULT_ROOT;
  if (!existsSync(path.join(rootGiven, 'index.html'))) {
    throw new PlaygroundServerError('NOT_BUILT', `the playground bundle is missing (${rootGiven}); run npm run build`);
  }
  const root = realpathSync(rootGiven);
  const server = createServer((req, res) => {
    const send = (status: number, body: string | Buffer, type = 'text/plain; charset=utf-8'): void => {
      res.writeHead(status, { ...ISOLATION_HEADERS, 'Content-Type': type, 'Content-Length': Buffer.byteLength(body) });
      res.end(req.method === 'HEAD' ? undefined : body);
    };
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('Allow', 'GET, HEAD');
      send(405, 'method not allowed\n');
      return;
    }
    const r = resolveRequestPath(root, req.url ?? '/');
    if ('status' in r) {
      send(r.status, r.status === 400 ? 'bad request path\n' : 'not found\n');
      return;
    }
    void (async () => {
      try {
        // Symlinks inside the folder may not lead out of it.
        const real = await fs.realpath(r.file);
        const rel = path.relative(root, real);
        if (rel === '' || rel.startsWith('..') || path.isAbsolute(rel)) return send(404, 'not found\n');
        const st = await fs.stat(real);
        if (!st.isFile()) return send(404, 'not found\n');
        send(200, await fs.readFile(real), TYPES[path.extname(real).toLowerCase()] ?? 'application/octet-stream');
      } catch {
        send(404, 'not found\n');
      }
    })();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (e: NodeJS.ErrnoException) => {
      if (e.code === 'EADDRINUSE') reject(new PlaygroundServerError('PORT_IN_USE', `port ${port} on ${host} is in use; stop what uses it or pick another with --port`));
      else reject(new PlaygroundServerError('LISTEN_FAILED', `cannot listen on ${host}:${port}: ${e.message}`));
    });
    server.listen(port, host, () => resolve());
  });
  const addr = server.address();
  const actual = typeof addr === 'object' && addr ? addr.port : port;
  const shown = host.includes(':') ? `[${host}]` : host;
  return { server, url: `http://${shown}:${actual}/` };
}
