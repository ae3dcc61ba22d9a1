#!/usr/bin/env node
// Issue #13, the per-worker scope cache kept exact by Redis client
// tracking (README "Scope cache"). Every trial: a token is made, both
// workers are made to cache it (concurrent requests), it is changed through
// the API, the CLI or redis-cli, and the very next requests (concurrent, so
// both workers answer, then one more) must see the change: 0 stale answers
// (revoked served, old scope served, expired served, revoked API key
// accepted, a new token refused). The same again while a load generator
// keeps both workers busy. Then tracking lost on purpose: the invalidation
// connections killed (CLIENT KILL), Redis restarted, FLUSHALL. Last,
// INFO commandstats: 0 Redis commands per steady-state tools/list.
'use strict';
const fs = require('fs');
const path = require('path');
const crypto = require('crypto');
const { execFileSync } = require('child_process');
const { Tap, stackEnv, mintToken, admin, api, post } = require('./lib');

const TRIALS = Number(process.env.CFMCP_CACHE_TRIALS || 1000);
const ROOT = path.resolve(__dirname, '../..');
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const sha = (s) => crypto.createHash('sha256').update(s).digest('hex');
const alive = (pid) => { try { process.kill(pid, 0); return true; } catch { return false; } };

(async () => {
  const t = new Tap();
  const env = stackEnv(t);
  const rcli = (...a) => execFileSync('redis-cli', ['-s', env.REDIS_SOCK, ...a], { encoding: 'utf8' }).trim();
  // A change by hand, as README "Scope cache" says to make one a program
  // relies on at once: the command, then any command after its reply
  // (PING), which Redis runs after it has written every invalidation.
  const rcliChange = (...a) => { const out = rcli(...a); rcli('PING'); return out; };
  const A = env.ACCOUNT_ID;
  const list = (tok, headers = {}) => post(env, tok, { jsonrpc: '2.0', id: 1, method: 'tools/list', params: {} }, headers);
  const names = (r) => (r.status === 200 && r.json && r.json.result ? r.json.result.tools.map((x) => x.name) : null);

  // Two tools; a token scoped to exactly one of them lists only it.
  const first = names(await list(mintToken(env)));
  if (!first || first.length < 2) { t.ok(false, 'an unfiltered token lists tools', first); t.done(); return; }
  const [X, Y] = first;
  const now = () => Math.floor(Date.now() / 1000);

  // A hand-made API key (the README's redis-cli shape) for require_api_token_auth.
  const mintKey = () => {
    const secret = 'cfk_' + crypto.randomBytes(24).toString('base64url');
    const h = sha(secret);
    rcli('HSET', `cfmcp:apikey:${h}`, 'id', 'ak_' + crypto.randomBytes(8).toString('hex'), 'hash', h, 'accounts', '*');
    return { secret, key: `cfmcp:apikey:${h}` };
  };

  // Each kind: make(), then the state before and after change() as a
  // predicate on one answer. "ok" means a 200 tools/list.
  const isOk = (r) => r.status === 200 && Array.isArray(names(r));
  const is404 = (r) => r.status === 404;
  const is401 = (r) => r.status === 401;
  const only = (n) => (r) => { const l = names(r); return !!l && l.length === 1 && l[0] === n; };
  const kinds = [
    { name: 'redis-cli DEL (revoked served)', async make() { const tok = mintToken(env); return { tok }; },
      change: (s) => rcliChange('DEL', `cfmcp:mcp:${sha(s.tok)}`), before: isOk, after: is404 },
    { name: 'API DELETE (revoked served)', async make() {
      const r = await api(env, 'POST', `/integrated-account/${A}/mcp`, { body: { name: 'cache' } });
      return { tok: r.json.token, id: r.json.id }; },
      change: (s) => api(env, 'DELETE', `/integrated-account/${A}/mcp/${s.id}`), before: isOk, after: is404 },
    { name: 'CLI mcp revoke (revoked served)', async make() {
      const r = await api(env, 'POST', `/integrated-account/${A}/mcp`, { body: { name: 'cache' } });
      return { tok: r.json.token, id: r.json.id }; },
      change: (s) => admin(env, ['mcp', 'revoke', s.id]), before: isOk, after: is404 },
    { name: 'redis-cli HSET methods (old scope served)', async make() { return { tok: mintToken(env, { methods: X }) }; },
      change: (s) => rcliChange('HSET', `cfmcp:mcp:${sha(s.tok)}`, 'methods', Y), before: only(X), after: only(Y) },
    { name: 'API PATCH config (old scope served)', async make() {
      const r = await api(env, 'POST', `/integrated-account/${A}/mcp`, { body: { name: 'cache', config: { methods: [X] } } });
      return { tok: r.json.token, id: r.json.id }; },
      change: (s) => api(env, 'PATCH', `/integrated-account/${A}/mcp/${s.id}`, { body: { config: { methods: [Y] } } }),
      before: only(X), after: only(Y) },
    { name: 'redis-cli HSET expires_at in the past (expired served)', async make() { return { tok: mintToken(env) }; },
      change: (s) => rcliChange('HSET', `cfmcp:mcp:${sha(s.tok)}`, 'expires_at', String(now() - 1)), before: isOk, after: is404 },
    { name: 'redis-cli DEL of the API key (revoked key accepted)', async make() {
      const k = mintKey();
      return { tok: mintToken(env, { requireApiKey: true }), k, headers: { Authorization: `Bearer ${k.secret}` } }; },
      change: (s) => rcliChange('DEL', s.k.key), before: isOk, after: is401 },
    { name: 'unknown token made with redis-cli (new token refused)', async make() {
      const tok = crypto.randomBytes(32).toString('base64url');
      return { tok }; },
      change: (s) => rcliChange('HSET', `cfmcp:mcp:${sha(s.tok)}`, 'id', 'mcp_' + crypto.randomBytes(8).toString('hex'),
        'name', 'e2e', 'account', A, 'methods', '', 'tags', '', 'require_api_token_auth', '0'),
      before: is404, after: isOk },
  ];

  // One trial: make, warm both workers (4 concurrent answers, all in the
  // "before" state), change, then 2 concurrent + 1 more: all "after".
  const trial = async (i, tally) => {
    const k = kinds[i % kinds.length];
    const s = await k.make();
    const warm = await Promise.all([0, 1, 2, 3].map(() => list(s.tok, s.headers)));
    if (!warm.every(k.before)) { tally.badWarm.push({ kind: k.name, got: warm.map((r) => r.status) }); return; }
    await k.change(s);
    const after = await Promise.all([0, 1].map(() => list(s.tok, s.headers)));
    after.push(await list(s.tok, s.headers));
    for (const r of after) {
      tally.answers++;
      if (!k.after(r)) tally.stale.push({ kind: k.name, status: r.status, tools: names(r) });
    }
  };
  const run = async (n) => {
    const tally = { answers: 0, stale: [], badWarm: [] };
    for (let i = 0; i < n; i++) await trial(i, tally);
    return tally;
  };

  let tally = await run(TRIALS);
  t.ok(tally.badWarm.length === 0, `${TRIALS} trials: every token answered as made before the change`, tally.badWarm.slice(0, 3));
  t.ok(tally.stale.length === 0 && tally.answers === TRIALS * 3,
    `${TRIALS} trials, ${tally.answers} answers right after a change through the API, the CLI or redis-cli: ${tally.stale.length} stale`,
    tally.stale.slice(0, 5));

  // ---- the same while a load generator keeps both workers busy (bounded:
  // 4 loops on loopback, stopped when the trials end)
  const loadTok = mintToken(env);
  let stop = false, loadN = 0, loadBad = 0;
  const loader = async () => {
    while (!stop) {
      const r = await list(loadTok);
      loadN++;
      if (!isOk(r)) loadBad++;
    }
  };
  const loaders = [loader(), loader(), loader(), loader()];
  tally = await run(TRIALS);
  stop = true;
  await Promise.all(loaders);
  t.ok(tally.badWarm.length === 0 && tally.answers === TRIALS * 3,
    `under load (${loadN} concurrent tools/list, ${loadBad} failed): ${TRIALS} trials, ${tally.answers} answers`,
    { badWarm: tally.badWarm.slice(0, 3) });
  // Under CPU contention Redis can be descheduled between writing the
  // writer's reply and a worker's invalidation (bug_cache_write_unfenced,
  // tests/unit/test_ha.c): the API and the CLI fence every write with one
  // more round trip, and the redis-cli changes here follow theirs with a
  // PING, so none may be stale.
  t.ok(tally.stale.length === 0, `under load: ${tally.stale.length} stale of ${tally.answers}`,
    { stale: tally.stale.slice(0, 5) });
  t.is(loadBad, 0, 'the load generator got a 200 for every request');

  // ---- expiry enforced locally: expires_at passes with no Redis expiry
  // (so no invalidation ever comes); the cached token is refused anyway
  {
    const tok = mintToken(env);
    rcli('HSET', `cfmcp:mcp:${sha(tok)}`, 'expires_at', String(now() + 2));
    const w = await Promise.all([0, 1, 2, 3].map(() => list(tok)));
    await sleep((now() + 2 - Date.now() / 1000) * 1000 + 50);
    const rs = await Promise.all([0, 1, 2, 3].map(() => list(tok)));
    t.ok(w.every(isOk) && rs.every(is404), 'expires_at passed without any invalidation from Redis: refused (expired served: 0)',
      rs.map((r) => r.status));
  }

  // Both workers hold tok: several rounds of concurrent requests.
  const warmAll = async (tok, headers) => {
    const rs = [];
    for (let i = 0; i < 4; i++) rs.push(...await Promise.all([0, 1, 2, 3].map(() => list(tok, headers))));
    return rs;
  };
  const checkAll = async (tok, pred) => {
    const rs = await Promise.all([0, 1, 2, 3].map(() => list(tok)));
    rs.push(await list(tok));
    return rs.every(pred) ? null : rs.map((r) => r.status);
  };

  // ---- the invalidation connections killed: the change made while they
  // are gone is seen, and the cache is used again afterwards
  {
    const tok = mintToken(env, { methods: X });
    const warm = await warmAll(tok);
    const subs = rcli('CLIENT', 'LIST', 'TYPE', 'pubsub').split('\n').filter((l) => / sub=1 /.test(l));
    rcli('CLIENT', 'KILL', 'TYPE', 'pubsub');
    rcli('HSET', `cfmcp:mcp:${sha(tok)}`, 'methods', Y);
    const bad = await checkAll(tok, only(Y));
    t.ok(warm.every(only(X)) && subs.length >= 2 && bad === null,
      `CLIENT KILL of the ${subs.length} invalidation connections, then a scope change: the next requests see it`, { bad, subs: subs.length });
    rcli('DEL', `cfmcp:mcp:${sha(tok)}`);
    const bad2 = await checkAll(tok, is404);
    t.ok(bad2 === null, 'tracking set up again: a revocation after it is seen too', bad2);
  }

  const firstAnswer = async (tok, pred) => {
    // the first answers after a restart may be 503 while the workers reconnect
    for (let i = 0; i < 40; i++) {
      const r = await list(tok);
      if (r.status !== 503) return pred(r) ? null : r.status;
      await sleep(50);
    }
    return 'still 503';
  };

  // ---- Redis hung (SIGSTOP: connections open, nothing arrives): past the
  // 1 s freshness bound no worker answers from its cache any more
  {
    const tok = mintToken(env);
    const w = await warmAll(tok);
    const rpid = Number(fs.readFileSync(path.join(env.CFMCP_DIR, 'redis.pid'), 'utf8'));
    process.kill(rpid, 'SIGSTOP');
    let rs;
    try {
      await sleep(1100);
      rs = await Promise.all([0, 1, 2, 3].map(() => list(tok)));
    } finally { process.kill(rpid, 'SIGCONT'); }
    t.ok(w.every(isOk) && rs.every((r) => r.status === 503), 'bug_hung_redis_served_from_cache: Redis hung for 1.1 s, cached tokens are answered 503, not from the cache',
      rs.map((r) => r.status));
    const back = await firstAnswer(tok, isOk);
    t.ok(back === null, 'Redis answering again: the token works', back);
  }

  // ---- Redis restarted: a token it no longer has (made after the SAVE
  // the restart loads) is refused by every worker that cached it
  const redisPidFile = path.join(env.CFMCP_DIR, 'redis.pid');
  const restartRedis = async () => {
    const pid = Number(fs.readFileSync(redisPidFile, 'utf8'));
    process.kill(pid, 'SIGKILL');
    for (let i = 0; i < 200 && alive(pid); i++) await sleep(10);
    execFileSync('sh', ['-c', '. "$ROOT/tests/lib/stack.sh" && stack_start_redis "$CFMCP_DIR"'],
      { env: { ...process.env, ROOT, CFMCP_DIR: env.CFMCP_DIR }, stdio: 'inherit' });
  };
  {
    const kept = mintToken(env);
    rcli('SAVE');
    const gone = mintToken(env);
    const w = [...await warmAll(kept), ...await warmAll(gone)];
    await restartRedis();
    const g = await firstAnswer(gone, is404);
    const bad = await checkAll(gone, is404);
    const k = await checkAll(kept, isOk);
    t.ok(w.every(isOk) && g === null && bad === null && k === null,
      'Redis restarted: a cached token it no longer has is refused by every worker, one it has still works', { g, bad, k });
  }

  // ---- FLUSHALL: every cached token is refused; then the saved data is
  // loaded back (a restart) for the tests after this one
  {
    rcli('SAVE');
    const tok = mintToken(env);
    const old = mintToken(env);
    const w = [...await warmAll(tok), ...await warmAll(old)];
    rcli('FLUSHALL');
    const bad = await checkAll(tok, is404);
    const bad2 = await checkAll(old, is404);
    t.ok(w.every(isOk) && bad === null && bad2 === null, 'FLUSHALL: every cached token is refused at once', { bad, bad2 });
    await restartRedis();
    const back = await firstAnswer(mintToken(env), isOk);
    t.ok(back === null, 'Redis reloaded: a new token works (the stack is back for the next tests)', back);
  }

  // ---- INFO commandstats: 0 Redis commands per steady-state tools/list
  {
    const tok = mintToken(env);
    await warmAll(tok);
    rcli('CONFIG', 'RESETSTAT');
    const N = 200;
    let okN = 0;
    const t0 = Date.now();
    for (let i = 0; i < N; i++) if (isOk(await list(tok))) okN++;
    const ms = Date.now() - t0;
    const stats = rcli('INFO', 'commandstats').split('\n').filter((l) => l.startsWith('cmdstat_'))
      .map((l) => /^cmdstat_([^:]+):calls=(\d+)/.exec(l)).filter(Boolean)
      .filter((m) => !/^(info|config)/.test(m[1]));
    // The one thing a busy worker sends: a PING on its invalidation
    // connection every 300 ms (README "Scope cache"), per time, not per request.
    const pings = stats.filter((m) => m[1] === 'ping').reduce((a, m) => a + Number(m[2]), 0);
    const other = stats.filter((m) => m[1] !== 'ping');
    const total = other.reduce((a, m) => a + Number(m[2]), 0);
    t.ok(okN === N && total === 0, `${N} tools/list on a known token: ${total} Redis commands (INFO commandstats)`,
      other.map((m) => `${m[1]}=${m[2]}`).join(' '));
    const maxPings = 2 * (Math.ceil(ms / 300) + 2);
    t.ok(pings <= maxPings, `... and ${pings} heartbeat PINGs in those ${ms} ms (at most ${maxPings} for 2 workers)`);
  }

  // The worker log says when tracking was lost and when it came back.
  const log = fs.readFileSync(path.join(env.CFMCP_DIR, 'worker.log'), 'utf8');
  t.ok(/cache: Redis client tracking lost/.test(log) && /cache: Redis client tracking is on again/.test(log),
    'worker.log: tracking lost and back again');
  t.ok(/cache: Redis flushed its tracking/.test(log), 'worker.log: the FLUSHALL emptied the cache');
  t.done();
})().catch((e) => Tap.current.bail(e));
