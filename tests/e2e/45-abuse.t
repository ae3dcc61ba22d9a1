#!/usr/bin/env node
// Issue #7, abuse of scope: another integrated account's zones and records
// (the call goes out with the caller's own Cloudflare token, which the API
// refuses), tokens one character off, revoked tokens answered exactly like
// unknown ones, Origin tricks and CORS, and lookups by hash only (what
// reaches Redis is the SHA-256, never the token).
// (Hidden tools, expired tokens, other accounts' API keys and the management
// API without or with a wrong key: 40-scopes.t.)
'use strict';
const crypto = require('crypto');
const { spawn } = require('child_process');
const { Tap, stackEnv, mintToken, api, post, sim, simId } = require('./lib');

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const call = (env, tok, name, args, headers) => post(env, tok, { jsonrpc: '2.0', id: 5, method: 'tools/call', params: { name, arguments: args } }, headers);

(async () => {
  const t = new Tap();
  const env = stackEnv(t);
  const acmeTok = mintToken(env);
  const ACME_ZONE = (await call(env, acmeTok, 'list_all_cloudflare_zones', { name: 'example.com' })).json.result.structuredContent.result[0].id;
  const rec = (await call(env, acmeTok, 'list_all_cloudflare_dns_records', { zone_id: ACME_ZONE })).json.result.structuredContent.result[0].id;
  t.ok(/^[0-9a-f]{32}$/.test(ACME_ZONE) && /^[0-9a-f]{32}$/.test(rec), 'acme has a zone (example.com) and a DNS record');

  // A second integrated account, Globex, whose Cloudflare token sees only Globex.
  let r = await api(env, 'POST', '/integrated-account', { body: { name: `globex-${Date.now()}`, account_id: simId('account:globex'), api_token: `${env.SIM_TOKEN}-globex` } });
  t.is(r.status, 201, 'a Globex integrated account');
  const G = r.json.id;
  r = await api(env, 'POST', `/integrated-account/${G}/mcp`, { body: { name: 'globex' } });
  const gTok = r.json.token;

  await sim(env, 'reset', {});
  r = await call(env, gTok, 'get_single_cloudflare_zone_by_id', { zone_id: ACME_ZONE });
  let log = await sim(env, 'log');
  t.ok(r.json.result.isError && /403/.test(r.json.result.content[0].text) && log.length === 1 && log[0].auth === true,
    "Globex's URL asking for acme's zone by id: Cloudflare refuses Globex's token (403), the answer says so", [r.json.result.content[0].text.slice(0, 200), log]);
  r = await call(env, gTok, 'get_single_cloudflare_dns_record_by_id', { zone_id: ACME_ZONE, dns_record_id: rec });
  t.ok(r.json.result.isError && /403/.test(r.json.result.content[0].text), "and acme's DNS record by id: 403");
  await sim(env, 'reset', {});
  r = await call(env, gTok, 'list_all_cloudflare_dns_records', { zone_id: 'example.com' });
  log = await sim(env, 'log');
  t.ok(r.json.result.isError && /no zone named example\.com/.test(r.json.result.content[0].text) &&
    log.length === 1 && new URLSearchParams(log[0].query).get('account.id') === simId('account:globex'),
  "acme's zone by name from Globex's URL: looked up within Globex only, not found, nothing else sent", [r.json.result.content[0].text, log]);
  r = await call(env, gTok, 'list_all_cloudflare_zones', {});
  t.ok(!r.json.result.isError && r.json.result.structuredContent.result.every((z) => z.account.id === simId('account:globex')),
    "Globex's URL lists Globex's zones only");
  r = await call(env, acmeTok, 'get_single_cloudflare_zone_by_id', { zone_id: ACME_ZONE });
  t.ok(!r.json.result.isError, "acme's own URL still reads acme's zone (the control)");

  // Tokens one character off: unknown, and answered exactly like any unknown token.
  const unknown = await post(env, crypto.randomBytes(32).toString('base64url'), { jsonrpc: '2.0', id: 1, method: 'ping' });
  const flip = (s, i) => s.slice(0, i) + (s[i] === 'A' ? 'B' : 'A') + s.slice(i + 1);
  for (const i of [0, 21, acmeTok.length - 1]) {
    const x = await post(env, flip(acmeTok, i), { jsonrpc: '2.0', id: 1, method: 'ping' });
    t.ok(x.status === 404 && x.text === unknown.text, `token with character ${i} changed: 404, the same bytes as a random token`);
  }
  const x = await post(env, acmeTok.slice(0, -1), { jsonrpc: '2.0', id: 1, method: 'ping' });
  t.ok(x.status === 404 && x.text === unknown.text, 'token one character short: the same');
  r = await api(env, 'POST', `/integrated-account/${G}/mcp`, { body: { name: 'to-revoke' } });
  await api(env, 'DELETE', `/integrated-account/${G}/mcp/${r.json.id}`);
  const rv = await post(env, r.json.token, { jsonrpc: '2.0', id: 1, method: 'ping' });
  t.ok(rv.status === 404 && rv.text === unknown.text, 'a revoked token: the same answer as an unknown one (no oracle)');

  // Lookups are by SHA-256: MONITOR Redis while an almost-right token is tried.
  const near = flip(acmeTok, 10);
  const mon = spawn('redis-cli', ['-s', env.REDIS_SOCK, 'MONITOR']);
  let seen = '';
  mon.stdout.on('data', (d) => { seen += d; });
  await sleep(200);
  await post(env, near, { jsonrpc: '2.0', id: 1, method: 'ping' });
  await sleep(200);
  mon.kill();
  const h = crypto.createHash('sha256').update(near).digest('hex');
  t.ok(seen.includes(`cfmcp:mcp:${h}`) && !seen.includes(near) && !seen.includes(near.slice(0, 20)),
    'Redis is asked for cfmcp:mcp:<sha256>, never for the token (its timing cannot depend on the token)');

  // Origin and CORS: a browser page elsewhere cannot use a URL it learned.
  const init = { jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'x', version: '1' } } };
  for (const o of ['http://evil.example', 'null', 'http://localhost.evil.example', 'http://127.0.0.1.evil.example', 'http://localhost:80x', 'file://', 'https://evil.example:443']) {
    const y = await post(env, acmeTok, init, { Origin: o });
    t.ok(y.status === 403 && y.json && y.json.error && !y.headers.get('access-control-allow-origin'), `Origin ${o}: 403, no CORS grant`);
  }
  for (const o of ['http://localhost:6274', 'http://127.0.0.1:3000']) {
    const y = await post(env, acmeTok, init, { Origin: o });
    t.ok(y.status === 200 && !y.headers.get('access-control-allow-origin'), `Origin ${o} (local tools such as MCP Inspector): allowed, still no CORS header`);
  }
  await api(env, 'DELETE', `/integrated-account/${G}`);
  t.done();
})().catch((e) => (Tap.current || new Tap()).bail(e));
