#!/usr/bin/env node
// bench/run.js - `make bench`: start the real stack (lighttpd, the worker
// pool, Redis, the simulator) the way the tests do, run each scenario with
// wrk next to its baseline measured in the same run, and print a table of
// req/s and p50/p99 with the ratios the targets are stated in. Writes the
// table and the machine's description to bench/last-run.md.
// Knobs: BENCH_DURATION (s, default 10), BENCH_WORKERS (default 2),
// BENCH_CONNECTIONS (default 16), BENCH_PEER_WORKERS (TS SDK processes, default
// BENCH_WORKERS), BENCH_SDK_SIZES (scenario 7's catalogue sizes, default
// "25,500,full"; empty skips it), BENCH_ONLY (start: the start-up scenarios
// only; sdk: scenario 7 only; audit: the audit trail pair only),
// BENCH_AUDIT_ROUNDS (rounds of the audit trail's on/off/simulator blocks,
// default 100) and BENCH_AUDIT_BLOCK (calls per block, default 100).
'use strict';
const fs = require('fs');
const os = require('os');
const path = require('path');
const net = require('net');
const { execFileSync, spawn, spawnSync } = require('child_process');

const { ROOT, BUILD, sh, startStack, stopStack } = require('./stack');
const DUR = Number(process.env.BENCH_DURATION || 10);
const WORKERS = Number(process.env.BENCH_WORKERS || 2);
const CONN = Number(process.env.BENCH_CONNECTIONS || 16);
const PEER_WORKERS = Number(process.env.BENCH_PEER_WORKERS || WORKERS);
const SDK_SIZES = (process.env.BENCH_SDK_SIZES ?? '25,500,full').split(',').map((s) => s.trim()).filter(Boolean);
const ONLY = process.env.BENCH_ONLY || '';
module.paths.push(path.join(ROOT, 'tests/node_modules'));
const { request: fcgiRequest } = require('./fcgi-probe');
const { alternate, median } = require('./alternate');

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const freePort = () => new Promise((res) => { const s = net.createServer(); s.listen(0, '127.0.0.1', () => { const p = s.address().port; s.close(() => res(p)); }); });
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cfmcp-bench-'));
const procs = [];

function wrk(url, { body, headers = [], conns = CONN, method = 'POST', dur = DUR }) {
  const bf = path.join(dir, `body-${Math.random().toString(36).slice(2)}.json`);
  fs.writeFileSync(bf, typeof body === 'string' ? body : JSON.stringify(body || {}));
  const r = spawnSync('wrk', ['-t', String(Math.min(2, conns)), '-c', String(conns), '-d', `${dur}s`, '--latency', '-s', path.join(__dirname, 'post.lua'), url],
    { encoding: 'utf8', env: { ...process.env, BENCH_BODY: bf, BENCH_HEADERS: headers.join('|'), BENCH_METHOD: method } });
  const m = /RESULT rps=([\d.]+) p50=(\d+) p99=(\d+) errors=(\d+) status=(\d+) bytes=(\d+) n=(\d+)/.exec(r.stdout || '');
  if (!m) throw new Error(`wrk failed: ${r.stderr || r.stdout}`);
  const [rps, p50, p99, errors, status, bytes, n] = m.slice(1).map(Number);
  return { rps, p50: p50 / 1000, p99: p99 / 1000, errors, status, bytes, n };
}

async function post(url, body, headers = {}) {
  const res = await fetch(url, { method: 'POST', body: JSON.stringify(body),
    headers: { 'Content-Type': 'application/json', Accept: 'application/json, text/event-stream', ...headers } });
  return { status: res.status, text: await res.text() };
}

function rssKiB(pid) {
  const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) : NaN;
}
const children = (pid) => { try { return execFileSync('pgrep', ['-P', String(pid)], { encoding: 'utf8' }).trim().split('\n').map(Number); } catch { return []; } };

// Start a cfmcp pool directly on a unix socket (no web server): time from
// spawn to the first answered request (FastCGI, fcgi-probe.js), and RSS.
async function startup(schemas, label, extraEnv = {}, workers = 1, build = BUILD) {
  const sock = path.join(dir, `${label}.sock`);
  const body = Buffer.from(JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'ping' }));
  const tok = fs.readFileSync(path.join(dir, 'token'), 'utf8').trim();
  const t0 = process.hrtime.bigint();
  const p = spawn(path.join(build, 'cfmcp-worker'), ['--listen', `unix:${sock}`, '--workers', String(workers)], { stdio: 'ignore',
    env: { ...process.env, CFMCP_SCHEMAS: schemas, CFMCP_OPENAPI: 'off', CFMCP_REDIS: `unix:${process.env.REDIS_SOCK}`, CFMCP_KEY_FILE: process.env.CFMCP_KEY_FILE, CFMCP_LOG_FILE: path.join(dir, `${label}.log`), ...extraEnv } });
  let answered = null;
  for (let i = 0; i < 4000 && !answered; i++) {
    try {
      const r = await fcgiRequest(sock, `/mcp/${tok}`, body);
      if (/^Status: 200/.test(r)) answered = process.hrtime.bigint();
    } catch { await sleep(1); }
  }
  const ms = answered ? Number(answered - t0) / 1e6 : NaN;
  // tools/list once, so the catalogue's rendered pages are touched, then RSS
  await fcgiRequest(sock, `/mcp/${tok}`, Buffer.from(JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'tools/list' })));
  const kids = children(p.pid);
  const rss = kids.length ? Math.max(...kids.map(rssKiB)) : NaN;
  // private memory of a worker: what each additional one costs (smaps_rollup)
  const privateDirty = (pid) => { const m = /Private_Dirty:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8')); return m ? Number(m[1]) : NaN; };
  const pd = kids.length ? Math.max(...kids.map(privateDirty)) : NaN;
  p.kill('SIGTERM');
  await new Promise((r) => p.on('exit', r));
  return { ms, rssKiB: rss, pdKiB: pd };
}

// Issue 13, scenario 7: tools/list against the TS SDK peer at several
// catalogue sizes. For each size the stack's pool is restarted on that
// catalogue (25: the curated schemas; a number N: N generated tools,
// gen-catalog.js; full: the curated schemas plus the vendored OpenAPI) with
// one page holding every tool; a token with no filter in tool_mode tools
// lists them all, and the peer is started on that very answer, so both
// sides serve the same tools in the same bytes, with the same process
// count. The pool goes back to the stack's own settings at the end.
async function sdkSizes({ D, E, listBody, H25, row, fmt, fail }) {
  // tool_mode tools: every tool in tools/list, whatever the size (auto
  // would answer 3 discovery tools past 100 tools or 60 KB)
  const tok = sh(`stack_admin mcp create "${E.ACCOUNT_ID}" --name bench-sdk --tool-mode tools | awk '$1 == "url" { print $2 }'`,
    { CFMCP_DIR: D, CFMCP_BASE: E.CFMCP_BASE, ACCOUNT_ID: E.ACCOUNT_ID }).trim().replace(/^.*\//, '');
  if (!tok) throw new Error('scenario 7: cfmcp-admin mcp create gave no URL');
  const url = `${E.CFMCP_BASE}/mcp/${tok}`;
  const H = { 'MCP-Protocol-Version': '2025-06-18' };
  const pool = (vars) => sh(`_kill_pidfile "${D}/worker.pid" TERM && stack_start_worker "${D}"`,
    { UPSTREAM_URL: `${E.SIM_URL}/client/v4`, CFMCP_BASE: E.CFMCP_BASE, STACK_WORKERS: String(WORKERS), ...vars });
  // until an answer with n tools (n 0: any 200), or null after ~20 s
  const answer = async (u, n) => {
    for (let i = 0; i < 400; i++) {
      try {
        const r = await post(u, listBody, H);
        if (r.status === 200 && (!n || JSON.parse(r.text).result.tools.length === n)) return r;
      } catch { /* not up yet */ }
      await sleep(50);
    }
    return null;
  };
  try {
    for (const size of SDK_SIZES) {
      let vars;
      let what;
      if (size === 'full') {
        vars = { CFMCP_SCHEMAS: path.join(ROOT, 'schemas'), CFMCP_OPENAPI: path.join(ROOT, 'schemas', 'openapi', 'openapi.json') };
        what = 'full catalogue (curated + OpenAPI)';
      } else if (size === '25') {
        vars = { CFMCP_SCHEMAS: path.join(ROOT, 'schemas'), CFMCP_OPENAPI: 'off' };
        what = 'curated catalogue';
      } else if (/^[1-9]\d*$/.test(size)) {
        const g = path.join(dir, `sdk-gen-${size}`);
        execFileSync(process.execPath, [path.join(__dirname, 'gen-catalog.js'), g, size]);
        vars = { CFMCP_SCHEMAS: g, CFMCP_OPENAPI: 'off' };
        what = `${size} generated tools`;
      } else {
        throw new Error(`BENCH_SDK_SIZES: "${size}" is not 25, a number of generated tools or full`);
      }
      pool({ ...vars, CFMCP_TOOLS_PAGE_SIZE: '10000' });
      const listed = await answer(url, 0);
      if (!listed) throw new Error(`scenario 7 (${size}): the pool did not answer tools/list`);
      const lj = JSON.parse(listed.text);
      if (lj.result.nextCursor) throw new Error(`scenario 7 (${size}): tools/list is paged`);
      const file = path.join(dir, `sdk-list-${size}.json`);
      fs.writeFileSync(file, listed.text);
      const pport = await freePort();
      const peer = spawn(process.execPath, [path.join(__dirname, 'peers/ts-sdk-server.js'), String(pport), file, String(PEER_WORKERS)],
        { stdio: 'ignore', env: { ...process.env, NODE_PATH: path.join(ROOT, 'tests/node_modules') } });
      procs.push(peer);
      const purl = `http://127.0.0.1:${pport}/mcp`;
      try {
        const theirs = await answer(purl, lj.result.tools.length);
        // the envelope's key order differs ({result, jsonrpc, id}); the result's bytes must not
        if (!theirs || JSON.stringify(JSON.parse(theirs.text).result) !== JSON.stringify(lj.result) || theirs.text.length !== listed.text.length)
          throw new Error(`scenario 7 (${size}): the TS SDK peer does not serve the same tools/list bytes`);
        process.stderr.write(`bench: scenario 7, tools/list of the ${what} (${lj.result.tools.length} tools, ${listed.text.length} bytes), ${DUR} s each\n`);
        const ours = wrk(url, { body: listBody, headers: H25 });
        const sdk = wrk(purl, { body: listBody, headers: H25 });
        for (const r of [ours, sdk]) if (r.errors || r.status) fail(`errors in a scenario 7 run (${size}): ${JSON.stringify(r)}`);
        row(`tools/list (c${CONN}), ${what}: ${lj.result.tools.length} tools, ${listed.text.length} bytes`, fmt(ours),
          `TS SDK stateless server (${PEER_WORKERS} process${PEER_WORKERS > 1 ? 'es' : ''}), same bytes: ${fmt(sdk)}`,
          `req/s ÷ TS SDK (p50 ÷: ${(sdk.p50 / ours.p50).toFixed(1)})`, ours.rps / sdk.rps, '(reported)', null);
      } finally {
        peer.kill('SIGTERM');
        await new Promise((r) => (peer.exitCode !== null || peer.signalCode !== null ? r() : peer.on('exit', r)));
      }
    }
  } finally {
    pool({ CFMCP_TOOLS_PAGE_SIZE: '100' }); // the stack's own pool again, as startStack started it
    await answer(`${E.CFMCP_BASE}/mcp/${tok}`, 0);
  }
}

(async () => {
  const out = [];
  const row = (name, ours, base, ratioLabel, ratio, target, met) => out.push({ name, ours, base, ratioLabel, ratio, target, met });
  const fmt = (r) => (r ? `${r.rps.toFixed(0)} req/s, p50 ${r.p50.toFixed(3)} ms, p99 ${r.p99.toFixed(3)} ms` : '');
  const D = path.join(dir, 'stack');
  fs.mkdirSync(D);
  let ok = true;
  try {
    process.stderr.write(`bench: starting the stack in ${D} (${WORKERS} workers)\n`);
    const { E: stackEnv, tok } = startStack(D, WORKERS);
    Object.assign(process.env, stackEnv);
    const E = process.env;
    fs.writeFileSync(path.join(dir, 'token'), tok);
    const url = `${E.CFMCP_BASE}/mcp/${tok}`;
    const H25 = ['MCP-Protocol-Version: 2025-06-18'];
    const meta = { 'io.modelcontextprotocol/protocolVersion': '2026-07-28', 'io.modelcontextprotocol/clientCapabilities': {},
      'io.modelcontextprotocol/clientInfo': { name: 'bench', version: '1' } };
    const listBody = { jsonrpc: '2.0', id: 1, method: 'tools/list', params: {} };
    const initBody = { jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'bench', version: '1' } } };
    const discBody = { jsonrpc: '2.0', id: 1, method: 'server/discover', params: { _meta: meta } };
    const H26 = ['MCP-Protocol-Version: 2026-07-28', 'Mcp-Method: server/discover'];
    const callBody = { jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'list_all_cloudflare_zones', arguments: {} } };

    // A lighttpd of its own in front of `sock`, from the shipped config
    // rendered as the stack renders it (the TLS include needs the stack's cert).
    const lighttpdFront = async (LD, sock) => {
      const render = (tpl, outFile, vars) => fs.writeFileSync(outFile, execFileSync('sh', [path.join(ROOT, 'deploy/render.sh'), tpl], { env: { ...process.env, ...vars }, encoding: 'utf8' }));
      fs.mkdirSync(path.join(LD, 'cfmcp/lighttpd'), { recursive: true });
      fs.mkdirSync(path.join(LD, 'docroot'), { recursive: true });
      const port = await freePort(), tlsPort = await freePort();
      const vars = { CFMCP_SOCKET: sock, CFMCP_LOGMASK: path.join(BUILD, 'cfmcp-logmask'), LOGDIR: LD,
        TLS_LISTEN: `127.0.0.1:${tlsPort}`, TLS_CERT: path.join(D, 'tls.crt'), TLS_KEY: path.join(D, 'tls.key'), DIR: LD, PORT: String(port),
        WWWDIR: path.join(ROOT, 'deploy/www') };
      for (const f of ['cfmcp.conf', 'cfmcp-tls.conf']) render(path.join(ROOT, 'deploy/lighttpd', f), path.join(LD, 'cfmcp/lighttpd', f), vars);
      render(path.join(ROOT, 'deploy/lighttpd/lighttpd-test.conf'), path.join(LD, 'lighttpd.conf'), vars);
      procs.push(spawn('lighttpd', ['-D', '-f', path.join(LD, 'lighttpd.conf')], { stdio: 'ignore' }));
      return `http://127.0.0.1:${port}`;
    };

    // Issue 16: tools/call with the audit trail on (CFMCP_AUDIT_MAXLEN=100000)
    // and off (0). The machine's speed drifts by more than the gap measured
    // from one second to the next (a reload of one pool moved p50 by 5-15 %;
    // wrk runs of 1 s alternated still differed by ±10 %), so: two pools
    // started alike, differing only in that setting, each behind its own
    // lighttpd from the shipped config, on the stack's Redis and simulator,
    // both warm; and one client (alternate.js) sending blocks of
    // BENCH_AUDIT_BLOCK calls to each and to the simulator directly (the
    // added latency's baseline), in a rotating order, BENCH_AUDIT_ROUNDS
    // times, so every arm sees the same drift. Worker and Redis CPU per call
    // are reported as well.
    const auditPair = async () => {
      process.stderr.write('bench: scenario 6, tools/call with the audit trail on and off\n');
      const ROUNDS = Number(process.env.BENCH_AUDIT_ROUNDS || 100);
      const BLOCK = Number(process.env.BENCH_AUDIT_BLOCK || 100);
      const rcli = (...a) => execFileSync('redis-cli', ['-s', E.REDIS_SOCK, ...a], { encoding: 'utf8' });
      const xlen = () => Number(rcli('XLEN', `cfmcp:audit:${E.ACCOUNT_ID}`).trim());
      const tck = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
      const cpuMs = (pid) => { const f = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' '); return (Number(f[11]) + Number(f[12])) * 1000 / tck; };
      const redisCpu = () => { const i = rcli('INFO', 'cpu'); const g = (k) => Number((new RegExp(`${k}:([\\d.]+)`).exec(i) || [])[1] || 0); return (g('used_cpu_sys') + g('used_cpu_user')) * 1000; };
      const arms = {};
      for (const [mode, n] of [['on', 100000], ['off', 0]]) {
        const AD = path.join(dir, `audit-${mode}`);
        fs.mkdirSync(AD);
        for (const f of ['redis.sock', 'key']) fs.symlinkSync(path.join(D, f), path.join(AD, f));
        const aconf = path.join(AD, 'cfmcp.conf');
        fs.writeFileSync(aconf, `CFMCP_AUDIT_MAXLEN=${n}\n`);
        sh(`stack_start_worker "${AD}"`, { CFMCP_CONFIG_FILE: aconf, STACK_WORKERS: String(WORKERS), UPSTREAM_URL: `${E.SIM_URL}/client/v4`, CFMCP_BASE: E.CFMCP_BASE });
        const master = Number(fs.readFileSync(path.join(AD, 'worker.pid'), 'utf8'));
        procs.push({ kill: (sig) => process.kill(master, sig) });
        const base = await lighttpdFront(path.join(AD, 'httpd'), path.join(AD, 'worker.sock'));
        const u = `${base}/mcp/${tok}`;
        let up = false;
        for (let i = 0; i < 100 && !up; i++) { try { up = (await post(u, callBody, { 'MCP-Protocol-Version': '2025-06-18' })).status === 200; } catch { /* not yet */ } if (!up) await sleep(50); }
        if (!up) throw new Error(`audit ${mode}: the pool behind ${base} does not answer`);
        const pool = () => children(master).filter(Boolean).reduce((a, pid) => { try { return a + cpuMs(pid); } catch { return a; } }, 0);
        arms[mode] = { url: u, method: 'POST', headers: { 'Content-Type': 'application/json', Accept: 'application/json, text/event-stream', 'MCP-Protocol-Version': '2025-06-18' }, body: JSON.stringify(callBody), pool };
      }
      arms.sim = { url: `${E.SIM_URL}/client/v4/zones`, method: 'GET', headers: { Authorization: `Bearer ${E.SIM_TOKEN}` }, pool: () => 0 };
      const before = xlen(), c0 = { on: arms.on.pool(), off: arms.off.pool() };
      // Redis CPU per block, each block's gap included (where an on block's last entries are written)
      const rcpu = { on: 0, off: 0, sim: 0 };
      let last = redisCpu(), lastArm = null;
      const res = await alternate(arms, { rounds: ROUNDS, block: BLOCK, onBlock: (name) => { const now = redisCpu(); if (lastArm) rcpu[lastArm] += now - last; last = now; lastArm = name; } });
      await sleep(300);
      rcpu[lastArm] += redisCpu() - last;
      const written = xlen() - before, calls = res.on.n + res.off.n;
      const cpu = { on: { w: arms.on.pool() - c0.on, r: rcpu.on, n: res.on.n }, off: { w: arms.off.pool() - c0.off, r: rcpu.off, n: res.off.n } };
      for (const m of ['on', 'off', 'sim']) if (res[m].bad) { ok = false; process.stderr.write(`bench: audit pair: ${res[m].bad} answers not 200 (${m})\n`); }
      const q = (xs, f) => xs.slice().sort((x, y) => x - y)[Math.min(xs.length - 1, Math.floor(f * xs.length))];
      const p50 = (m) => median(res[m].lat.flat()) / 1000; // ms
      // The figure: added latency (p50 through cfmcp − p50 of the simulator
      // direct) on ÷ off, from every call of each arm; its 90 % interval from
      // resampled rounds (seeded: the same calls print the same interval).
      const added = (rounds, m) => median(rounds.flatMap((i) => res[m].lat[i])) - median(rounds.flatMap((i) => res.sim.lat[i]));
      const all = res.on.lat.map((_, i) => i);
      const addedOn = added(all, 'on'), addedOff = added(all, 'off');
      const ratio = addedOn / addedOff;
      let seed = 1;
      const rnd = () => { seed = (seed * 48271) % 2147483647; return seed / 2147483647; };
      const boot = Array.from({ length: 400 }, () => { const rs = all.map(() => Math.floor(rnd() * all.length)); return added(rs, 'on') / added(rs, 'off'); }).sort((x, y) => x - y);
      const lo = boot[20], hi = boot[379];
      const diffs = res.on.blocks.map((x, i) => x - res.off.blocks[i]); // µs, per round
      const slower = diffs.filter((x) => x > 0).length;
      // every call of the on pool wrote its entry, and the off pool none: the stream grew by exactly the on calls
      // (the warm-up rounds included), nothing else writes to it meanwhile
      if (written !== res.on.n + res.on.warmN) { ok = false; process.stderr.write(`bench: audit pair: the stream grew by ${written} for ${res.on.n + res.on.warmN} calls with the trail on (and ${res.off.n + res.off.warmN} off)\n`); }
      const fmtA = (m) => `p50 ${p50(m).toFixed(3)} ms, p99 ${(q(res[m].lat.flat(), 0.99) / 1000).toFixed(3)} ms`;
      row('tools/call (c1), audit trail on', `${fmtA('on')}, added ${addedOn.toFixed(1)} µs (${calls} calls, ${written} entries written; block medians on − off: quartiles ${q(diffs, 0.25).toFixed(1)} to ${q(diffs, 0.75).toFixed(1)} µs, on slower in ${slower} of ${ROUNDS} rounds)`,
        `same run, CFMCP_AUDIT_MAXLEN=0: ${fmtA('off')}, added ${addedOff.toFixed(1)} µs; simulator direct ${fmtA('sim')} (${ROUNDS} rounds of ${BLOCK}-call blocks per arm, order rotating, one client)`,
        `added p50 on ÷ off (90 % interval ${lo.toFixed(3)}-${hi.toFixed(3)})`, ratio, '≤ 1.05', ratio <= 1.05);
      const per = (c, k) => (c[k] * 1000) / Math.max(1, c.n);
      row('tools/call (c1), audit trail on: worker CPU per call', `${per(cpu.on, 'w').toFixed(1)} µs; Redis ${per(cpu.on, 'r').toFixed(1)} µs`, `audit off: ${per(cpu.off, 'w').toFixed(1)} µs; Redis ${per(cpu.off, 'r').toFixed(1)} µs`,
        'worker CPU on ÷ off', per(cpu.on, 'w') / per(cpu.off, 'w'), '(reported)', null);
    };
    if (ONLY === 'audit') await auditPair();

    let core;
    const sdkCtx = { D, E, listBody, H25, row, fmt, fail: (m) => { ok = false; process.stderr.write(`bench: ${m}\n`); } };
    if (ONLY === 'sdk') {
      if (SDK_SIZES.length) await sdkSizes(sdkCtx);
    } else if (!ONLY) {
    // The exact bytes each answer has, for the static responder.
    const listed = await post(url, listBody, { 'MCP-Protocol-Version': '2025-06-18' });
    const listJson = JSON.parse(listed.text);
    if (listed.status !== 200 || !listJson.result || listJson.result.nextCursor) throw new Error(`tools/list: ${listed.status} ${listed.text.slice(0, 200)}`);
    fs.writeFileSync(path.join(dir, 'tools-list.json'), listed.text);
    const initAns = await post(url, initBody);
    fs.writeFileSync(path.join(dir, 'init.json'), initAns.text);

    // Baseline (a): the minimal libfcgi responder behind the same lighttpd
    // config (deploy/lighttpd/cfmcp.conf, rendered as the stack renders it).
    const SD = path.join(dir, 'static');
    fs.mkdirSync(path.join(SD, 'docroot'), { recursive: true });
    const staticUp = (file) => {
      const p = spawn('spawn-fcgi', ['-n', '-s', path.join(SD, 'static.sock'), '-M', '0600', '--', path.join(BUILD, 'bench/fcgi-static'), file, String(WORKERS)], { stdio: 'ignore' });
      procs.push(p);
      return p;
    };
    let stat = staticUp(path.join(dir, 'tools-list.json'));
    const surl = `${await lighttpdFront(SD, path.join(SD, 'static.sock'))}/mcp/${tok}`;
    for (let i = 0; i < 100; i++) { try { if ((await post(surl, listBody)).status === 200) break; } catch { /* not yet */ } await sleep(50); }
    const chk = await post(surl, listBody);
    if (chk.text !== listed.text) throw new Error('the static responder does not return the same bytes');

    // Baseline (b): the TypeScript SDK peer, same tools, same process count.
    const pport = await freePort();
    const peer = spawn(process.execPath, [path.join(__dirname, 'peers/ts-sdk-server.js'), String(pport), path.join(dir, 'tools-list.json'), String(PEER_WORKERS)],
      { stdio: 'ignore', env: { ...process.env, NODE_PATH: path.join(ROOT, 'tests/node_modules') } });
    procs.push(peer);
    const purl = `http://127.0.0.1:${pport}/mcp`;
    let pj = null;
    for (let i = 0; i < 100 && !pj; i++) { try { const r = await post(purl, listBody, { 'MCP-Protocol-Version': '2025-06-18' }); if (r.status === 200) pj = JSON.parse(r.text); } catch { await sleep(50); } }
    if (!pj || pj.result.tools.length !== listJson.result.tools.length) throw new Error('the TS SDK peer does not list the same tools');

    process.stderr.write(`bench: scenario 1, tools/list (${listJson.result.tools.length} tools, ${listed.text.length} bytes), ${DUR} s each\n`);
    const ours = wrk(url, { body: listBody, headers: H25 });
    const floor = wrk(surl, { body: listBody, headers: H25 });
    const sdk = wrk(purl, { body: listBody, headers: H25 });
    row('tools/list, read scope (c16)', fmt(ours), `minimal libfcgi responder: ${fmt(floor)}`, 'req/s ÷ minimal', ours.rps / floor.rps, '≥ 0.8', ours.rps / floor.rps >= 0.8);
    row('tools/list, read scope (c16)', fmt(ours), `TS SDK stateless server (${PEER_WORKERS} process${PEER_WORKERS > 1 ? 'es' : ''}): ${fmt(sdk)}`, 'req/s ÷ TS SDK', ours.rps / sdk.rps, '≥ 15', ours.rps / sdk.rps >= 15);
    row('tools/list bytes, default read scope', `${listed.text.length} bytes (${listJson.result.tools.length} tools)`, '', 'bytes', listed.text.length, '≤ 40 KB', listed.text.length <= 40960);

    process.stderr.write('bench: scenario 2, tools/call vs the simulator directly\n');
    const simUrl = `${E.SIM_URL}/client/v4/zones`;
    const simH = [`Authorization: Bearer ${E.SIM_TOKEN}`];
    const call1 = wrk(url, { body: callBody, headers: H25, conns: 1 });
    const sim1 = wrk(simUrl, { method: 'GET', headers: simH, conns: 1 });
    const call16 = wrk(url, { body: callBody, headers: H25 });
    const sim16 = wrk(simUrl, { method: 'GET', headers: simH });
    row('tools/call list_all_cloudflare_zones (c1)', fmt(call1), `simulator direct: ${fmt(sim1)}`, 'added p50 (ms)', call1.p50 - sim1.p50, '≤ 0.3 ms', call1.p50 - sim1.p50 <= 0.3);
    row('tools/call list_all_cloudflare_zones (c1)', fmt(call1), `simulator direct: ${fmt(sim1)}`, 'added p99 (ms)', call1.p99 - sim1.p99, '(reported)', null);
    row('tools/call list_all_cloudflare_zones (c16)', fmt(call16), `simulator direct: ${fmt(sim16)}`, 'req/s ÷ direct', call16.rps / sim16.rps, '(reported)', null);

    await auditPair();

    process.stderr.write('bench: scenario 3, initialize and server/discover\n');
    const init = wrk(url, { body: initBody });
    stat.kill('SIGTERM');
    await sleep(300);
    stat = staticUp(path.join(dir, 'init.json'));
    await sleep(500);
    const initFloor = wrk(surl, { body: initBody });
    const disc = wrk(url, { body: discBody, headers: H26 });
    row('initialize (c16)', fmt(init), `minimal responder, same bytes: ${fmt(initFloor)}`, 'req/s ÷ minimal', init.rps / initFloor.rps, '(reported)', null);
    row('server/discover (c16)', fmt(disc), `minimal responder (initialize bytes): ${fmt(initFloor)}`, 'req/s ÷ minimal', disc.rps / initFloor.rps, '(reported)', null);
    for (const r of [ours, floor, sdk, call1, sim1, call16, sim16, init, initFloor, disc]) if (r.errors || r.status) { ok = false; process.stderr.write(`bench: errors in a run: ${JSON.stringify(r)}\n`); }

    process.stderr.write('bench: scenario 5, tools/list while 1,000 legacy SSE streams are held\n');
    {
      const http = require('http');
      const { mintToken } = require(path.join(ROOT, 'tests/e2e/lib'));
      const spid = Number(fs.readFileSync(path.join(D, 'streams.pid'), 'utf8'));
      const open = (token) => new Promise((resolve) => {
        const req = http.get(`${E.CFMCP_BASE}/mcp/${token}/sse`, { agent: false, headers: { Accept: 'text/event-stream' } }, (res) => {
          res.setEncoding('utf8');
          let seen = '';
          res.on('data', (d) => { seen += d; if (/event: endpoint\n/.test(seen)) resolve({ req, ok: true }); });
          res.on('end', () => resolve({ req, ok: false }));
        });
        req.on('error', () => resolve({ req, ok: false }));
      });
      const without = wrk(url, { body: listBody, headers: H25 });
      const rss0 = rssKiB(spid);
      const tokens = Array.from({ length: 63 }, () => mintToken(E));
      const held = [];
      for (let i = 0; i < 1000; i += 100) held.push(...await Promise.all(Array.from({ length: 100 }, (_, j) => open(tokens[Math.floor((i + j) / 16)]))));
      const rss1 = rssKiB(spid);
      const nOk = held.filter((h) => h.ok).length;
      const withS = wrk(url, { body: listBody, headers: H25 });
      for (const h of held) h.req.destroy();
      if (nOk !== 1000 || withS.errors || withS.status) { ok = false; process.stderr.write(`bench: SSE scenario: ${nOk} streams, ${JSON.stringify(withS)}\n`); }
      row('streams process memory, 1,000 idle SSE streams', `${nOk} streams: RSS ${(rss0 / 1024).toFixed(1)} -> ${(rss1 / 1024).toFixed(1)} MiB`, 'no streams', 'KiB per stream', (rss1 - rss0) / 1000, '≤ 64 KiB', (rss1 - rss0) / 1000 <= 64);
      row('tools/list (c16) with 1,000 SSE streams held', fmt(withS), `same run, no streams: ${fmt(without)}`, 'p50 change', withS.p50 / without.p50 - 1, '≤ +10 %', withS.p50 <= without.p50 * 1.1);
    }

    process.stderr.write('bench: scenario 4, a generated catalogue of 1,500 tools\n');
    const gen = path.join(dir, 'gen');
    execFileSync(process.execPath, [path.join(__dirname, 'gen-catalog.js'), gen, '1500']);
    core = await startup(path.join(ROOT, 'schemas'), 'core');
    const big = [];
    for (let i = 0; i < 5; i++) big.push(await startup(gen, `big${i}`));
    big.sort((a, b) => a.ms - b.ms);
    const med = big[2];
    row('worker RSS, 1,500 tools', `${(med.rssKiB / 1024).toFixed(1)} MiB`, `core catalogue (25 tools): ${(core.rssKiB / 1024).toFixed(1)} MiB`, 'MiB', med.rssKiB / 1024, '≤ 16 MiB', med.rssKiB / 1024 <= 16);
    row('start to first answer, 1,500 tools', `${med.ms.toFixed(1)} ms (median of 5: ${big.map((b) => b.ms.toFixed(0)).join(', ')})`, `core catalogue: ${core.ms.toFixed(1)} ms`, 'ms', med.ms, '≤ 100 ms', med.ms <= 100);

    if (SDK_SIZES.length) {
      process.stderr.write(`bench: scenario 7, tools/list against the TS SDK at ${SDK_SIZES.join(', ')}\n`);
      await sdkSizes(sdkCtx);
    }

    } else if (ONLY === 'start') {
      core = await startup(path.join(ROOT, 'schemas'), 'core');
    }

    if (ONLY !== 'sdk' && ONLY !== 'audit') {
      // Issue 12: the imported OpenAPI catalogue (schemas/openapi/openapi.json), two workers.
      process.stderr.write('bench: scenario 5, the OpenAPI catalogue (1,428 tools)\n');
      const oa = [], ob = [];
      const spec = { CFMCP_OPENAPI: path.join(ROOT, 'schemas', 'openapi', 'openapi.json') };
      const baseBuild = process.env.BENCH_BASELINE_BUILD && path.resolve(process.env.BENCH_BASELINE_BUILD);
      for (let i = 0; i < 5; i++) {
        oa.push(await startup(path.join(ROOT, 'schemas'), `openapi${i}`, spec, 2));
        if (baseBuild) ob.push(await startup(path.join(ROOT, 'schemas'), `openapi-base${i}`, spec, 2, baseBuild));
      }
      oa.sort((a, b) => a.ms - b.ms);
      ob.sort((a, b) => a.ms - b.ms);
      const om = oa[2];
      const med5 = (v) => `median of 5: ${v.map((b) => b.ms.toFixed(0)).join(', ')}`;
      row('start to first answer, OpenAPI catalogue', `${om.ms.toFixed(1)} ms (${med5(oa)})`, `core catalogue: ${core.ms.toFixed(1)} ms`, 'ms', om.ms, '≤ 100 ms', om.ms <= 100);
      if (baseBuild)
        row('start to first answer, OpenAPI catalogue, this build ÷ baseline build', `${om.ms.toFixed(1)} ms`, `${baseBuild}: ${ob[2].ms.toFixed(1)} ms (${med5(ob)})`, 'ratio', om.ms / ob[2].ms, '(reported)', null);
      row('worker RSS, OpenAPI catalogue', `${(om.rssKiB / 1024).toFixed(1)} MiB`, `core catalogue: ${(core.rssKiB / 1024).toFixed(1)} MiB`, 'MiB', om.rssKiB / 1024, '≤ 24 MiB', om.rssKiB / 1024 <= 24);
      row('Private_Dirty per worker, OpenAPI catalogue', `${(om.pdKiB / 1024).toFixed(2)} MiB`, 'loaded in the master before fork', 'MiB', om.pdKiB / 1024, '≤ 4 MiB', om.pdKiB / 1024 <= 4);
    }
  } catch (e) {
    ok = false;
    process.stderr.write(`bench: ${e.stack || e}\n`);
  } finally {
    for (const p of procs) { try { p.kill('SIGTERM'); } catch { /* gone */ } }
    stopStack(D);
    if (!process.env.KEEP_BENCH_DIR) fs.rmSync(dir, { recursive: true, force: true });
  }
  const cpu = os.cpus();
  const machine = `${cpu.length} × ${cpu[0] ? cpu[0].model.trim() : '?'}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, ${os.type()} ${os.release()}; ` +
    `${WORKERS} workers, wrk -c ${CONN} for ${DUR} s per run, all on loopback on this one machine`;
  const lines = [`Run ${new Date().toISOString()} on ${machine}`, '',
    '| scenario | cfmcp | baseline (same run) | figure | value | target | met |', '| --- | --- | --- | --- | --- | --- | --- |',
    ...out.map((r) => `| ${r.name} | ${r.ours} | ${r.base} | ${r.ratioLabel} | ${typeof r.ratio === 'number' ? (Math.abs(r.ratio) >= 100 ? r.ratio.toFixed(0) : r.ratio.toFixed(2)) : r.ratio} | ${r.target} | ${r.met === null ? '' : r.met ? 'yes' : '**no**'} |`)];
  console.log(lines.join('\n'));
  fs.writeFileSync(path.join(__dirname, 'last-run.md'), lines.join('\n') + '\n');
  process.exitCode = ok ? 0 : 1;
})();
