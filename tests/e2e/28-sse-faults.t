#!/usr/bin/env node
// The streams process under faults (issue 14): SIGHUP ends every stream
// (clients reconnect) and keeps the process; Redis stopped: open streams get
// an error comment and end, new streams 503 + Retry-After, nothing crashes;
// Redis back: streams open and answers flow again. It restarts the stack's
// Redis the way 90-pool.t does (SAVE first, so the tokens survive).
'use strict';
const fs = require('fs');
const path = require('path');
const { execFileSync } = require('child_process');
const { Tap, stackEnv, mintToken } = require('./lib');

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const alive = (pid) => { try { process.kill(pid, 0); return true; } catch { return false; } };

async function until(cond, ms) {
  const end = Date.now() + ms;
  for (;;) {
    if (await cond()) return true;
    if (Date.now() > end) return false;
    await sleep(20);
  }
}

async function openStream(env, token) {
  const res = await fetch(`${env.CFMCP_BASE}/mcp/${token}/sse`, { headers: { Accept: 'text/event-stream' } });
  const s = { status: res.status, headers: res.headers, text: '', ended: false };
  if (res.status !== 200) {
    s.text = await res.text();
    s.ended = true;
    return s;
  }
  const reader = res.body.getReader();
  const dec = new TextDecoder();
  s.done = (async () => {
    try { for (;;) { const { value, done } = await reader.read(); if (done) break; s.text += dec.decode(value, { stream: true }); } } catch { /* reset */ }
    s.ended = true;
  })();
  s.cancel = () => reader.cancel().catch(() => {});
  await until(() => /\n\n/.test(s.text) || s.ended, 5000);
  s.url = (/^data: (\/mcp\/\S+)$/m.exec(s.text) || [])[1];
  return s;
}

(async () => {
  const t = new Tap();
  const env = stackEnv(t);
  const pid = Number(fs.readFileSync(path.join(env.CFMCP_DIR, 'streams.pid'), 'utf8'));
  const token = mintToken(env);

  // SIGHUP: a roll; every stream ends, the process stays, new streams open
  const a = await openStream(env, token);
  t.ok(a.status === 200 && a.url, 'a stream is open');
  process.kill(pid, 'SIGHUP');
  t.ok(await until(() => a.ended, 3000), 'SIGHUP ends the stream (the client reconnects)');
  const b = await openStream(env, token);
  t.ok(alive(pid) && b.status === 200 && b.url, 'the streams process is still there and opens a new stream');

  // Redis stopped
  const redisPid = Number(fs.readFileSync(path.join(env.CFMCP_DIR, 'redis.pid'), 'utf8'));
  execFileSync('redis-cli', ['-s', env.REDIS_SOCK, 'SAVE']);
  process.kill(redisPid, 'SIGTERM');
  for (let i = 0; i < 100 && alive(redisPid); i++) await sleep(20);
  t.ok(await until(() => b.ended, 3000) && /: error: /.test(b.text), 'Redis gone: the open stream gets an error comment and ends',
    b.text.slice(-200));
  const c = await openStream(env, token);
  let cj = null;
  try { cj = JSON.parse(c.text); } catch { /* checked */ }
  t.ok(c.status === 503 && c.headers.get('retry-after') && cj && cj.error, 'a new stream while Redis is down -> 503, Retry-After, JSON-RPC error',
    { status: c.status, body: c.text.slice(0, 200) });
  t.ok(alive(pid), 'the streams process did not crash');

  // Redis back
  execFileSync('sh', ['-c', '. "$ROOT/tests/lib/stack.sh" && stack_start_redis "$CFMCP_DIR"'],
    { env: { ...process.env, ROOT: path.resolve(__dirname, '..', '..'), CFMCP_DIR: env.CFMCP_DIR }, stdio: 'inherit' });
  let d = null;
  await until(async () => { d = await openStream(env, token); if (d.status !== 200 && d.cancel) d.cancel(); return d.status === 200; }, 5000);
  t.ok(d && d.status === 200 && d.url, 'Redis back: a stream opens again without a restart');
  const r = await fetch(`${env.CFMCP_BASE}${d.url}`, { method: 'POST', headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 7, method: 'ping' }) });
  t.is(r.status, 202, '... and its POST is accepted');
  t.ok(await until(() => /"id":7,"result":\{\}/.test(d.text), 5000), '... and the answer arrives on the stream');
  // the snapshot brought back the session key of the stream Redis's stop
  // ended: harmless, since nobody subscribes to it any more
  const old = await fetch(`${env.CFMCP_BASE}${b.url}`, { method: 'POST', headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 8, method: 'ping' }) });
  t.is(old.status, 404, 'a POST to the session Redis\'s outage ended -> 404 (nobody receives it)');
  const sid = (/session_id=(\S+)/.exec(b.url) || [])[1];
  if (sid) execFileSync('redis-cli', ['-s', env.REDIS_SOCK, 'DEL', `cfmcp:sse:${sid}`]); // (its TTL would take 30 s)
  d.cancel();
  t.ok(await until(() => execFileSync('redis-cli', ['-s', env.REDIS_SOCK, 'PUBSUB', 'CHANNELS', 'cfmcp:sse-ch:*'], { encoding: 'utf8' }).trim() === '', 8000),
    'no subscription left');
  t.is(Number(fs.readFileSync(path.join(env.CFMCP_DIR, 'streams.pid'), 'utf8')), pid, 'the same streams process throughout');
  t.done();
})().catch((e) => (Tap.current || new Tap()).bail(e));
