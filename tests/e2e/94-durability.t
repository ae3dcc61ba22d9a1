#!/usr/bin/env node
// Issue 17, durability. Each part runs its own Redis and web host (lighttpd
// with the shipped config + a worker pool, tests/lib/ha.sh), so the suite's
// throwaway Redis is untouched.
//  A. make run's Redis (stack_start_redis with STACK_REDIS_DATA, as
//     tests/lib/run.sh starts it): records made, Redis SIGKILLed at once
//     after the last answer, restarted on the same directory: every record
//     works (bug_crash_loses_records).
//  B. README "Redis for cfmcp" run as written: its redis.conf lines and its
//     ACL SETUSER block. cfmcp (workers and cfmcp-admin) as that ACL user
//     does everything it does - no command refused (ACL LOG empty) - and the
//     same kill -9 test passes; the ACL survives the restart.
//  C. appendfsync always against everysec: admin create latency through
//     the web host, as a ratio (bench/RESULTS.md quotes it).
'use strict';
const fs = require('fs');
const os = require('os');
const path = require('path');
const http = require('http');
const { execFileSync, spawnSync } = require('child_process');
const { Tap, ACME } = require('./lib');
const { request, MCP_H } = require('./ha-soak');

const ROOT = path.resolve(__dirname, '../..');
const BUILD = path.resolve(ROOT, process.env.BUILD || 'build');
const agent = new http.Agent({ keepAlive: true });

function sh(cmd, env = {}) {
  return execFileSync('sh', ['-c', `. "$ROOT/tests/lib/ha.sh"; ${cmd}`], {
    env: { ...process.env, ROOT, BUILD, ...env }, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], timeout: 60000 });
}

function readme(tag) {
  const m = new RegExp(`<!-- redis:${tag} -->\\n\`\`\`\\w*\\n([\\s\\S]*?)\`\`\``).exec(fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8'));
  return m ? m[1] : null;
}

const pidOf = (f) => Number(fs.readFileSync(f, 'utf8'));
const killNow = (f) => { process.kill(pidOf(f), 'SIGKILL'); };

// cfmcp-admin with the given environment; { status, out, err }.
function cli(env, args, input = '') {
  const r = spawnSync(path.join(BUILD, 'cfmcp-admin'), args, { input, encoding: 'utf8', env: { ...process.env, CFMCP_CONFIG_FILE: '', ...env } });
  return { status: r.status, out: r.stdout, err: r.stderr };
}
const field = (out, name) => { const m = new RegExp(`^${name} +(\\S+)$`, 'm').exec(out); return m ? m[1] : null; };

const api = (base, key, method, p, body) => request(agent, base, method, p, body, { Authorization: `Bearer ${key}` });
const mcp = (url, body) => request(agent, new URL(url).origin, 'POST', new URL(url).pathname, body, MCP_H);
const listZones = { jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'list_all_cloudflare_zones', arguments: { limit: 5 } } };
// Legacy HTTP+SSE once through: GET .../sse, its endpoint event, a POST of
// tools/list there, the answer as a message event on the stream (bounded).
async function sseRoundTrip(url) {
  const ac = new AbortController();
  const timer = setTimeout(() => ac.abort(), 15000);
  try {
    const res = await fetch(`${url}/sse`, { headers: { Accept: 'text/event-stream' }, signal: ac.signal });
    if (res.status !== 200) return false;
    const reader = res.body.getReader();
    const dec = new TextDecoder();
    let buf = '';
    const next = async () => {
      for (;;) {
        const i = buf.indexOf('\n\n');
        if (i >= 0) {
          const block = buf.slice(0, i);
          buf = buf.slice(i + 2);
          const ev = { event: 'message', data: '' };
          for (const l of block.split('\n')) {
            if (l.startsWith('event: ')) ev.event = l.slice(7);
            else if (l.startsWith('data: ')) ev.data += l.slice(6);
          }
          if (ev.data) return ev;
          continue; // a keepalive comment
        }
        const { value, done } = await reader.read();
        if (done) return null;
        buf += dec.decode(value, { stream: true });
      }
    };
    const ep = await next();
    if (!ep || ep.event !== 'endpoint') return false;
    const post = await fetch(new URL(ep.data, url), { method: 'POST', signal: ac.signal, headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 7, method: 'tools/list' }) });
    if (post.status !== 202) return false;
    const msg = await next();
    const json = msg && JSON.parse(msg.data);
    return !!(json && json.id === 7 && json.result && Array.isArray(json.result.tools));
  } catch {
    return false;
  } finally {
    clearTimeout(timer);
    ac.abort();
  }
}

const works = (r) => r.status === 200 && r.json && r.json.result && r.json.result.isError === false;

// Make records, SIGKILL Redis the moment the last answer is in, restart it
// with restart(), then check each. Returns the names of those that failed.
async function crashTest(base, key, account, redisPidFile, restart) {
  const urls = [], made = [];
  for (let i = 0; i < 10; i++) {
    const r = await api(base, key, 'POST', `/integrated-account/${account}/mcp`, { name: `durable-${i}`, config: { methods: ['read'] } });
    if (r.status === 201) urls.push(r.json.url);
  }
  const acc = await api(base, key, 'POST', '/integrated-account', { name: `durable-${Date.now()}`, account_id: ACME, api_token: process.env.HA_SIM_TOKEN });
  if (acc.status === 201) made.push(acc.json.id);
  killNow(redisPidFile); // at once: no SAVE, no wait
  restart();
  const lost = [];
  if (urls.length !== 10 || made.length !== 1) lost.push(`only ${urls.length} URLs and ${made.length} accounts were made`);
  for (const [i, u] of urls.entries()) {
    let r = await mcp(u, listZones);
    for (let i = 0; i < 20 && r.status === 503; i++) { await new Promise((res) => setTimeout(res, 100)); r = await mcp(u, listZones); }
    if (!works(r)) lost.push(`URL #${i}: ${r.status}`);
  }
  const got = await api(base, key, 'GET', `/integrated-account/${made[0]}`);
  if (got.status !== 200) lost.push(`account: ${got.status}`);
  const keyOk = await api(base, key, 'GET', '/integrated-account');
  if (keyOk.status !== 200) lost.push(`API key: ${keyOk.status}`);
  return lost;
}

(async () => {
  const t = new Tap();
  const top = fs.mkdtempSync(path.join(os.tmpdir(), 'cfmcp-durable-'));
  const A = path.join(top, 'a'), B = path.join(top, 'b');
  fs.mkdirSync(A);
  fs.mkdirSync(B);
  try {
    // the simulator, shared by both parts
    const simEnv = sh(`ha_sim "${top}" && echo "$HA_SIM_TOKEN $HA_UPSTREAM"`).trim().split('\n').pop().split(' ');
    process.env.HA_SIM_TOKEN = simEnv[0];
    const HA_UPSTREAM = simEnv[1];

    // ---- A. make run's Redis
    const persist = { STACK_REDIS_DATA: path.join(A, 'data') };
    sh(`stack_make_key "${A}/key" && stack_start_redis "${A}"`, persist);
    sh(`ha_web "${A}" web "unix:${A}/redis.sock"`, { HA_UPSTREAM });
    const baseA = `http://127.0.0.1:${fs.readFileSync(path.join(A, 'web', 'port'), 'utf8').trim()}`;
    const envA = { CFMCP_REDIS: `unix:${A}/redis.sock`, CFMCP_KEY_FILE: `${A}/key`, CFMCP_SCHEMAS: path.join(ROOT, 'schemas'), CFMCP_PUBLIC_URL: baseA };
    const accA = field(cli(envA, ['account', 'add', 'acme', '--cf-account-id', ACME], `${process.env.HA_SIM_TOKEN}\n`).out, 'id');
    const keyA = field(cli(envA, ['apikey', 'create', 'durable', '--accounts', 'all']).out, 'token');
    t.ok(accA && keyA, 'A: an integrated account and an API key made with cfmcp-admin');
    const lostA = await crashTest(baseA, keyA, accA, path.join(A, 'redis.pid'), () => sh(`stack_start_redis "${A}"`, persist));
    t.ok(lostA.length === 0, 'bug_crash_loses_records: make run\'s Redis SIGKILLed right after 10 URLs and an account were made, restarted on its directory: every URL, the account and the API key work', lostA);

    // ---- B. README "Redis for cfmcp": redis.conf lines + the ACL user
    const conf = readme('conf'), acl = readme('acl');
    t.ok(conf && acl, 'README has the redis:conf and redis:acl blocks');
    const settings = (conf || '').split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
    fs.mkdirSync(path.join(B, 'data'));
    fs.writeFileSync(path.join(B, 'redis.conf'), [...settings, 'port 0', `unixsocket ${B}/redis.sock`, 'unixsocketperm 700',
      `dir ${B}/data`, `logfile ${B}/redis.log`, 'save ""', ''].join('\n'));
    const startB = () => sh(`redis-server "${B}/redis.conf" </dev/null >/dev/null 2>&1 & echo $! > "${B}/redis.pid"; wait_for 10 redis-cli -s "${B}/redis.sock" ping`);
    startB();
    const ETC = path.join(B, 'etc');
    fs.mkdirSync(ETC);
    fs.writeFileSync(path.join(ETC, 'cfmcp.conf'), '');
    // glue (bash: a function may be named redis-cli): redis-cli aimed at this
    // Redis; chgrp only where the cfmcp group exists
    const glue = `ETC="${ETC}"; redis-cli() { command redis-cli -s "${B}/redis.sock" "$@"; }; ` +
      'chgrp() { getent group cfmcp >/dev/null && command chgrp "$@" || true; }; set -e\n';
    const ran = spawnSync('bash', ['-c', glue + acl], { encoding: 'utf8' });
    t.ok(ran.status === 0, 'the README\'s ACL block runs', ran.stderr);
    sh(`stack_make_key "${B}/key"`);
    const cfgB = { CFMCP_CONFIG_FILE: path.join(ETC, 'cfmcp.conf') };
    sh(`HA_STREAMS=1 ha_web "${B}" web "unix:${B}/redis.sock" CFMCP_CONFIG_FILE="${ETC}/cfmcp.conf"`, { HA_UPSTREAM });
    const baseB = `http://127.0.0.1:${fs.readFileSync(path.join(B, 'web', 'port'), 'utf8').trim()}`;
    const envB = { CFMCP_REDIS: `unix:${B}/redis.sock`, CFMCP_KEY_FILE: `${B}/key`, CFMCP_SCHEMAS: path.join(ROOT, 'schemas'), CFMCP_PUBLIC_URL: baseB, ...cfgB };
    const denied = spawnSync('redis-cli', ['-s', `${B}/redis.sock`, '--user', 'cfmcp', '--pass', fs.readFileSync(path.join(ETC, 'redis-password'), 'utf8').trim(),
      '--no-auth-warning', 'FLUSHALL'], { encoding: 'utf8' });
    t.ok(/NOPERM/.test(denied.stdout + denied.stderr), 'the ACL user may not FLUSHALL (what it may do is listed, nothing more)');
    execFileSync('redis-cli', ['-s', `${B}/redis.sock`, 'ACL', 'LOG', 'RESET']); // that refusal was ours
    // everything cfmcp does, as the ACL user
    const steps = [];
    const step = (name, good) => steps.push([name, good]);
    let r = cli(envB, ['account', 'add', 'acl', '--cf-account-id', ACME], `${process.env.HA_SIM_TOKEN}\n`);
    const accB = field(r.out, 'id');
    step('cli account add', r.status === 0 && accB);
    step('cli account set-token (EVAL)', cli(envB, ['account', 'set-token', accB], `${process.env.HA_SIM_TOKEN}\n`).status === 0);
    step('cli account list/show', cli(envB, ['account', 'list']).status === 0 && cli(envB, ['account', 'show', accB]).status === 0);
    r = cli(envB, ['apikey', 'create', 'acl', '--accounts', 'all']);
    const keyB = field(r.out, 'token'), keyId = field(r.out, 'id');
    step('cli apikey create/list', r.status === 0 && cli(envB, ['apikey', 'list']).status === 0);
    r = cli(envB, ['mcp', 'create', accB, '--name', 'acl', '--methods', 'read', '--expires-in', '3600']);
    const urlB = field(r.out, 'url'), mcpId = field(r.out, 'id');
    step('cli mcp create/list/show/extend', r.status === 0 && cli(envB, ['mcp', 'list', accB]).status === 0 &&
      cli(envB, ['mcp', 'show', mcpId]).status === 0 && cli(envB, ['mcp', 'extend', mcpId, '--never']).status === 0);
    step('tools/list', (await mcp(urlB, { jsonrpc: '2.0', id: 1, method: 'tools/list' })).status === 200);
    step('tools/call', works(await mcp(urlB, listZones)));
    const byName = { jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'list_all_cloudflare_dns_records', arguments: { zone_id: 'example.net' } } };
    step('tools/call with a zone name (cache SET EX, then GET)', works(await mcp(urlB, byName)) && works(await mcp(urlB, byName)));
    step('bug_acl_blocks_sse: legacy HTTP+SSE (stream SUBSCRIBEs, EXPIREs its session; the worker PUBLISHes the answer)',
      await sseRoundTrip(urlB));
    const a2 = await api(baseB, keyB, 'POST', '/integrated-account', { name: 'acl-api', account_id: ACME, api_token: process.env.HA_SIM_TOKEN });
    step('API account create/list/get/patch', a2.status === 201 && (await api(baseB, keyB, 'GET', '/integrated-account')).status === 200 &&
      (await api(baseB, keyB, 'GET', `/integrated-account/${a2.json.id}`)).status === 200 &&
      (await api(baseB, keyB, 'PATCH', `/integrated-account/${a2.json.id}`, { api_token: process.env.HA_SIM_TOKEN })).status === 200);
    const m2 = await api(baseB, keyB, 'POST', `/integrated-account/${a2.json.id}/mcp`, { name: 'm', config: { methods: ['read'] } });
    step('API mcp create/list/get/patch/delete', m2.status === 201 &&
      (await api(baseB, keyB, 'GET', `/integrated-account/${a2.json.id}/mcp`)).status === 200 &&
      (await api(baseB, keyB, 'GET', `/integrated-account/${a2.json.id}/mcp/${m2.json.id}`)).status === 200 &&
      (await api(baseB, keyB, 'PATCH', `/integrated-account/${a2.json.id}/mcp/${m2.json.id}`, { expires_at: null })).status === 200 &&
      (await api(baseB, keyB, 'DELETE', `/integrated-account/${a2.json.id}/mcp/${m2.json.id}`)).status === 204);
    step('a revoked URL is 404', (await mcp(m2.json.url, listZones)).status === 404);
    step('API account delete', (await api(baseB, keyB, 'DELETE', `/integrated-account/${a2.json.id}`)).status === 204);
    step('cli mcp revoke, apikey revoke', cli(envB, ['mcp', 'revoke', mcpId]).status === 0 &&
      cli(envB, ['apikey', 'revoke', keyId]).status === 0);
    const failed = steps.filter(([, g]) => !g).map(([n]) => n);
    t.ok(failed.length === 0, `as the ACL user: ${steps.length} kinds of operation, all done (${steps.map(([n]) => n).join('; ')})`, failed);
    const log = execFileSync('redis-cli', ['-s', `${B}/redis.sock`, 'ACL', 'LOG'], { encoding: 'utf8' }).trim();
    t.ok(log === '', 'ACL LOG is empty: no command of cfmcp was refused', log.slice(0, 600));
    const workerLog = fs.readFileSync(path.join(B, 'web', 'worker.log'), 'utf8');
    t.ok(!/NOPERM|AUTH .*refused/.test(workerLog), 'the workers logged no refusal');
    t.ok(!workerLog.includes(fs.readFileSync(path.join(ETC, 'redis-password'), 'utf8').trim()), 'no worker log line holds the Redis password');

    // the crash test on the production settings; the ACL comes back with Redis
    const keyB2 = field(cli(envB, ['apikey', 'create', 'crash', '--accounts', 'all']).out, 'token');
    const lostB = await crashTest(baseB, keyB2, accB, path.join(B, 'redis.pid'), startB);
    t.ok(lostB.length === 0, 'README settings: Redis SIGKILLed right after the last answer, restarted: every record works, as the ACL user (the ACL persisted)', lostB);

    // ---- C. appendfsync always vs everysec: admin create latency
    const timeCreates = async (policy, n) => {
      execFileSync('redis-cli', ['-s', `${B}/redis.sock`, 'CONFIG', 'SET', 'appendfsync', policy]);
      const ms = [];
      let good = 0;
      for (let i = 0; i < n; i++) {
        const t0 = process.hrtime.bigint();
        const res = await api(baseB, keyB2, 'POST', `/integrated-account/${accB}/mcp`, { name: `fsync-${policy}-${i}`, config: { methods: ['read'] } });
        ms.push(Number(process.hrtime.bigint() - t0) / 1e6);
        if (res.status === 201) good++;
      }
      ms.sort((x, y) => x - y);
      return { good, p50: ms[Math.floor(n / 2)], p90: ms[Math.floor(n * 0.9)] };
    };
    await timeCreates('everysec', 10); // warm up
    const always = await timeCreates('always', 100), everysec = await timeCreates('everysec', 100);
    t.ok(always.good === 100 && everysec.good === 100, `admin create latency (POST .../mcp through lighttpd, 100 each): appendfsync always p50 ${always.p50.toFixed(2)} ms p90 ${always.p90.toFixed(2)} ms; everysec p50 ${everysec.p50.toFixed(2)} ms p90 ${everysec.p90.toFixed(2)} ms; ratio always/everysec p50 ${(always.p50 / everysec.p50).toFixed(2)}`);
  } catch (e) {
    t.ok(false, 'unexpected exception', e && e.stack);
  } finally {
    try { sh(`ha_down "${A}"; ha_down "${B}"; ha_down "${top}"`); } catch { /* logged */ }
    agent.destroy();
  }
  if (!t.failed && !process.env.KEEP_TEST_DIR) fs.rmSync(top, { recursive: true, force: true });
  else t.diag(`logs kept in ${top}`);
  t.done();
})().catch((e) => (Tap.current || new Tap()).bail(e));
