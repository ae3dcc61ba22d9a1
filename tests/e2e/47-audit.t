#!/usr/bin/env node
// Issue 16, the audit trail, through the web server (lighttpd and Apache):
// a scripted session - a fresh account and MCP server made through the
// API, tools/list, one tool call of each outcome (ok, tool_error, a 429
// from the simulator, a hidden tool called by name, a validation error,
// an upstream reset), a PATCH and a revoke of the server - then
// GET /integrated-account/:id/audit shows exactly those entries with
// their fields, newest first; paging; each filter; the errors; the global
// stream (GET /api-key/audit); account removal deletes the stream.
'use strict';
const crypto = require('crypto');
const { execFileSync } = require('child_process');
const { Tap, stackEnv, api, post, sim, admin, ACME } = require('./lib');

const sha = (s) => crypto.createHash('sha256').update(s).digest('hex');
// the canonical arguments: keys sorted at every depth, no spaces (record.c)
const canon = (v) => Array.isArray(v) ? `[${v.map(canon).join(',')}]` :
  v && typeof v === 'object' ? `{${Object.keys(v).sort().map((k) => `${JSON.stringify(k)}:${canon(v[k])}`).join(',')}}` :
  JSON.stringify(v);
const msOf = (id) => Number(id.split('-')[0]);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

(async () => {
  const t = new Tap();
  const env = stackEnv(t);
  const UA = 'audit-e2e/1.0 (cfmcp tests)';
  const secrets = [env.ADMIN_KEY, env.SIM_TOKEN].filter(Boolean);

  // a "*" key of our own, so the actor of each action is known
  let r = await api(env, 'POST', '/api-key', { body: { name: 'audit-e2e', accounts: '*' } });
  t.is(r.status, 201, 'an API key for the session');
  const key = r.json.token, keyId = r.json.id;
  secrets.push(key);
  const as = (m, p, o = {}) => api(env, m, p, { key, ...o, headers: { 'User-Agent': UA, ...(o.headers || {}) } });

  r = await as('POST', '/integrated-account', { body: { name: `audit-${crypto.randomBytes(4).toString('hex')}`,
    account_id: ACME, api_token: env.SIM_TOKEN } });
  t.is(r.status, 201, 'a fresh integrated account (an empty stream)');
  const A = r.json.id;
  // bug_account_created_overtaken: account.created, the entry that makes the
  // stream (every later one is NOMKSTREAM), sat in its worker's batch for up
  // to 100 ms, and another worker's entry for the new account (its first MCP
  // server, a first call) could reach Redis first and be dropped: in CI, 14
  // of this file's checks failed so. It is written before the 201 now.
  const len0 = execFileSync('redis-cli', ['-s', env.REDIS_SOCK, 'XLEN', `cfmcp:audit:${A}`]).toString().trim();
  t.is(len0, '1', 'bug_account_created_overtaken: account.created is in the stream when the 201 arrives');
  r = await as('POST', `/integrated-account/${A}/mcp`, { body: { name: 'audit-srv', config: { methods: ['read'], tool_mode: 'tools' } } });
  t.is(r.status, 201, 'a read-only MCP server');
  const M = r.json.id, token = r.json.token;
  secrets.push(token);

  const call = (id, name, args, extra = {}) => post(env, token,
    { jsonrpc: '2.0', id, method: 'tools/call', params: { name, arguments: args } }, { 'User-Agent': UA, ...extra });
  await sim(env, 'reset');
  r = await post(env, token, { jsonrpc: '2.0', id: 'l1', method: 'tools/list', params: {} }, { 'User-Agent': UA });
  t.is(r.status, 200, 'tools/list (no entry: not a tool call)');
  r = await call('c-ok', 'list_all_cloudflare_zones', { limit: 5, name: 'example.com' });
  t.ok(r.status === 200 && r.json.result && r.json.result.isError === false, 'a call that succeeds', r.text.slice(0, 300));
  await sim(env, 'fault', { match: '/zones', kind: '500' });
  r = await call('c-500', 'list_all_cloudflare_zones', {});
  t.ok(r.json && r.json.result && r.json.result.isError === true, 'Cloudflare 500 -> isError', r.text.slice(0, 300));
  await sim(env, 'fault', { match: '/zones', kind: '429' });
  r = await call(3, 'list_all_cloudflare_zones', {});
  t.ok(r.json && r.json.result && r.json.result.isError === true && r.json.result.structuredContent.status === 429,
    'Cloudflare 429 passed through', r.text.slice(0, 300));
  r = await call('c-hidden', 'create_a_cloudflare_dns_record', { zone_id: 'a'.repeat(32), type: 'A', name: 'x', content: '192.0.2.1' });
  t.ok(r.json && r.json.error && r.json.error.code === -32602, 'a hidden (write) tool called by name -> unknown tool', r.text.slice(0, 300));
  r = await call('c-bad', 'list_all_cloudflare_zones', { limit: 'many' });
  t.ok(r.json && r.json.result && r.json.result.isError === true && /Invalid arguments/.test(r.text), 'a validation error', r.text.slice(0, 300));
  await sim(env, 'fault', { match: '/zones', kind: 'reset', times: 2 });
  r = await call('c-reset', 'list_all_cloudflare_zones', {});
  t.ok(r.json && r.json.result && r.json.result.isError === true, 'the connection reset -> isError', r.text.slice(0, 300));
  await sim(env, 'reset');
  r = await as('PATCH', `/integrated-account/${A}/mcp/${M}`, { body: { config: { tags: ['dns'] } } });
  t.is(r.status, 200, 'PATCH the server');
  r = await as('DELETE', `/integrated-account/${A}/mcp/${M}`);
  t.is(r.status, 204, 'revoke the server');

  // entries are written after each answer: wait until all are there
  const want = ['mcp_server.revoked', 'mcp_server.changed', 'upstream_error', 'invalid', 'refused', 'rate_limited',
    'tool_error', 'ok', 'mcp_server.created', 'account.created'];
  let items = [];
  for (let i = 0; i < 200; i++) {
    r = await as('GET', `/integrated-account/${A}/audit`);
    items = r.json && r.json.items || [];
    if (items.length >= want.length) break;
    await sleep(100);
  }
  t.is(r.status, 200, 'GET .../audit -> 200');
  t.is(r.json.next_cursor, null, 'everything on one page: next_cursor null');
  // newest first by stream id, i.e. by when each was written: after its
  // answer, by whichever worker served it, so two requests in a row can be
  // written in either order under load; by arrival (t) they are the session's
  const byT = [...items].sort((a, b) => b.t - a.t);
  t.is(JSON.stringify(byT.map((e) => e.action || e.outcome)), JSON.stringify(want),
    'exactly the session\'s entries (in the order they arrived)');
  // the same entries through cfmcp-admin (it reads Redis itself): the
  // API's items exactly, and one readable line each
  {
    const j = admin(env, ['audit', A, '--json']);
    let cli = null;
    try { cli = JSON.parse(j.stdout).items; } catch { /* shown below */ }
    t.ok(j.status === 0 && cli && JSON.stringify(cli) === JSON.stringify(items),
      'cfmcp-admin audit ACCOUNT --json: exactly the API\'s items', { status: j.status, stderr: j.stderr.slice(0, 300), n: cli && cli.length });
    const txt = admin(env, ['audit', A]);
    const lines = txt.stdout.split('\n').filter(Boolean);
    t.ok(txt.status === 0 && lines.length === items.length && want.every((w) => lines.some((l) => l.includes(`=${w}`))),
      'cfmcp-admin audit ACCOUNT: one line per entry, each action and outcome shown', lines.slice(0, 3));
  }
  const idLess = (a, b) => msOf(a) < msOf(b) || (msOf(a) === msOf(b) && Number(a.split('-')[1]) < Number(b.split('-')[1]));
  t.ok(items.every((e, i) => i === 0 || idLess(e.id, items[i - 1].id)), 'newest first: stream ids descend');
  t.ok(items.every((e) => /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/.test(e.time) && Date.parse(e.time) === msOf(e.id) &&
    typeof e.t === 'number' && Math.abs(e.t - msOf(e.id)) < 60000), 'time is RFC 3339 with ms (UTC), t a number in ms');
  const by = (k) => items.find((e) => (e.action || e.outcome) === k) || {};
  const ok = by('ok');
  t.ok(ok.kind === 'tool_call' && ok.tool === 'list_all_cloudflare_zones' && ok.class === 'read' && ok.cf_method === 'GET' &&
    ok.cf_path === '/zones' && ok.status === 200 && typeof ok.latency_ms === 'number' && /-SIM$/.test(ok.cf_ray || '') &&
    ok.mcp_id === M && ok.mcp_name === 'audit-srv' && ok.request_id === 'c-ok' && ok.client_name === 'audit-e2e' &&
    ok.client_version === '1.0' && ok.user_agent === UA, 'the ok entry has every field', ok);
  t.is(ok.args_sha256, sha(canon({ limit: 5, name: 'example.com' })), 'args_sha256 = SHA-256 of the canonical arguments');
  t.ok(by('tool_error').status === 500 && by('rate_limited').status === 429 && by('rate_limited').request_id === '3',
    'tool_error has status 500, rate_limited 429 (a numeric id as text)', [by('tool_error'), by('rate_limited')]);
  const hid = by('refused');
  t.ok(hid.tool === 'create_a_cloudflare_dns_record' && hid.status === undefined && hid.latency_ms === undefined &&
    hid.cf_method === undefined && hid.class === undefined, 'refused: the name called, nothing sent, no empty fields', hid);
  t.ok(by('invalid').status === undefined && by('invalid').args_sha256 === sha(canon({ limit: 'many' })), 'invalid: nothing sent', by('invalid'));
  t.ok(by('upstream_error').status === undefined && typeof by('upstream_error').latency_ms === 'number', 'upstream_error: no status, a latency', by('upstream_error'));
  for (const [a, status, target] of [['mcp_server.revoked', 204, M], ['mcp_server.changed', 200, M], ['mcp_server.created', 201, M], ['account.created', 201, A]]) {
    const e = by(a);
    t.ok(e.kind === 'admin' && e.actor === keyId && e.target === target && e.http_status === status && e.user_agent === UA,
      `${a}: actor, target, http_status`, e);
  }
  t.ok(!JSON.stringify(items).includes('example.com') && !JSON.stringify(items).includes('many'), 'no argument value in any entry');

  // paging: 3 at a time gives the same list
  let paged = [], cursor = null, pages = 0;
  do {
    r = await as('GET', `/integrated-account/${A}/audit?limit=3${cursor ? `&cursor=${cursor}` : ''}`);
    if (r.status !== 200) break;
    paged = paged.concat(r.json.items);
    cursor = r.json.next_cursor;
    pages++;
  } while (cursor && pages < 10);
  t.is(JSON.stringify(paged.map((e) => e.id)), JSON.stringify(items.map((e) => e.id)), 'limit=3 pages through the same entries');
  t.is(pages, 4, 'in 4 pages, the last with next_cursor null');

  // filters
  const q = async (qs) => (await as('GET', `/integrated-account/${A}/audit?${qs}`)).json;
  let j = await q('outcome=rate_limited');
  t.ok(j.items.length === 1 && j.items[0].status === 429, 'outcome=rate_limited', j);
  j = await q('tool=create_a_cloudflare_dns_record');
  t.ok(j.items.length === 1 && j.items[0].outcome === 'refused', 'tool=', j);
  j = await q(`mcp_id=${M}`);
  t.is(j.items.length, 9, 'mcp_id= keeps its 6 calls and 3 server actions');
  j = await q(`mcp_id=${M}&outcome=ok&limit=1`);
  t.ok(j.items.length === 1 && j.items[0].request_id === 'c-ok' && j.next_cursor === null, 'filters combine', j);
  j = await q('outcome=invalid&limit=1');
  t.ok(j.items.length === 1, 'a filtered page of 1');
  const okMs = msOf(ok.id), refMs = msOf(hid.id);
  j = await q(`since=${okMs}`);
  t.is(JSON.stringify(j.items.map((e) => e.id)), JSON.stringify(items.filter((e) => msOf(e.id) >= okMs).map((e) => e.id)), 'since= (Unix ms)');
  j = await q(`until=${encodeURIComponent(new Date(refMs).toISOString())}`);
  t.is(JSON.stringify(j.items.map((e) => e.id)), JSON.stringify(items.filter((e) => msOf(e.id) <= refMs).map((e) => e.id)), 'until= (RFC 3339)');
  j = await q(`since=${Math.floor(okMs / 1000) + 3600}`);
  t.is(j.items.length, 0, 'since= an hour ahead (Unix seconds): nothing');

  // errors
  for (const [qs, why] of [['outcome=bogus', 'unknown outcome'], ['limit=0', 'limit 0'], ['limit=501', 'limit 501'],
    ['cursor=zzz', 'a cursor we did not issue'], ['since=yesterday', 'a bad time'], ['color=red', 'an unknown parameter'],
    ['limit=1&limit=2', 'a parameter twice']]) {
    r = await as('GET', `/integrated-account/${A}/audit?${qs}`);
    t.ok(r.status === 400 && r.json.error === 'bad_request', `400 for ${why}`, r.json);
  }
  r = await as('GET', '/integrated-account/acct_00000000deadbeef/audit');
  t.is(r.status, 404, 'an unknown account -> 404');
  r = await api(env, 'GET', `/integrated-account/${A}/audit`, { key: null });
  t.is(r.status, 401, 'no API key -> 401');
  r = await as('POST', '/api-key', { body: { name: 'audit-narrow', accounts: [env.ACCOUNT_ID] } });
  const narrow = r.json;
  secrets.push(narrow.token);
  r = await api(env, 'GET', `/integrated-account/${A}/audit`, { key: narrow.token });
  t.is(r.status, 403, 'a key for another account -> 403');
  r = await api(env, 'GET', '/api-key/audit', { key: narrow.token });
  t.is(r.status, 403, 'GET /api-key/audit with a key for one account -> 403');

  // no secret in the stream itself
  const raw = execFileSync('redis-cli', ['-s', env.REDIS_SOCK, 'XRANGE', `cfmcp:audit:${A}`, '-', '+']).toString();
  t.ok(raw.length > 0 && !secrets.some((s) => raw.includes(s)), 'no token, API key or Cloudflare token in the stream');

  // removing the account deletes its stream; that and the keys go to the global stream
  r = await as('DELETE', `/integrated-account/${A}`);
  t.is(r.status, 204, 'remove the account');
  r = await api(env, 'DELETE', `/api-key/${narrow.id}`);
  t.is(r.status, 204, 'revoke a key');
  let g = [];
  for (let i = 0; i < 200; i++) {
    r = await api(env, 'GET', '/api-key/audit?limit=500');
    g = r.json && r.json.items || [];
    // each worker writes its entries in its own batches: wait for both
    if (g.some((e) => e.action === 'api_key.revoked' && e.target === narrow.id) &&
        g.some((e) => e.action === 'account.removed' && e.target === A)) break;
    await sleep(100);
  }
  t.ok(g.some((e) => e.action === 'account.removed' && e.target === A && e.actor === keyId && e.http_status === 204),
    'account.removed is in the global stream', g.slice(0, 4));
  t.ok(g.some((e) => e.action === 'api_key.created' && e.target === keyId && /^ak_/.test(e.actor)), 'api_key.created too');
  t.ok(g.some((e) => e.action === 'api_key.revoked' && e.target === narrow.id), 'api_key.revoked too');
  const exists = execFileSync('redis-cli', ['-s', env.REDIS_SOCK, 'EXISTS', `cfmcp:audit:${A}`]).toString().trim();
  t.is(exists, '0', 'the account\'s stream is gone');
  r = await as('GET', `/integrated-account/${A}/audit`);
  t.is(r.status, 404, 'and its audit answers 404');

  // bug_audit_stream_recreated_after_remove: a tool call in flight while its
  // account is removed was written afterwards and made the stream again,
  // one nobody could read or remove (the account is gone), to greet a
  // later account with the same id.
  r = await as('POST', '/integrated-account', { body: { name: `audit-late-${crypto.randomBytes(4).toString('hex')}`,
    account_id: ACME, api_token: env.SIM_TOKEN } });
  t.is(r.status, 201, 'another account');
  const B = r.json.id;
  r = await as('POST', `/integrated-account/${B}/mcp`, { body: { name: 'late', config: { methods: ['read'], tool_mode: 'tools' } } });
  const lateTok = r.json.token;
  secrets.push(lateTok);
  await sim(env, 'fault', { match: '/zones', kind: 'delay', delay_ms: 1500 });
  const inFlight = post(env, lateTok, { jsonrpc: '2.0', id: 'late', method: 'tools/call', params: { name: 'list_all_cloudflare_zones', arguments: {} } });
  await sleep(500); // the call is waiting for the (delayed) upstream
  r = await as('DELETE', `/integrated-account/${B}`);
  t.is(r.status, 204, 'the account is removed while its call waits');
  r = await inFlight;
  t.ok(r.status === 200 || r.status === 404, `the call in flight ends (${r.status})`);
  await sleep(400); // past CFMCP_AUDIT_FLUSH_MS: whatever its worker held is written
  const late = execFileSync('redis-cli', ['-s', env.REDIS_SOCK, 'EXISTS', `cfmcp:audit:${B}`]).toString().trim();
  t.is(late, '0', 'bug_audit_stream_recreated_after_remove: no stream for the removed account afterwards');
  await sim(env, 'reset');
  await api(env, 'DELETE', `/api-key/${keyId}`);
  t.done();
})().catch((e) => Tap.current.bail(e));
