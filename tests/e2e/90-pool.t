#!/usr/bin/env node
// The worker pool under faults, through lighttpd: a worker killed with
// SIGKILL during sequential requests loses at most its own request and is
// replaced within 1 s; SIGTERM lets an in-flight request finish; SIGHUP
// rolls the workers without failing requests; Redis stopped -> 503 with a
// JSON-RPC body, Redis back -> service resumes without restarting workers.
'use strict';
const fs = require('fs');
const path = require('path');
const { execFileSync } = require('child_process');
const { Tap, stackEnv, mintToken, post, sim, api } = require('./lib');

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const children = (pid) => {
  try { return execFileSync('pgrep', ['-P', String(pid)], { encoding: 'utf8' }).split('\n').filter(Boolean).map(Number); }
  catch { return []; }
};
const alive = (pid) => { try { process.kill(pid, 0); return true; } catch { return false; } };

(async () => {
  const t = new Tap();
  const env = stackEnv(t);
  const master = Number(fs.readFileSync(path.join(env.CFMCP_DIR, 'worker.pid'), 'utf8'));
  const tok = mintToken(env);
  const list = { jsonrpc: '2.0', id: 1, method: 'tools/list' };
  const before = children(master);
  t.ok(before.length >= 2, `pool master ${master} has ${before.length} workers`);
  // bug_sigpipe_caught: FCGX_Init put libfcgi's empty SIGPIPE handler over
  // SIG_IGN, so every EPIPE (lighttpd closing before FCGI_END_REQUEST, on
  // about half the requests) delivered a signal. Bit 13 of SigIgn, not SigCgt.
  if (process.env.CFMCP_TEST_PREFIX) t.skip('bug_sigpipe_caught: each worker ignores SIGPIPE', 'the workers run under a wrapper (valgrind catches every signal)');
  else {
    const sig = before.map((p) => {
      const st = fs.readFileSync(`/proc/${p}/status`, 'utf8');
      const bit = (k) => (BigInt('0x' + new RegExp(`^${k}:\\s*([0-9a-f]+)`, 'm').exec(st)[1]) >> 12n) & 1n;
      return { pid: p, ignored: bit('SigIgn') === 1n, caught: bit('SigCgt') === 1n };
    });
    t.ok(sig.every((x) => x.ignored && !x.caught), 'bug_sigpipe_caught: each worker ignores SIGPIPE (no signal per EPIPE)', sig);
  }

  // 1. SIGKILL one worker in the middle of 60 sequential requests.
  let failures = 0, killedAt = 0, replacedMs = -1;
  const victim = before[0];
  for (let i = 0; i < 60; i++) {
    if (i === 20) {
      process.kill(victim, 'SIGKILL');
      killedAt = Date.now();
    }
    const r = await post(env, tok, list).catch(() => ({ status: 0 }));
    if (r.status !== 200) failures++;
    if (killedAt && replacedMs < 0) {
      const now = children(master);
      if (now.length === before.length && !now.includes(victim)) replacedMs = Date.now() - killedAt;
    }
    await sleep(10);
  }
  t.ok(failures <= 1, `at most one request lost while a worker was killed (lost ${failures})`);
  // the time is printed, not asserted (tests never assert wall-clock times)
  t.ok(replacedMs >= 0, `killed worker replaced (in ${replacedMs} ms)`);

  // The replacement takes requests: its read syscalls grow while it serves.
  // (Freezing the other workers does not prove it: libfcgi serialises
  // accept() with a lock, and a frozen worker may hold it.)
  const now = children(master);
  const fresh = now.filter((p) => !before.includes(p));
  t.is(fresh.length, 1, 'exactly one new worker');
  const reads = (pid) => Number((/syscr: (\d+)/.exec(fs.readFileSync(`/proc/${pid}/io`, 'utf8')) || [])[1]);
  const r0 = reads(fresh[0]);
  let okAll = true;
  for (let i = 0; i < 40; i++) okAll = (await post(env, tok, list)).status === 200 && okAll;
  t.ok(okAll && reads(fresh[0]) > r0 + 10, `the replacement serves requests (its read syscalls ${r0} -> ${reads(fresh[0])})`);

  // 2. SIGTERM to a worker busy with a slow upstream call: the call completes.
  await sim(env, 'reset', {});
  await sim(env, 'fault', { match: '/zones', kind: 'delay', delay_ms: 1200 });
  const busy = children(master);
  for (const p of busy.slice(1)) process.kill(p, 'SIGSTOP'); // route the call to busy[0]
  const call = post(env, tok, { jsonrpc: '2.0', id: 2, method: 'tools/call',
    params: { name: 'list_all_cloudflare_zones', arguments: { limit: 5 } } });
  await sleep(300);
  process.kill(busy[0], 'SIGTERM');
  for (const p of busy.slice(1)) process.kill(p, 'SIGCONT');
  const rc = await call;
  t.ok(rc.status === 200 && rc.json.result && rc.json.result.isError === false,
    'in-flight tools/call finished after its worker got SIGTERM', rc.text && rc.text.slice(0, 200));
  // bounded wait: under ASan the exit runs LeakSanitizer's scan first,
  // which on a loaded machine takes longer than a fixed pause
  for (let i = 0; i < 200 && alive(busy[0]); i++) await sleep(50);
  t.ok(!alive(busy[0]), 'the worker exited after finishing its request');

  // 3. SIGHUP: a new generation replaces every worker; requests keep working.
  const gen1 = children(master);
  process.kill(master, 'SIGHUP');
  let hupFail = 0;
  for (let i = 0; i < 30; i++) {
    const r = await post(env, tok, list).catch(() => ({ status: 0 }));
    if (r.status !== 200) hupFail++;
    await sleep(20);
  }
  const gen2 = children(master);
  t.ok(gen2.length === gen1.length && gen2.every((p) => !gen1.includes(p)), 'SIGHUP rolled every worker', { gen1, gen2 });
  t.is(hupFail, 0, 'no request failed during the roll');

  // 4. Redis stopped: 503 + Retry-After + JSON-RPC body; back: service resumes.
  const redisPid = Number(fs.readFileSync(path.join(env.CFMCP_DIR, 'redis.pid'), 'utf8'));
  // snapshot first: the restarted Redis loads it, as a production Redis with persistence would
  execFileSync('redis-cli', ['-s', env.REDIS_SOCK, 'SAVE']);
  process.kill(redisPid, 'SIGTERM');
  for (let i = 0; i < 100 && alive(redisPid); i++) await sleep(20);
  const t1 = Date.now();
  const down = await post(env, tok, list);
  t.ok(down.status === 503 && down.headers.get('retry-after') && down.json && down.json.error &&
    down.json.error.code === -32603, 'Redis down -> 503, Retry-After, JSON-RPC error', down.text);
  // no time is asserted (a hang would end in post's 30 s abort, failing the check above)
  t.diag(`the 503 came after ${Date.now() - t1} ms (printed, not asserted)`);
  const mg = await api(env, 'GET', '/integrated-account');
  t.ok(mg.status === 503 && mg.json && mg.json.error === 'service_unavailable' && mg.headers.get('retry-after'),
    'management API with Redis down -> 503 JSON error, Retry-After', mg.text);
  // the same start as the harness's (tests/lib/stack.sh), into the same directory
  execFileSync('sh', ['-c', '. "$ROOT/tests/lib/stack.sh" && stack_start_redis "$CFMCP_DIR"'],
    { env: { ...process.env, ROOT: path.resolve(__dirname, '..', '..'), CFMCP_DIR: env.CFMCP_DIR }, stdio: 'inherit' });
  const up = await post(env, tok, list);
  t.is(up.status, 200, 'after Redis returns, the next request succeeds without restarting workers');
  t.ok(children(master).length === gen2.length && children(master).every((p) => gen2.includes(p)),
    'no worker crashed or restarted through the outage');

  // 5. The idle wake-up's SO_RCVTIMEO on the listener (the audit trail's
  // batches) is inherited by each TCP connection accepted, not by unix ones,
  // so the worker clears it on TCP only: on both, a request whose body
  // comes 400 ms after its head (over the 100 ms) is read whole and answered.
  {
    const { spawn } = require('child_process');
    const { request } = require('../../bench/fcgi-probe');
    const net = require('net');
    const port = await new Promise((res) => { const s = net.createServer(); s.listen(0, '127.0.0.1', () => { const p = s.address().port; s.close(() => res(p)); }); });
    const BUILD = path.resolve(__dirname, '..', '..', process.env.BUILD || 'build');
    const pre = (process.env.CFMCP_TEST_PREFIX || '').split(' ').filter(Boolean);
    const argv = ['-n', '-a', '127.0.0.1', '-p', String(port), '--', ...pre, path.join(BUILD, 'cfmcp-worker'), '--workers', '1'];
    const log = path.join(env.CFMCP_DIR, 'worker-tcp.log');
    const pool = spawn('spawn-fcgi', argv, { stdio: ['ignore', fs.openSync(log, 'a'), fs.openSync(log, 'a')],
      env: { ...process.env, CFMCP_REDIS: `unix:${env.REDIS_SOCK}`, CFMCP_UPSTREAM_URL: `${env.SIM_URL}/client/v4`, CFMCP_KEY_FILE: env.CFMCP_KEY_FILE,
        CFMCP_SCHEMAS: path.resolve(__dirname, '..', '..', 'schemas'), CFMCP_OPENAPI: 'off', CFMCP_PUBLIC_URL: env.CFMCP_BASE, CFMCP_LOG_FILE: log,
        CFMCP_AUDIT_MAXLEN: '1000', CFMCP_AUDIT_FLUSH_MS: '100' } });
    const body = Buffer.from(JSON.stringify(list));
    const ask = (pauseMs) => request({ host: '127.0.0.1', port }, `/mcp/${tok}`, body, { HTTP_MCP_PROTOCOL_VERSION: '2025-06-18' }, { pauseMs });
    let first = '';
    for (let i = 0; i < 600 && !/"tools"/.test(first); i++) { first = await ask(0).catch(() => ''); if (!/"tools"/.test(first)) await sleep(50); }
    t.ok(/"tools"/.test(first), 'a pool on a TCP socket answers tools/list', first.slice(0, 200));
    const slow = await ask(400).catch((e) => `error: ${e.message}`);
    t.ok(/^Status: 200/m.test(slow) && /"tools"/.test(slow), 'TCP: a body 400 ms after the head is read whole and answered (no timeout inherited from the listener)', slow.slice(0, 300));
    pool.kill('SIGTERM');
    await new Promise((r) => (pool.exitCode !== null ? r() : pool.on('exit', r)));
    // and the stack's own pool, on its unix socket, where the worker leaves the connection alone
    const slowUnix = await request(env.WORKER_SOCK, `/mcp/${tok}`, body, { HTTP_MCP_PROTOCOL_VERSION: '2025-06-18' }, { pauseMs: 400 }).catch((e) => `error: ${e.message}`);
    t.ok(/^Status: 200/m.test(slowUnix) && /"tools"/.test(slowUnix), 'unix socket: a body 400 ms after the head is read whole and answered', slowUnix.slice(0, 300));
  }
  t.done();
})().catch((e) => (Tap.current || new Tap()).bail(e));
