#!/usr/bin/env node
// Legacy HTTP+SSE across hosts (issue 14): a stream held by this stack's
// streams process, its POSTs sent to a second "host" - another worker pool
// behind another lighttpd (tests/lib/ha.sh ha_web, the shipped config)
// sharing only Redis - and the answers arrive on the first host's stream
// through Redis pub/sub.
'use strict';
const fs = require('fs');
const os = require('os');
const path = require('path');
const { execFileSync } = require('child_process');
const { Tap, stackEnv, mintToken } = require('./lib');

const ROOT = path.resolve(__dirname, '../..');
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const redis = (env, ...args) => execFileSync('redis-cli', ['-s', env.REDIS_SOCK, ...args], { encoding: 'utf8' }).trim();

async function until(cond, ms) {
  const end = Date.now() + ms;
  for (;;) {
    if (await cond()) return true;
    if (Date.now() > end) return false;
    await sleep(20);
  }
}

(async () => {
  const t = new Tap();
  const env = stackEnv(t);
  const D = fs.mkdtempSync(path.join(os.tmpdir(), 'cfmcp-sse-host2-'));
  const sh = (script) => execFileSync('sh', ['-c', script], { encoding: 'utf8', env: { ...process.env, ROOT, D,
    BUILD: process.env.BUILD || 'build', WWWDIR: path.join(ROOT, 'deploy/www'), REDIS: `unix:${env.REDIS_SOCK}`, HA_UPSTREAM: `${env.SIM_URL}/client/v4` } });
  const stop = () => sh(`for f in "$D"/web2/httpd.pid "$D"/web2/worker.pid; do [ -f "$f" ] && kill "$(cat "$f")" 2>/dev/null; done; true`);
  try {
    fs.copyFileSync(env.CFMCP_KEY_FILE, path.join(D, 'key'));
    fs.chmodSync(path.join(D, 'key'), 0o600);
    sh('. "$ROOT/tests/lib/ha.sh" && ha_web "$D" web2 "$REDIS"');
    const host2 = `http://127.0.0.1:${fs.readFileSync(path.join(D, 'web2', 'port'), 'utf8').trim()}`;
    t.ok(host2 !== env.CFMCP_BASE, 'a second host (worker pool + lighttpd) shares this stack\'s Redis');

    const token = mintToken(env);
    const res = await fetch(`${env.CFMCP_BASE}/mcp/${token}/sse`, { headers: { Accept: 'text/event-stream' } });
    const reader = res.body.getReader();
    const dec = new TextDecoder();
    let text = '';
    const pump = (async () => {
      try { for (;;) { const { value, done } = await reader.read(); if (done) break; text += dec.decode(value, { stream: true }); } } catch { /* cancelled */ }
    })();
    await until(() => /\n\n/.test(text), 5000);
    const url = (/^data: (\/mcp\/\S+)$/m.exec(text) || [])[1];
    t.ok(res.status === 200 && url, 'host 1 holds the stream and announced the endpoint');

    const post = (base, u, body) => fetch(`${base}${u}`, { method: 'POST', headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(body), signal: AbortSignal.timeout(30000) });
    let r = await post(host2, url, { jsonrpc: '2.0', id: 41, method: 'tools/list' });
    t.is(r.status, 202, 'POST tools/list to host 2 -> 202');
    await until(() => /"id":41/.test(text), 5000);
    t.ok(/event: message\ndata: \{"jsonrpc":"2.0","id":41,"result":\{"tools":\[/.test(text),
      'the answer of host 2\'s worker arrives on host 1\'s stream');
    r = await post(host2, url.replace(token, mintToken(env)), { jsonrpc: '2.0', id: 42, method: 'ping' });
    const j = await r.json().catch(() => null);
    t.ok(r.status === 404 && j && j.error, 'host 2 refuses the session with another token\'s URL (404, JSON-RPC error)');

    await reader.cancel();
    await pump;
    const gone = await until(() => redis(env, 'PUBSUB', 'CHANNELS', 'cfmcp:sse-ch:*') === '' &&
      redis(env, '--scan', '--pattern', 'cfmcp:sse:*') === '', 8000);
    t.ok(gone, 'the stream closed: no session key and no subscription left');
    r = await post(host2, url, { jsonrpc: '2.0', id: 43, method: 'ping' });
    t.is(r.status, 404, 'host 2 answers a POST to the finished session 404');
  } catch (e) {
    t.ok(false, 'second host', e && e.stack);
  } finally {
    stop();
    fs.rmSync(D, { recursive: true, force: true });
  }
  t.done();
})().catch((e) => (Tap.current || new Tap()).bail(e));
