/**
 * @file The playground's server and command (no browser needed): COOP/COEP on every response, the
 * bundle files served with their types, localhost by default, nothing outside its folder (raw
 * HTTP requests with `..`, %-encoded dots and slashes, double encoding, NUL, backslashes), only GET
 * and HEAD, and `plexus playground` refusing a bad or taken port with a clear message (exit 2).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, symlinkSync, writeFileSync, mkdirSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { Server } from 'node:http';
import { ISOLATION_HEADERS, resolveRequestPath, startPlayground } from '../apps/playground/server.js';
import { main } from '../apps/cli/main.js';

/** Sends `request` verbatim over TCP (no client-side URL normalisation) and returns the response text. */
function raw(port: number, request: string): Promise<string> {
  return new Promise((resolve, reject) => {
    // Written without ending our side: the server answers, then closes (Connection: close).
    const sock = net.connect(port, '127.0.0.1', () => sock.write(request));
    let buf = '';
    sock.setEncoding('utf8');
    sock.on('data', (d: string) => (buf += d));
    sock.on('end', () => resolve(buf));
    sock.on('error', reject);
  });
}

const status = (res: string): number => Number(/^HTTP\/1\.1 (\d{3})/.exec(res)?.[1]);
const get = (p: string): string => `GET ${p} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n`;

async function runCli(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(['node', 'plexus', ...args], { out: (t) => (out += t), err: (t) => (err += t) });
  return { code, out, err };
}

describe('playground server', () => {
  let server: Server;
  let port: number;
  let dir: string;
  const SECRET = 'secret-outside-the-folder';

  before(async () => {
    // A served folder with a sibling file the server must never hand out, and a symlink leading to it.
    dir = mkdtempSync(path.join(os.tmpdir(), 'plexus-pg-'));
    mkdirSync(path.join(dir, 'www'));
    writeFileSync(path.join(dir, 'www', 'index.html'), '<!doctype html><title>x</title>');
    writeFileSync(path.join(dir, 'www', 'app.js'), 'console.log(1);');
    writeFileSync(path.join(dir, 'package.json'), SECRET);
    symlinkSync(path.join(dir, 'package.json'), path.join(dir, 'www', 'link.json'));
    ({ server } = await startPlayground({ port: 0, root: path.join(dir, 'www') }));
    port = (server.address() as net.AddressInfo).port;
  });

  after(() => {
    server?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('binds to 127.0.0.1 by default and serves the page with COOP/COEP headers', async () => {
    assert.equal((server.address() as net.AddressInfo).address, '127.0.0.1');
    const res = await fetch(`http://127.0.0.1:${port}/`);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('cross-origin-opener-policy'), 'same-origin');
    assert.equal(res.headers.get('cross-origin-embedder-policy'), 'require-corp');
    assert.match(res.headers.get('content-type')!, /^text\/html/);
    const js = await fetch(`http://127.0.0.1:${port}/app.js?v=1`);
    assert.equal(js.status, 200);
    assert.match(js.headers.get('content-type')!, /^text\/javascript/);
    const missing = await fetch(`http://127.0.0.1:${port}/nope.js`);
    assert.equal(missing.status, 404);
    assert.equal(missing.headers.get('cross-origin-embedder-policy'), ISOLATION_HEADERS['Cross-Origin-Embedder-Policy']);
  });

  it('serves nothing outside its folder (raw requests: .., encoded dots and slashes, NUL, backslash, symlink)', async () => {
    const attacks = [
      '/../package.json', '/%2e%2e/package.json', '/%2E%2E/package.json', '/..%2fpackage.json', '/%2e%2e%2fpackage.json',
      '/.%2e/package.json', '/app.js/../../package.json', '/..\\package.json', '/%5c..%5cpackage.json', '/app.js%00',
      '/%252e%252e/package.json', '/link.json', '//etc/passwd', '/./index.html', '/%zz', 'package.json',
    ];
    for (const a of attacks) {
      const res = await raw(port, get(a));
      assert.ok([400, 404].includes(status(res)), `${a}: status ${status(res)}`);
      assert.ok(!res.includes(SECRET), `${a}: leaked the file outside the folder`);
    }
    assert.equal(status(await raw(port, get('/index.html'))), 200);
  });

  it('maps request paths: the folder index, nested files, refusals', () => {
    const root = path.resolve('/srv/www');
    assert.deepEqual(resolveRequestPath(root, '/'), { file: path.join(root, 'index.html') });
    assert.deepEqual(resolveRequestPath(root, '/a/b.js?x=1'), { file: path.join(root, 'a', 'b.js') });
    assert.deepEqual(resolveRequestPath(root, '/%2e%2e/x'), { status: 400 });
    assert.deepEqual(resolveRequestPath(root, '/a%00'), { status: 400 });
  });

  it('allows only GET and HEAD', async () => {
    assert.equal(status(await raw(port, 'POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\nConnection: close\r\n\r\n')), 405);
    const head = await raw(port, 'HEAD / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    assert.equal(status(head), 200);
    assert.ok(!head.includes('<title>'), 'HEAD returned a body');
  });

  it('plexus playground refuses a port in use, naming it (exit 2)', async () => {
    const taken = net.createServer();
    await new Promise<void>((r) => taken.listen(0, '127.0.0.1', r));
    const busy = (taken.address() as net.AddressInfo).port;
    try {
      const r = await runCli(['playground', '--port', String(busy)]);
      assert.equal(r.code, 2, r.err);
      assert.match(r.err, new RegExp(`plexus playground: port ${busy} on 127\\.0\\.0\\.1 is in use; stop what uses it or pick another with --port \\[PORT_IN_USE\\]`));
    } finally {
      taken.close();
    }
  });

  it('plexus playground refuses a bad port or host (exit 2)', async () => {
    for (const p of ['abc', '-1', '65536', '1.5', '']) {
      const r = await runCli(['playground', '--port', p]);
      assert.equal(r.code, 2, `--port ${p}: ${r.err}`);
      assert.match(r.err, /--port: must be an integer in \[0, 65535\]/);
    }
    const h = await runCli(['playground', '--host', 'a b']);
    assert.equal(h.code, 2);
    assert.match(h.err, /--host: expected a host name or address/);
  });
});
