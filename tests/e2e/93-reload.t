#!/usr/bin/env node
// bug_sighup_stale_config: SIGHUP must give exactly what a fresh start with
// the new CFMCP_CONFIG_FILE gives. A private worker pool (its own config
// file, its own lighttpd with the shipped cfmcp.conf, the stack's Redis)
// is started, then the file is edited - lines deleted, the log moved, the
// log level changed - and the pool is sent SIGHUP. Settings visible over
// HTTP (tools/list page size, the body cap, allowed Origins) must follow
// the file, a deleted line must fall back to the process environment (or
// the default), and the log must move to the new file at the new level.
// Last, a fresh pool started with the same file must answer byte for byte
// like the reloaded one.
'use strict';
const fs = require('fs');
const os = require('os');
const path = require('path');
const { spawn, execFileSync } = require('child_process');
const { Tap, stackEnv, mintToken } = require('./lib');

const ROOT = path.resolve(__dirname, '..', '..');
const BUILD = path.resolve(ROOT, process.env.BUILD || 'build');
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const children = (pid) => {
  try { return execFileSync('pgrep', ['-P', String(pid)], { encoding: 'utf8' }).split('\n').filter(Boolean).map(Number); }
  catch { return []; }
};
const alive = (pid) => { try { process.kill(pid, 0); return true; } catch { return false; } };
const read = (f) => { try { return fs.readFileSync(f, 'utf8'); } catch { return ''; } };
const freePort = () => new Promise((resolve) => {
  const s = require('net').createServer();
  s.listen(0, '127.0.0.1', () => { const p = s.address().port; s.close(() => resolve(p)); });
});
async function until(ms, fn) {
  const end = Date.now() + ms;
  for (;;) {
    if (await fn()) return true;
    if (Date.now() > end) return false;
    await sleep(50);
  }
}

(async () => {
  const t = new Tap();
  const env = stackEnv(t);
  const D = fs.mkdtempSync(path.join(os.tmpdir(), 'cfmcp-reload-'));
  const sock = path.join(D, 'w.sock'), conf = path.join(D, 'cfmcp.conf');
  const logA = path.join(D, 'a.log'), logB = path.join(D, 'b.log'), out = path.join(D, 'pool.out');
  const procs = [];
  process.on('exit', () => {
    for (const p of procs) if (alive(p)) process.kill(p, 'SIGKILL');
    if (!process.env.KEEP_TEST_DIR) fs.rmSync(D, { recursive: true, force: true });
  });

  // lighttpd in front, with the shipped cfmcp.conf rendered for this pool
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  fs.mkdirSync(path.join(D, 'docroot'));
  fs.writeFileSync(path.join(D, 'cfmcp-lighttpd.conf'), execFileSync('sh', [path.join(ROOT, 'deploy/render.sh'),
    path.join(ROOT, 'deploy/lighttpd/cfmcp.conf')], { env: { ...process.env, CFMCP_SOCKET: sock,
    CFMCP_LOGMASK: path.join(BUILD, 'cfmcp-logmask'), LOGDIR: D, WWWDIR: path.join(ROOT, 'deploy/www') } }));
  fs.writeFileSync(path.join(D, 'lighttpd.conf'), [
    `server.document-root = "${D}/docroot"`, 'server.bind = "127.0.0.1"', `server.port = ${port}`,
    'server.modules = ( )', `include "${D}/cfmcp-lighttpd.conf"`, ''].join('\n'));
  const httpd = spawn('lighttpd', ['-D', '-f', path.join(D, 'lighttpd.conf')], { stdio: 'ignore' });
  procs.push(httpd.pid);

  // The process environment at start: what spawn-fcgi or systemd passes.
  // CFMCP_TOOLS_PAGE_SIZE is set here, so deleting it from the file must
  // bring back 5, not the file's old value and not the default.
  const origEnv = {
    PATH: process.env.PATH,
    CFMCP_REDIS: `unix:${env.REDIS_SOCK}`,
    CFMCP_KEY_FILE: env.CFMCP_KEY_FILE,
    CFMCP_SCHEMAS: process.env.CFMCP_SCHEMAS || path.join(ROOT, 'schemas'),
    CFMCP_UPSTREAM_URL: `${env.SIM_URL || 'http://127.0.0.1:9'}/client/v4`,
    CFMCP_PUBLIC_URL: base,
    CFMCP_TOOLS_PAGE_SIZE: '5',
    CFMCP_CONFIG_FILE: conf,
  };
  for (const k of ['ASAN_OPTIONS', 'UBSAN_OPTIONS', 'LSAN_OPTIONS']) if (process.env[k]) origEnv[k] = process.env[k];
  const prefix = (process.env.CFMCP_TEST_PREFIX || '').split(' ').filter(Boolean);
  const startPool = async () => {
    const fd = fs.openSync(out, 'a');
    const argv = [...prefix, path.join(BUILD, 'cfmcp-worker'), '--listen', `unix:${sock}`, '--workers', '2', '--drain-ms', '3000'];
    const p = spawn(argv[0], argv.slice(1), { env: origEnv, stdio: ['ignore', fd, fd] });
    fs.closeSync(fd);
    procs.push(p.pid);
    const up = await until(prefix.length ? 60000 : 10000, () => fs.existsSync(sock) && children(p.pid).length === 2);
    return up ? p.pid : 0;
  };

  const tok = mintToken(env);
  const post = async (body, headers = {}) => {
    const res = await fetch(`${base}/mcp/${tok}`, { method: 'POST', signal: AbortSignal.timeout(30000), body,
      headers: { 'Content-Type': 'application/json', Accept: 'application/json', ...headers } });
    return { status: res.status, text: await res.text() };
  };
  const list = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' });
  const page = async () => {
    const r = await post(list);
    try { return { n: JSON.parse(r.text).result.tools.length, text: r.text }; } catch { return { n: -1, text: r.text }; }
  };
  const big = list + ' '.repeat(3000 - list.length); // 3000 bytes: over 2048, under the 1 MiB default
  const probe = async () => ({
    page: await page(),
    big: (await post(big)).status,
    origin: (await post(list, { Origin: 'https://one.example' })).status,
  });
  const roll = async (master) => {
    const before = children(master);
    process.kill(master, 'SIGHUP');
    return until(prefix.length ? 60000 : 10000, () => {
      const now = children(master);
      return now.length === 2 && now.every((p) => !before.includes(p));
    });
  };

  // 1. the first file
  fs.writeFileSync(conf, ['CFMCP_TOOLS_PAGE_SIZE=3', 'CFMCP_MAX_BODY=2048', 'CFMCP_ALLOWED_ORIGINS=https://one.example',
    `CFMCP_LOG_FILE=${logA}`, 'CFMCP_LOG_LEVEL=2', ''].join('\n'));
  let master = await startPool();
  t.ok(master > 0, 'a worker pool with a config file starts');
  if (!master) { t.diag(read(out)); t.done(); return; }
  await until(10000, async () => (await fetch(`${base}/healthz-probe`).then(() => true, () => false)));
  let p = await probe();
  t.is(p.page.n, 3, 'page size from the file (3)');
  t.is(p.big, 413, 'CFMCP_MAX_BODY=2048 from the file: a 3000-byte body is 413');
  t.is(p.origin, 200, 'an Origin the file allows is accepted');
  t.ok(/pool: 2 workers/.test(read(logA)), 'the pool logs into CFMCP_LOG_FILE (a.log)');

  // 2. lines deleted, the log moved and quieter: SIGHUP
  fs.writeFileSync(conf, ['# edited: page size, body cap and origins deleted; the log moved', `CFMCP_LOG_FILE=${logB}`,
    'CFMCP_LOG_LEVEL=1', ''].join('\n'));
  const aBefore = read(logA);
  t.ok(await roll(master), 'SIGHUP rolled the workers');
  p = await probe();
  t.is(p.page.n, 5, 'bug_sighup_stale_config: page-size line deleted -> the environment\'s 5, as at a fresh start');
  t.is(p.big, 200, 'bug_sighup_stale_config: body-cap line deleted -> the 1 MiB default: 3000 bytes accepted');
  t.is(p.origin, 403, 'bug_sighup_stale_config: origins line deleted -> only localhost origins: 403');
  const reloaded = p;
  const victim = children(master)[0];
  process.kill(victim, 'SIGKILL');
  const moved = await until(5000, () => /killed by signal 9/.test(read(logB)));
  t.ok(moved, 'bug_sighup_stale_config: after SIGHUP the pool logs into the new CFMCP_LOG_FILE (b.log)');
  t.is(read(logA), aBefore, 'bug_sighup_stale_config: ... and nothing more into the old one (a.log)');
  t.ok(moved && !/pool: reloaded/.test(read(logB)),
    'bug_sighup_stale_config: CFMCP_LOG_LEVEL=1 in force: warnings logged, the info line of the reload not');
  await until(5000, () => children(master).length === 2);

  // 3. the log lines deleted too: back to stderr at the default level
  fs.writeFileSync(conf, '# nothing\n');
  const outBefore = read(out).length;
  t.ok(await roll(master), 'SIGHUP rolled the workers again');
  t.ok(/pool: reloaded/.test(read(out).slice(outBefore)),
    'bug_sighup_stale_config: log lines deleted -> stderr at the default level (info)');

  // 4. a fresh start with the file of step 2 answers like the reload did
  fs.writeFileSync(conf, ['# edited: page size, body cap and origins deleted; the log moved', `CFMCP_LOG_FILE=${logB}`,
    'CFMCP_LOG_LEVEL=1', ''].join('\n'));
  process.kill(master, 'SIGTERM');
  await until(10000, () => !alive(master));
  fs.rmSync(sock, { force: true });
  master = await startPool();
  t.ok(master > 0, 'a fresh pool with the same file starts');
  const fresh = await probe();
  t.ok(fresh.page.text === reloaded.page.text && fresh.big === reloaded.big && fresh.origin === reloaded.origin,
    'bug_sighup_stale_config: the reloaded pool answered exactly as a fresh start does',
    { reloaded: { n: reloaded.page.n, big: reloaded.big, origin: reloaded.origin },
      fresh: { n: fresh.page.n, big: fresh.big, origin: fresh.origin } });

  process.kill(master, 'SIGTERM');
  await until(10000, () => !alive(master));
  process.kill(httpd.pid, 'SIGTERM');
  const logs = read(out) + read(logA) + read(logB);
  t.ok(!/ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:|ERROR SUMMARY: [1-9]/.test(logs),
    'no sanitizer or valgrind error in this pool', logs.slice(-2000));
  t.done();
})().catch((e) => (Tap.current || new Tap()).bail(e));
