// tests/e2e/ha-soak.js - the issue 17 soak, shared by tests/e2e/96-ha.t (20
// connections, 15 s) and bench/soak-ha.js (`make soak-ha`: 200, 60 s).
//
// The topology (tests/lib/ha.sh): HAProxy -> two web hosts (lighttpd + a
// worker pool each, CFMCP_REDIS=sentinel://...) -> Redis primary + replica
// + three Sentinels, all on loopback. Mixed traffic through HAProxy -
// tools/list, tools/call and MCP URL creation - while the run
//   (1) SIGKILLs the Redis primary (restarted once Sentinel has promoted the
//       replica, so it rejoins as the new replica),
//   (2) SIGKILLs one host's worker pool and starts it again,
//   (3) reloads HAProxy (SIGUSR2, master-worker).
// Every answer must be a correct 200/201 or a 503 with Retry-After; a
// connection closed without an answer, or any other status, is wrong. Every
// URL created (201) must work afterwards. Recovery times are measured.
'use strict';
const fs = require('fs');
const os = require('os');
const path = require('path');
const http = require('http');
const { execFileSync } = require('child_process');

const ROOT = path.resolve(__dirname, '../..');
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const kids = (pid) => { try { return execFileSync('pgrep', ['-P', String(pid)], { encoding: 'utf8' }).trim().split('\n').filter(Boolean).map(Number); } catch { return []; } };
const alive = (pid) => { try { process.kill(pid, 0); return true; } catch { return false; } };

function ha(dir, cmd) {
  const build = process.env.BUILD || 'build';
  return execFileSync('sh', ['-c', `. "$ROOT/tests/lib/ha.sh"; ${cmd}`], {
    env: { ...process.env, ROOT, BUILD: path.isAbsolute(build) ? build : path.join(ROOT, build), HA_DIR: dir },
    encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], timeout: 120000 });
}

function readEnv(dir) {
  const env = {};
  for (const line of fs.readFileSync(path.join(dir, 'ha.env'), 'utf8').split('\n')) {
    const m = /^(\w+)='(.*)'$/.exec(line);
    if (m) env[m[1]] = m[2];
  }
  return env;
}

const redisCli = (port, ...args) => execFileSync('redis-cli', ['-p', String(port), ...args], { encoding: 'utf8', timeout: 5000 }).trim();
const primaryPort = (E) => {
  for (const s of E.HA_SENTINELS.split(' ')) {
    try { return Number(redisCli(s, 'SENTINEL', 'get-master-addr-by-name', E.HA_SERVICE).split('\n')[1]); } catch { /* next */ }
  }
  return 0;
};

// Requests sent again because the keep-alive connection they went out on
// was closed by the server before it read them (see request()).
const stats = { staleRetries: 0 };

// One HTTP exchange on the shared keep-alive agent: { status, headers, json,
// text } or { error }. A request that fails on a reused connection before
// any answer byte is sent once more on a new one: the server had closed the
// idle connection as the request went out (HAProxy 2.6 closes idle client
// connections when it reloads), so it never read it. Node's documentation
// prescribes exactly this (http.ClientRequest reusedSocket); browsers and
// undici do the same. A failure on a fresh connection is reported.
function request(agent, base, method, p, body, headers, again = true) {
  return once(agent, base, method, p, body, headers).then((r) => {
    if (r.error && r.reused && again) {
      stats.staleRetries++;
      return request(agent, base, method, p, body, headers, false);
    }
    return r;
  });
}

function once(agent, base, method, p, body, headers) {
  return new Promise((resolve) => {
    const u = new URL(base + p);
    const data = body === undefined ? undefined : JSON.stringify(body);
    const h = { ...headers };
    if (data !== undefined) { h['Content-Type'] = 'application/json'; h['Content-Length'] = Buffer.byteLength(data); }
    const req = http.request({ agent, host: u.hostname, port: u.port, path: u.pathname, method, headers: h, timeout: 20000 }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString();
        let json = null;
        try { json = JSON.parse(text); } catch { /* not JSON */ }
        resolve({ status: res.statusCode, headers: res.headers, json, text });
      });
      res.on('error', (e) => resolve({ error: e.message }));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', (e) => resolve({ error: e.message, reused: req.reusedSocket && e.code === 'ECONNRESET' }));
    req.end(data);
  });
}

const MCP_H = { Accept: 'application/json, text/event-stream', 'MCP-Protocol-Version': '2025-06-18' };

/*
 * run({ connections, seconds, dir, log }) -> the report:
 *   counts { list, call, create, unavailable, wrong }, wrongSamples,
 *   created (URLs), broken (created URLs that did not work afterwards),
 *   times { failoverMs (kill -> Sentinel promoted), resumeMs (promotion ->
 *   first 200), createResumeMs (old primary back as a replica -> first 201),
 *   poolBackMs, reloadGapMs }, events.
 */
async function run({ connections, seconds, dir, log = () => {} }) {
  fs.mkdirSync(dir, { recursive: true });
  const report = { counts: { list: 0, call: 0, create: 0, unavailable: 0, wrong: 0, lostInFlight: 0, reloadDropped: 0 }, wrongSamples: [], reloadSamples: [], created: [],
    broken: [], times: {}, events: [] };
  const t0 = Date.now();
  const ev = (what) => { report.events.push({ at: Date.now() - t0, what }); log(`${((Date.now() - t0) / 1000).toFixed(1)} s: ${what}`); };
  try {
    ha(dir, `ha_up "${dir}"`);
    const E = readEnv(dir);
    ev('topology up: HAProxy -> web1, web2 -> Redis primary + replica + 3 Sentinels');
    const agent = new http.Agent({ keepAlive: true, maxSockets: connections });
    const admin = { Authorization: `Bearer ${E.HA_ADMIN_KEY}` };
    const mk = await request(agent, E.HA_BASE, 'POST', `/integrated-account/${E.HA_ACCOUNT}/mcp`, { name: 'soak', config: { methods: ['read'] } }, admin);
    if (mk.status !== 201) throw new Error(`could not mint the soak URL: ${mk.status} ${mk.text}`);
    const tokPath = new URL(mk.json.url).pathname;
    // the expected answers, taken before any fault
    const list0 = await request(agent, E.HA_BASE, 'POST', tokPath, { jsonrpc: '2.0', id: 1, method: 'tools/list' }, MCP_H);
    const call0 = await request(agent, E.HA_BASE, 'POST', tokPath,
      { jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'list_all_cloudflare_zones', arguments: { limit: 5 } } }, MCP_H);
    const toolNames = JSON.stringify(list0.json.result.tools.map((x) => x.name));
    const zoneIds = JSON.stringify(call0.json.result.structuredContent.result.map((z) => z.id));

    const samples = []; // { at, ms, kind, status }
    let poolKillAt = 0, reloadAt = 0;
    const wrong = (why, r, at) => {
      // Every one of these is a failure; two kinds are counted apart as
      // well, so a failing run says which fault made them:
      // - no answer at all on a connection around the HAProxy reload (the
      //   old process closing idle client connections: what
      //   option idle-close-on-response in deploy/haproxy/haproxy.cfg ends);
      // - a web server's own 500/502 for a request inside web1's pool when
      //   it was SIGKILLed (HAProxy turns those into 503 + Retry-After).
      if (r.error && !r.status && reloadAt && at >= reloadAt - 100 && at <= reloadAt + 3000) {
        report.counts.reloadDropped++;
        if (report.reloadSamples.length < 5) report.reloadSamples.push({ why, at: at - reloadAt, error: r.error });
        return;
      }
      if ((r.status === 500 || r.status === 502) && poolKillAt && at <= poolKillAt + 50 && Date.now() >= poolKillAt) {
        report.counts.lostInFlight++;
        return;
      }
      report.counts.wrong++;
      if (report.wrongSamples.length < 10) report.wrongSamples.push({ why, at: at - t0, status: r.status, error: r.error, body: (r.text || '').slice(0, 200) });
    };
    const unavailable = (r) => r.status === 503 && /^\d+$/.test(String(r.headers['retry-after'] || ''));
    let id = 0, stop = false;
    const one = async (kind) => {
      const myId = ++id, at = Date.now();
      let r;
      if (kind === 'create') {
        r = await request(agent, E.HA_BASE, 'POST', `/integrated-account/${E.HA_ACCOUNT}/mcp`, { name: `soak-${myId}`, config: { methods: ['read'] } }, admin);
        if (r.status === 201 && r.json && typeof r.json.url === 'string' && r.json.url.startsWith(`${E.HA_BASE}/mcp/`)) {
          report.counts.create++;
          report.created.push(r.json.url);
        } else if (unavailable(r)) report.counts.unavailable++;
        else wrong('create', r, at);
      } else {
        const body = kind === 'list' ? { jsonrpc: '2.0', id: myId, method: 'tools/list' }
          : { jsonrpc: '2.0', id: myId, method: 'tools/call', params: { name: 'list_all_cloudflare_zones', arguments: { limit: 5 } } };
        r = await request(agent, E.HA_BASE, 'POST', tokPath, body, MCP_H);
        const j = r.json;
        if (r.status === 200 && j && j.jsonrpc === '2.0' && j.id === myId && j.result &&
            (kind === 'list' ? JSON.stringify((j.result.tools || []).map((x) => x.name)) === toolNames
              : j.result.isError === false && JSON.stringify(j.result.structuredContent.result.map((z) => z.id)) === zoneIds)) {
          report.counts[kind]++;
        } else if (unavailable(r)) report.counts.unavailable++;
        else wrong(kind, r, at);
      }
      samples.push({ at, done: Date.now(), kind, status: r.status || 0 });
    };
    const client = async (n) => {
      let i = n;
      while (!stop) {
        i++;
        await one(i % 10 < 5 ? 'list' : i % 10 < 8 ? 'call' : 'create');
      }
    };
    const L0 = Date.now(); // the schedule counts from the start of the load
    const clients = Array.from({ length: connections }, (_, n) => client(n));
    const S = seconds * 1000;
    const firstAfter = (t, pred) => { const s = samples.filter((x) => x.at >= t && pred(x)).sort((a, b) => a.done - b.done)[0]; return s ? s.done - t : Infinity; };

    // (1) the Redis primary, SIGKILLed
    await sleep(Math.round(S * 0.12));
    const p0 = primaryPort(E);
    const ports = E.HA_REDIS_PORTS.split(' ').map(Number);
    const name0 = ports[0] === p0 ? 'redis1' : 'redis2';
    const rpid = Number(fs.readFileSync(path.join(dir, name0, 'redis.pid'), 'utf8'));
    const killAt = Date.now();
    process.kill(rpid, 'SIGKILL');
    ev(`SIGKILL Redis primary :${p0}`);
    let p1 = p0;
    while (Date.now() - killAt < 30000 && (p1 === p0 || !p1)) { await sleep(25); p1 = primaryPort(E); }
    const promotedAt = Date.now();
    report.times.failoverMs = promotedAt - killAt;
    ev(`Sentinel promoted :${p1} (${report.times.failoverMs} ms after the kill)`);
    // the old primary comes back on its data and port as the new one's
    // replica, as its restart with a Sentinel-managed config would (left
    // to itself it returns as a primary, and Sentinel turns it into a
    // replica some 8 s later; the workers never use it meanwhile)
    ha(dir, `ha_redis "${dir}" ${name0} ${p0} --replicaof 127.0.0.1 ${p1}`);
    let linked = 0;
    const linking = (async () => {
      for (let i = 0; i < 1200 && !linked && !stop; i++) {
        try { linked = /master_link_status:up/.test(redisCli(p0, 'INFO', 'replication')) ? Date.now() : 0; } catch { /* loading */ }
        if (!linked) await sleep(25);
      }
      ev(`old primary :${p0} ${linked ? `back as the replica ${linked - promotedAt} ms after the promotion` : 'not yet a replica'}`);
    })();

    // (2) one host's worker pool, SIGKILLed and started again
    await sleep(Math.max(0, Math.round(S * 0.45) - (Date.now() - L0)));
    const master = Number(fs.readFileSync(path.join(dir, 'web1', 'worker.pid'), 'utf8'));
    const workers = kids(master);
    poolKillAt = Date.now();
    report.poolWorkers = workers.length;
    report.inFlightAtPoolKill = () => samples.filter((x) => x.at <= poolKillAt && x.done >= poolKillAt).length;
    process.kill(master, 'SIGKILL');
    for (const w of workers) try { process.kill(w, 'SIGKILL'); } catch { /* gone */ }
    ev(`SIGKILL web1's worker pool (master ${master}, ${workers.length} workers)`);
    await sleep(Math.round(S * 0.1));
    ha(dir, `HA_UPSTREAM='${E.HA_UPSTREAM}' HA_PUBLIC_URL='${E.HA_BASE}' ha_web "${dir}" web1 '${E.HA_REDIS}'`);
    const poolUpAt = Date.now();
    ev(`web1's worker pool started again (${poolUpAt - poolKillAt} ms after the kill)`);
    // back in HAProxy's rotation: its /healthz checks pass
    report.times.poolBackMs = Infinity;
    for (let i = 0; i < 200; i++) {
      const st = await request(agent, `http://127.0.0.1:${fs.readFileSync(path.join(dir, 'web1', 'port'), 'utf8').trim()}`, 'GET', '/healthz');
      if (st.status === 200) { report.times.poolBackMs = Date.now() - poolUpAt; break; }
      await sleep(25);
    }

    // (3) HAProxy reloaded
    await sleep(Math.max(0, Math.round(S * 0.75) - (Date.now() - L0)));
    const hpid = Number(fs.readFileSync(path.join(dir, 'haproxy.pid'), 'utf8'));
    reloadAt = Date.now();
    process.kill(hpid, 'SIGUSR2');
    ev('HAProxy reloaded (SIGUSR2)');

    await sleep(Math.max(0, S - (Date.now() - L0)));
    stop = true;
    await Promise.all(clients);
    await linking;
    ev(`load stopped: ${samples.length} answers`);

    // recovery times
    const okMcp = (x) => x.status === 200;
    report.times.resumeMs = firstAfter(promotedAt, okMcp);
    report.times.createResumeMs = linked ? firstAfter(linked, (x) => x.kind === 'create' && x.status === 201) : Infinity;
    const during = samples.filter((x) => x.at > killAt + 50 && x.done < promotedAt);
    report.times.duringFailover = { answers: during.length, ok: during.filter(okMcp).length, unavailable: during.filter((x) => x.status === 503).length };
    const aroundReload = samples.filter((x) => x.at >= reloadAt - 50 && x.at < reloadAt + 2000);
    report.times.reloadAnswers = { answers: aroundReload.length, ok: aroundReload.filter((x) => x.status === 200 || x.status === 201).length };
    report.times.rps = Math.round(samples.length / seconds);
    report.staleRetries = stats.staleRetries;
    report.inFlightAtPoolKill = report.inFlightAtPoolKill ? report.inFlightAtPoolKill() : 0;

    // every URL created during the run works now
    const queue = report.created.slice();
    const check = async () => {
      while (queue.length) {
        const url = queue.pop();
        let r;
        for (let i = 0; i < 3; i++) {
          r = await request(agent, E.HA_BASE, 'POST', new URL(url).pathname, { jsonrpc: '2.0', id: 7, method: 'tools/list' }, MCP_H);
          if (r.status !== 503) break;
          await sleep(200);
        }
        if (!(r.status === 200 && r.json && r.json.result && Array.isArray(r.json.result.tools) && r.json.result.tools.length > 0)) {
          report.broken.push({ status: r.status, error: r.error, body: (r.text || '').slice(0, 120) });
        }
      }
    };
    await Promise.all(Array.from({ length: 16 }, check));
    ev(`checked ${report.created.length} created URLs: ${report.broken.length} broken`);
    // no worker crashed (a signal other than our SIGKILL of web1's pool)
    report.crashes = ['web1', 'web2'].map((w) => {
      const l = fs.readFileSync(path.join(dir, w, 'worker.log'), 'utf8');
      return (l.match(/killed by signal (?!9\b)\d+/g) || []).length;
    }).reduce((a, b) => a + b, 0);
    agent.destroy();
  } finally {
    try { ha(dir, `ha_down "${dir}"`); } catch (e) { log(`ha_down: ${e.message}`); }
  }
  return report;
}

module.exports = { run, ha, readEnv, request, primaryPort, redisCli, MCP_H, sleep, alive, kids, ROOT };
