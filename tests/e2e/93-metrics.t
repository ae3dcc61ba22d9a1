#!/usr/bin/env node
// Issue 16, Metrics: GET /metrics through the web server is Prometheus text
// that `promtool check metrics` accepts; who may read it (loopback by
// REMOTE_ADDR from the web server, else an API key; never a header); a
// real Prometheus scrapes it every second, and after a scripted sequence
// PromQL through its HTTP API gives the exact increases; a killed worker
// shows as a restart and the counts survive it.
'use strict';
const fs = require('fs');
const os = require('os');
const net = require('net');
const path = require('path');
const { spawn, spawnSync, execFileSync } = require('child_process');
const { Tap, stackEnv, mintToken, post, sim, api } = require('./lib');

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const ROOT = path.resolve(__dirname, '../..');
const BUILD = path.resolve(ROOT, process.env.BUILD || 'build');

// One FastCGI request straight to the worker socket (FastCGI 1.0 §3, §5),
// so the test chooses REMOTE_ADDR as a web server would report a remote
// peer. Returns { status, body }.
function fcgi(sock, params) {
  const rec = (type, content) => {
    const h = Buffer.alloc(8);
    h.writeUInt8(1, 0); h.writeUInt8(type, 1); h.writeUInt16BE(1, 2);
    h.writeUInt16BE(content.length, 4);
    return Buffer.concat([h, content]);
  };
  const len = (n) => (n < 128 ? Buffer.from([n]) : Buffer.from([(n >>> 24) | 0x80, (n >>> 16) & 255, (n >>> 8) & 255, n & 255]));
  const kv = Buffer.concat(Object.entries(params).map(([k, v]) =>
    Buffer.concat([len(Buffer.byteLength(k)), len(Buffer.byteLength(v)), Buffer.from(k), Buffer.from(v)])));
  return new Promise((resolve, reject) => {
    const c = net.connect(sock);
    const chunks = [];
    c.setTimeout(10000, () => { c.destroy(); reject(new Error('fastcgi timeout')); });
    c.on('error', reject);
    c.on('data', (d) => chunks.push(d));
    c.on('end', () => {
      const all = Buffer.concat(chunks);
      let out = Buffer.alloc(0);
      for (let o = 0; o + 8 <= all.length;) {
        const type = all[o + 1], n = all.readUInt16BE(o + 4), pad = all[o + 6];
        if (type === 6) out = Buffer.concat([out, all.subarray(o + 8, o + 8 + n)]);
        o += 8 + n + pad;
      }
      const text = out.toString('utf8');
      const m = /^Status: (\d+)/m.exec(text);
      resolve({ status: m ? Number(m[1]) : 0, body: text.slice(text.indexOf('\r\n\r\n') + 4) });
    });
    c.write(Buffer.concat([rec(1, Buffer.from([0, 1, 0, 0, 0, 0, 0, 0])), rec(4, kv), rec(4, Buffer.alloc(0)), rec(5, Buffer.alloc(0))]));
  });
}

// The value of one series in an exposition ("name{labels}" exactly).
const sample = (text, series) => {
  const line = text.split('\n').find((l) => l.startsWith(series + ' '));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
};

(async () => {
  const t = new Tap();
  const env = stackEnv(t);
  const scrape = async () => (await fetch(`${env.CFMCP_BASE}/metrics`, { signal: AbortSignal.timeout(10000) }));

  // ---- the page, through the web server, from loopback --------------------------------------
  const r0 = await scrape();
  const page0 = await r0.text();
  t.ok(r0.status === 200 && /^text\/plain; version=0\.0\.4/.test(r0.headers.get('content-type')),
    `GET /metrics through ${env.STACK_SERVER} from loopback: 200, text format 0.0.4`, `${r0.status} ${r0.headers.get('content-type')}`);
  const check = spawnSync('promtool', ['check', 'metrics'], { input: page0, encoding: 'utf8' });
  if (check.error) t.skip('promtool check metrics', 'promtool not installed (deploy/deps.sh test installs prometheus)');
  else t.ok(check.status === 0, 'promtool check metrics accepts the page', (check.stdout + check.stderr).slice(0, 2000));
  const tools = execFileSync(path.join(BUILD, 'cfmcp-worker'), ['--check', '--list-tools'], { encoding: 'utf8',
    env: { ...process.env, CFMCP_SCHEMAS: path.join(ROOT, 'schemas'), CFMCP_OPENAPI: 'off', CFMCP_CONFIG_FILE: '',
      CFMCP_KEY_FILE: env.CFMCP_KEY_FILE } }).split('\n').filter(Boolean).length;
  t.is(sample(page0, 'cfmcp_catalog_tools'), tools, `cfmcp_catalog_tools is the catalogue's size (${tools})`);
  // open legacy SSE streams, as Redis counts them: one more while a stream is open
  {
    const before = sample(page0, 'cfmcp_sse_streams_open');
    const ac = new AbortController();
    const s = await fetch(`${env.CFMCP_BASE}/mcp/${mintToken(env)}/sse`, { headers: { Accept: 'text/event-stream' }, signal: ac.signal });
    const reader = s.body.getReader();
    await reader.read(); // the endpoint event: the stream has subscribed
    const during = sample(await (await scrape()).text(), 'cfmcp_sse_streams_open');
    ac.abort();
    let after = during;
    for (let i = 0; i < 100 && after !== before; i++) {
      await sleep(50);
      after = sample(await (await scrape()).text(), 'cfmcp_sse_streams_open');
    }
    t.ok(s.status === 200 && Number.isInteger(before) && during === before + 1 && after === before,
      'cfmcp_sse_streams_open: one more while a legacy SSE stream is open, back after it closed', { status: s.status, before, during, after });
  }
  const post405 = await fetch(`${env.CFMCP_BASE}/metrics`, { method: 'POST', body: '' });
  t.is(post405.status, 405, 'POST /metrics: 405');

  // ---- access: REMOTE_ADDR from the web server, never a header -------------------------------
  const sock = env.WORKER_SOCK || path.join(env.CFMCP_DIR, 'worker.sock');
  const remote = (extra = {}) => fcgi(sock, { REQUEST_METHOD: 'GET', REQUEST_URI: '/metrics', SCRIPT_NAME: '/metrics',
    SERVER_PROTOCOL: 'HTTP/1.1', REMOTE_ADDR: '203.0.113.9', ...extra });
  let a = await remote();
  t.is(a.status, 401, 'a remote peer without an API key: 401');
  a = await remote({ HTTP_X_FORWARDED_FOR: '127.0.0.1', HTTP_X_REAL_IP: '127.0.0.1', HTTP_REMOTE_ADDR: '127.0.0.1' });
  t.is(a.status, 401, 'X-Forwarded-For / X-Real-IP / Remote-Addr headers saying 127.0.0.1 change nothing: 401');
  a = await remote({ HTTP_AUTHORIZATION: 'Bearer not-a-key' });
  t.ok(a.status === 401 && !a.body.includes('not-a-key'), 'a wrong API key: 401, not echoed');
  a = await remote({ HTTP_AUTHORIZATION: `Bearer ${env.ADMIN_KEY}` });
  t.ok(a.status === 200 && a.body.includes('# TYPE cfmcp_requests_total counter'), 'a remote peer with a valid API key: 200');
  a = await fcgi(sock, { REQUEST_METHOD: 'GET', REQUEST_URI: '/metrics', REMOTE_ADDR: '::1' });
  t.is(a.status, 200, 'REMOTE_ADDR ::1 is loopback: 200');

  // ---- a real Prometheus ------------------------------------------------------------------------
  const have = spawnSync('prometheus', ['--version'], { encoding: 'utf8' });
  if (have.error) {
    t.skip('Prometheus scrapes /metrics', 'prometheus not installed (deploy/deps.sh test installs it)');
    return t.done();
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cfmcp-prom-'));
  const port = await new Promise((res) => { const s = net.createServer().listen(0, '127.0.0.1', () => { const p = s.address().port; s.close(() => res(p)); }); });
  const target = new URL(env.CFMCP_BASE).host;
  fs.writeFileSync(path.join(dir, 'prometheus.yml'), [
    'global:', '  scrape_interval: 1s', '  scrape_timeout: 1s', 'scrape_configs:', '  - job_name: cfmcp',
    '    metrics_path: /metrics', '    static_configs:', `      - targets: ['${target}']`, ''].join('\n'));
  const prom = spawn('prometheus', [`--config.file=${path.join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${path.join(dir, 'data')}`,
    `--web.listen-address=127.0.0.1:${port}`], { stdio: ['ignore', 'ignore', fs.openSync(path.join(dir, 'prom.log'), 'w')] });
  const stop = () => { try { prom.kill('SIGTERM'); } catch { /* gone */ } };
  process.on('exit', () => { stop(); fs.rmSync(dir, { recursive: true, force: true }); });
  const query = async (q) => {
    const res = await fetch(`http://127.0.0.1:${port}/api/v1/query?query=${encodeURIComponent(q)}`, { signal: AbortSignal.timeout(5000) });
    const j = await res.json();
    if (j.status !== 'success') throw new Error(`PromQL ${q}: ${JSON.stringify(j).slice(0, 300)}`);
    return j.data.result;
  };
  const value = async (q) => { const v = await query(q); return v.length ? Number(v[0].value[1]) : 0; };
  // A scrape taken after `since` (Unix seconds), bounded: 30 s.
  const scrapedAfter = async (since) => {
    for (let i = 0; i < 150; i++) {
      try {
        const v = await query('timestamp(up{job="cfmcp"})');
        const up = await query('up{job="cfmcp"}');
        if (v.length && Number(v[0].value[1]) > since && up.length && up[0].value[1] === '1') return true;
      } catch { /* not up yet */ }
      await sleep(200);
    }
    return false;
  };
  t.ok(await scrapedAfter(Date.now() / 1000), 'Prometheus scrapes the stack\'s /metrics through the web server (up == 1)',
    (() => { try { return fs.readFileSync(path.join(dir, 'prom.log'), 'utf8').slice(-1500); } catch { return ''; } })());

  const Q = {
    notFound: 'cfmcp_requests_total{method="none",status="404"}',
    list: 'cfmcp_mcp_messages_total{method="tools/list"}',
    listReq: 'cfmcp_requests_total{method="tools/list",status="200"}',
    readOk: 'cfmcp_tool_calls_total{class="read",outcome="ok"}',
    readLimited: 'cfmcp_tool_calls_total{class="read",outcome="rate_limited"}',
    invalid: 'sum(cfmcp_tool_calls_total{outcome="invalid"})',
    up429: 'cfmcp_upstream_responses_total{status="429"}',
    passed429: 'cfmcp_upstream_rate_limited_total',
    upCount: 'cfmcp_upstream_duration_seconds_count',
    redis: 'cfmcp_redis_duration_seconds_count',
  };
  const read = async () => { const o = {}; for (const [k, q] of Object.entries(Q)) o[k] = await value(q); return o; };
  const before = await read();

  // The scripted sequence.
  const tok = mintToken(env);
  const H = { 'MCP-Protocol-Version': '2025-06-18' };
  const call = (name, args) => post(env, tok, { jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name, arguments: args } }, H);
  // Both shipped configs route /metrics/... to the worker, which has no such page: its 404.
  for (let i = 0; i < 4; i++) await fetch(`${env.CFMCP_BASE}/metrics/none-${i}`).then((r) => r.text());
  const l = await post(env, tok, { jsonrpc: '2.0', id: 1, method: 'tools/list' }, H);
  await sim(env, 'reset', {});
  const ok1 = await call('list_all_cloudflare_zones', { limit: 5 });
  await sim(env, 'fault', { match: '/zones', kind: '429' });
  const lim = await call('list_all_cloudflare_zones', { limit: 5 });
  await sim(env, 'reset', {});
  const bad = await call('list_all_cloudflare_zones', { limit: 'many' });
  t.ok(l.status === 200 && ok1.json.result.isError === false && lim.json.result.isError === true &&
    lim.json.result.structuredContent.status === 429 && (bad.json.error || bad.json.result.isError),
    'the sequence ran: tools/list, a read call, a 429 passed through, a validation error', [l.status, ok1.text.slice(0, 200), lim.text.slice(0, 200), bad.text.slice(0, 200)]);
  const t1 = Date.now() / 1000;
  t.ok(await scrapedAfter(t1 + 0.5), 'Prometheus scraped again after the sequence');
  const after = await read();
  const d = Object.fromEntries(Object.keys(Q).map((k) => [k, after[k] - before[k]]));
  t.diag(`deltas: ${JSON.stringify(d)}`);
  t.is(d.notFound, 4, 'PromQL: requests{method="none",status="404"} rose by exactly 4');
  t.ok(d.redis >= 1, `PromQL: Redis round trips observed (${d.redis})`);
  // The per-method and per-outcome figures come from the records the core
  // reports (record.h), counted after each answer.
  t.ok(d.list === 1 && d.listReq === 1, 'PromQL: one tools/list message and request');
  t.ok(d.readOk === 1, 'PromQL: tool_calls{class="read",outcome="ok"} +1');
  t.ok(d.readLimited === 1 && d.up429 === 1 && d.passed429 === 1, 'PromQL: the 429: rate_limited +1, upstream 429 +1, passed through +1');
  t.ok(d.invalid === 1, 'PromQL: one invalid call');
  t.ok(d.upCount === 2, 'PromQL: two upstream latencies observed');

  // ---- a killed worker: restarts + 1, counts survive ---------------------------------------------
  const master = Number(fs.readFileSync(path.join(env.CFMCP_DIR, 'worker.pid'), 'utf8'));
  const kids = (() => { try { return execFileSync('pgrep', ['-P', String(master)], { encoding: 'utf8' }).split('\n').filter(Boolean).map(Number); } catch { return []; } })();
  const p1 = await (await scrape()).text();
  const restarts0 = sample(p1, 'cfmcp_worker_restarts_total');
  const nf0 = sample(p1, Q.notFound);
  const alive0 = sample(p1, 'cfmcp_workers_alive');
  t.ok(kids.length >= 1 && alive0 === kids.length, `cfmcp_workers_alive (${alive0}) is the master's worker count (${kids.length})`);
  process.kill(kids[0], 'SIGKILL');
  let p2 = '';
  for (let i = 0; i < 100; i++) {
    p2 = await (await scrape()).text();
    if (sample(p2, 'cfmcp_worker_restarts_total') === restarts0 + 1 && sample(p2, 'cfmcp_workers_alive') === alive0) break;
    await sleep(100);
  }
  t.is(sample(p2, 'cfmcp_worker_restarts_total'), restarts0 + 1, 'a worker killed with SIGKILL: cfmcp_worker_restarts_total + 1');
  t.is(sample(p2, 'cfmcp_workers_alive'), alive0, 'and the pool is whole again');
  t.ok(sample(p2, Q.notFound) >= nf0 && nf0 >= 4, 'the counts survive the dead worker (one shared block)');
  const t2 = Date.now() / 1000;
  t.ok(await scrapedAfter(t2 + 0.5) && (await value('cfmcp_worker_restarts_total')) === restarts0 + 1,
    'PromQL sees the restart too');
  stop();
  t.done();
})().catch((e) => (Tap.current || new Tap()).bail(e));
