#!/usr/bin/env node
// Issue #3: token scopes through lighttpd with real Redis. Methods and tags
// filters, expiry (Redis's own EXPIREAT), revocation by redis-cli (the
// README's recipes, run verbatim), require_api_token_auth, the management
// API and the cfmcp-admin CLI with their error cases, and no secret in any
// log or later response.
'use strict';
const fs = require('fs');
const os = require('os');
const path = require('path');
const crypto = require('crypto');
const { execFileSync } = require('child_process');
const { Tap, stackEnv, mintToken, admin, api, post, sim, ACME } = require('./lib');

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const rc = (env, ...args) => execFileSync('redis-cli', ['-s', env.REDIS_SOCK, ...args], { encoding: 'utf8' }).trim();
const secrets = new Set(); // every secret value seen: none may show up in logs or later answers

async function listAll(env, tok, headers = {}) {
  const names = [];
  let cursor;
  for (let i = 0; i < 100; i++) {
    const r = await post(env, tok, { jsonrpc: '2.0', id: 1, method: 'tools/list', params: cursor ? { cursor } : {} }, headers);
    if (r.status !== 200 || !r.json.result) return { status: r.status, names, r };
    names.push(...r.json.result.tools.map((x) => x.name));
    cursor = r.json.result.nextCursor;
    if (!cursor) break;
  }
  return { status: 200, names };
}

const call = (env, tok, name, args = {}, headers = {}) =>
  post(env, tok, { jsonrpc: '2.0', id: 7, method: 'tools/call', params: { name, arguments: args } }, headers);

// Run a README code block (marked <!-- test:NAME -->) verbatim with sh,
// `redis-cli` on PATH pointing at this stack's Redis.
function readmeBlock(name) {
  const readme = fs.readFileSync(path.resolve(__dirname, '../../README.md'), 'utf8');
  const m = new RegExp(`<!-- test:${name} -->\\n\`\`\`sh\\n([\\s\\S]*?)\`\`\``).exec(readme);
  return m && m[1];
}
function runReadme(env, name, vars) {
  const bin = fs.mkdtempSync(path.join(os.tmpdir(), 'cfmcp-rcli-'));
  fs.writeFileSync(path.join(bin, 'redis-cli'), `#!/bin/sh\nexec "${execFileSync('sh', ['-c', 'command -v redis-cli'], { encoding: 'utf8' }).trim()}" -s "${env.REDIS_SOCK}" "$@"\n`, { mode: 0o755 });
  const script = readmeBlock(name);
  const out = execFileSync('sh', ['-e', '-c', script], { encoding: 'utf8', env: { ...process.env, ...vars, PATH: `${bin}:${process.env.PATH}` } });
  fs.rmSync(bin, { recursive: true });
  return out.trim();
}

(async () => {
  const t = new Tap();
  const env = stackEnv(t);
  secrets.add(env.ADMIN_KEY);
  secrets.add(env.SIM_TOKEN);
  const A = env.ACCOUNT_ID;
  const mk = async (body, account = A, key = env.ADMIN_KEY) => {
    const r = await api(env, 'POST', `/integrated-account/${account}/mcp`, { body, key });
    if (r.json && r.json.token) secrets.add(r.json.token);
    return r;
  };
  await sim(env, 'reset', {});

  // ---- methods and tags filters -------------------------------------------------
  const all = await listAll(env, mintToken(env));
  t.ok(all.names.length === 25, `an unfiltered token lists every tool (${all.names.length})`);
  const writes = all.names.filter((n) => /^(create|update|delete|overwrite)_/.test(n));
  let r = await mk({ name: 'read-only', config: { methods: ['read'] } });
  t.is(r.status, 201, 'POST .../mcp with methods [read] -> 201');
  const ro = r.json.token;
  t.ok(r.json.url === `${env.CFMCP_BASE}/mcp/${ro}` && /^mcp_[0-9a-f]{16}$/.test(r.json.id) &&
    r.json.integrated_account_id === A && r.json.config.methods[0] === 'read' && r.json.expires_at === null,
  'the answer has id, url (public base + /mcp/<token>), token, config, expires_at', r.json);
  let l = await listAll(env, ro);
  t.ok(l.names.length > 0 && l.names.every((n) => /^(list_all|get_single)_/.test(n)), `read token lists only list/get tools (${l.names.length})`, l.names);
  t.ok(all.names.includes('create_a_cloudflare_dns_record'), 'the write tool exists for an unfiltered token');
  r = await call(env, ro, 'create_a_cloudflare_dns_record', { zone_id: 'example.com', type: 'A', name: 'x', content: '192.0.2.1' });
  const missing = await call(env, ro, 'no_such_tool_at_all', {});
  t.ok(r.json.error && missing.json.error && r.json.error.code === missing.json.error.code &&
    r.json.error.message === missing.json.error.message && r.status === missing.status,
  'a hidden write tool called by name gets exactly the answer a missing tool gets', [r.json, missing.json]);
  t.is((await sim(env, 'log')).length, 0, 'nothing reached Cloudflare');
  r = await call(env, ro, 'list_all_cloudflare_zones', {});
  t.ok(r.status === 200 && r.json.result && !r.json.result.isError, 'a read tool works for the read token');

  r = await mk({ name: 'dns', config: { tags: ['dns'] } });
  const dnsTok = r.json.token;
  l = await listAll(env, dnsTok);
  t.ok(l.names.length > 0 && l.names.every((n) => /dns_record|zone/.test(n)) && l.names.includes('create_a_cloudflare_dns_record') &&
    !l.names.includes('list_all_cloudflare_firewall_rules'), 'tag dns: only dns- and zones-file tools listed', l.names);
  r = await call(env, dnsTok, 'list_all_cloudflare_firewall_rules', { zone_id: 'example.com' });
  t.ok(r.json.error, 'an untagged tool cannot be called by the dns token');
  await sim(env, 'reset', {});
  r = await call(env, dnsTok, 'list_all_cloudflare_dns_records', { zone_id: 'example.com' });
  t.ok(r.status === 200 && !r.json.result.isError && (await sim(env, 'log')).length >= 1, 'a tagged tool is callable');

  r = await mk({ name: 'exact', config: { methods: ['list_all_cloudflare_zones', 'verify'] } });
  l = await listAll(env, r.json.token);
  t.ok(l.names.length === 2 && l.names.includes('list_all_cloudflare_zones') && l.names.some((n) => /verify/.test(n)),
    'exact method names: a tool name and a custom method key', l.names);
  r = await mk({ name: 'and', config: { methods: ['write'], tags: ['dns'] } });
  l = await listAll(env, r.json.token);
  t.ok(l.names.length === 3 && l.names.every((n) => /^(create|update|delete)_a_cloudflare_dns_record/.test(n)),
    'write AND dns: only the DNS create/update/delete tools (overwrite is custom)', l.names);
  r = await mk({ name: 'and-empty', config: { methods: ['write'], tags: ['audit'] } });
  t.ok(r.status === 400 && /no tool matches/.test(r.json.message), 'a filter that keeps no tool -> 400', r.json);
  r = await mk({ name: 'typo', config: { methods: ['raed'] } });
  t.ok(r.status === 400 && /config\.methods: entry 1 is not/.test(r.json.message) && !/raed/.test(r.json.message),
    'an unknown method word -> 400 naming its place, not quoting it (bug_mgmt_echoes_input)', r.json);
  t.ok(writes.length >= 4, 'the catalogue has write tools to hide');

  // ---- expiry ----------------------------------------------------------------
  const now = Math.floor(Date.now() / 1000);
  r = await mk({ name: 'soon', expires_at: now + 30 });
  t.ok(r.status === 422 && /60 seconds/.test(r.json.message), 'expires_at < 60 s ahead -> 422', r.json);
  r = await mk({ name: 'bad-time', expires_at: 'tomorrow' });
  t.is(r.status, 400, 'expires_at not a time -> 400');
  r = await mk({ name: 'expiring', expires_at: new Date((now + 3600) * 1000).toISOString() });
  t.is(r.status, 201, 'expires_at as RFC 3339 -> 201');
  const exp = r.json;
  const hash = crypto.createHash('sha256').update(exp.token).digest('hex');
  t.ok(Number(rc(env, 'EXPIRETIME', `cfmcp:mcp:${hash}`)) === now + 3600 && Number(rc(env, 'EXPIRETIME', `cfmcp:mcp-id:${exp.id}`)) === now + 3600,
    'Redis EXPIREAT on the token hash and its id key is exactly expires_at');
  r = await api(env, 'PATCH', `/integrated-account/${A}/mcp/${exp.id}`, { body: { expires_at: now + 7200 } });
  t.ok(r.status === 200 && r.json.expires_at === new Date((now + 7200) * 1000).toISOString().replace('.000', '') &&
    Number(rc(env, 'EXPIRETIME', `cfmcp:mcp:${hash}`)) === now + 7200, 'PATCH extends expires_at (and the TTL)', r.json);
  r = await api(env, 'PATCH', `/integrated-account/${A}/mcp/${exp.id}`, { body: { expires_at: null } });
  t.ok(r.status === 200 && r.json.expires_at === null && rc(env, 'TTL', `cfmcp:mcp:${hash}`) === '-1' &&
    rc(env, 'TTL', `cfmcp:mcp-id:${exp.id}`) === '-1', 'PATCH expires_at: null removes the expiry', r.json);
  r = await api(env, 'PATCH', `/integrated-account/${A}/mcp/${exp.id}`, { body: { expires_at: now + 10 } });
  t.is(r.status, 422, 'PATCH to < 60 s ahead -> 422');
  // A URL dies exactly on time: the API refuses < 60 s, so make one expire in
  // 2 s with the README's redis-cli recipes (the worker also checks expires_at).
  const shortUrl = runReadme(env, 'redis-create', { ACCOUNT: A, PUBLIC_URL: env.CFMCP_BASE });
  const shortTok = shortUrl.split('/').pop();
  secrets.add(shortTok);
  t.ok(shortUrl.startsWith(`${env.CFMCP_BASE}/mcp/`) && shortTok.length === 43, 'README redis-cli create recipe prints a URL', shortUrl);
  r = await call(env, shortTok, 'list_all_cloudflare_zones', {});
  t.ok(r.status === 200 && !r.json.result.isError, 'the token made by the README recipe works (read tool)', r.json);
  r = await call(env, shortTok, 'delete_a_cloudflare_dns_record_by_id', { zone_id: 'example.com', dns_record_id: '0'.repeat(32) });
  t.ok(r.json.error, 'and its methods=read scope holds');
  const shortId = rc(env, 'ZRANGE', `cfmcp:account:${A}:mcp`, '0', '-1').split('\n').find((id) =>
    rc(env, 'GET', `cfmcp:mcp-id:${id}`) === crypto.createHash('sha256').update(shortTok).digest('hex'));
  r = await api(env, 'GET', `/integrated-account/${A}/mcp/${shortId}`);
  t.ok(r.status === 200 && r.json.name === 'made by hand', 'the hand-made token shows in the management API', r.json);
  runReadme(env, 'redis-extend', { ACCOUNT: A, ID: shortId });
  const ext = Number(rc(env, 'EXPIRETIME', `cfmcp:mcp-id:${shortId}`));
  t.ok(ext > now + 29 * 86400, 'README redis-cli extend recipe sets EXPIREAT 30 days ahead');
  const at = Math.floor(Date.now() / 1000) + 2;
  const sh = crypto.createHash('sha256').update(shortTok).digest('hex');
  rc(env, 'EXPIREAT', `cfmcp:mcp:${sh}`, String(at));
  rc(env, 'HSET', `cfmcp:mcp:${sh}`, 'expires_at', String(at));
  // an API key that expires at the same instant (for require_api_token_auth below)
  r = await api(env, 'POST', `/integrated-account/${A}/mcp`, { body: { name: 'needs-key', config: { require_api_token_auth: true } } });
  const needsKey = r.json.token;
  secrets.add(needsKey);
  const kOut = admin(env, ['--json', 'apikey', 'create', 'expiring', '--accounts', A, '--expires-in', '61']);
  const expKey = JSON.parse(kOut.stdout);
  secrets.add(expKey.token);
  const ekh = crypto.createHash('sha256').update(expKey.token).digest('hex');
  rc(env, 'EXPIREAT', `cfmcp:apikey:${ekh}`, String(at));
  rc(env, 'HSET', `cfmcp:apikey:${ekh}`, 'expires_at', String(at));
  r = await call(env, needsKey, 'list_all_cloudflare_zones', {}, { Authorization: `Bearer ${expKey.token}` });
  t.is(r.status, 200, 'require_api_token_auth: a valid API key for the account -> 200');
  while (Date.now() / 1000 < at + 0.3) await sleep(100);
  r = await call(env, shortTok, 'list_all_cloudflare_zones', {});
  t.ok(r.status === 404 && r.json.error.code === -32001, 'the first request after expires_at fails (404, -32001)', r.json);
  r = await call(env, needsKey, 'list_all_cloudflare_zones', {}, { Authorization: `Bearer ${expKey.token}` });
  t.ok(r.status === 401 && /invalid_token/.test(r.headers.get('www-authenticate') || ''), 'expired API key -> 401 invalid_token', r.json);

  // ---- revocation with redis-cli (README recipe) ----------------------------------
  r = await mk({ name: 'to-revoke' });
  const rv = r.json;
  t.is((await call(env, rv.token, 'list_all_cloudflare_zones', {})).status, 200, 'token works before revocation');
  runReadme(env, 'redis-revoke', { ACCOUNT: A, ID: rv.id });
  r = await call(env, rv.token, 'list_all_cloudflare_zones', {});
  t.is(r.status, 404, 'revoked with the README redis-cli recipe: the next request fails');
  r = await api(env, 'GET', `/integrated-account/${A}/mcp/${rv.id}`);
  t.is(r.status, 404, 'and the management API no longer knows it');

  // ---- require_api_token_auth -------------------------------------------------------
  const wa = (h) => (h.get('www-authenticate') || '');
  r = await call(env, needsKey, 'list_all_cloudflare_zones', {});
  t.ok(r.status === 401 && /^Bearer realm/.test(wa(r.headers)) && !/error=/.test(wa(r.headers)) &&
    r.json.error.code === -32001 && /requires an API token/.test(r.json.error.message), 'no API key -> 401, WWW-Authenticate: Bearer, JSON-RPC error saying what is needed', [r.json, wa(r.headers)]);
  r = await call(env, needsKey, 'list_all_cloudflare_zones', {}, { Authorization: `Bearer ${'x'.repeat(43)}` });
  t.ok(r.status === 401 && /invalid_token/.test(wa(r.headers)) && /unknown, revoked or expired/.test(r.json.error.message), 'wrong API key -> 401 invalid_token', r.json);
  r = await call(env, needsKey, 'list_all_cloudflare_zones', {}, { Authorization: 'Basic abc' });
  t.is(r.status, 401, 'a non-Bearer Authorization -> 401');
  r = await api(env, 'POST', '/integrated-account', { body: { name: 'other', account_id: crypto.createHash('md5').update('account:other').digest('hex'), api_token: 'other-cf-token-0123456789' } });
  secrets.add('other-cf-token-0123456789');
  t.is(r.status, 201, 'a second integrated account');
  const B = r.json.id;
  const otherKey = JSON.parse(admin(env, ['--json', 'apikey', 'create', 'b-only', '--accounts', B]).stdout).token;
  secrets.add(otherKey);
  r = await call(env, needsKey, 'list_all_cloudflare_zones', {}, { Authorization: `Bearer ${otherKey}` });
  t.ok(r.status === 401 && /not allowed on this MCP server's integrated account/.test(r.json.error.message), 'an API key for another account -> 401', r.json);
  const aKey = JSON.parse(admin(env, ['--json', 'apikey', 'create', 'a-only', '--accounts', A]).stdout).token;
  secrets.add(aKey);
  await sim(env, 'reset', {});
  r = await call(env, needsKey, 'list_all_cloudflare_zones', {}, { Authorization: `Bearer ${aKey}` });
  const slog = await sim(env, 'log');
  t.ok(r.status === 200 && !r.json.result.isError && slog.length === 1 && slog[0].auth === true,
    'a valid API key for the account -> 200; the upstream got the account\'s own Cloudflare token', [r.json, slog]);
  r = await listAll(env, needsKey, { Authorization: `Bearer ${aKey}` });
  t.is(r.names.length, 25, 'tools/list with the key works too');

  // ---- management API: every endpoint and its errors -----------------------------------
  r = await api(env, 'GET', '/integrated-account', { key: null });
  t.ok(r.status === 401 && /Bearer/.test(r.headers.get('www-authenticate')) && r.json.status === 401 && r.json.error === 'unauthorized',
    'no key -> 401 {status, error, message}', r.json);
  r = await api(env, 'GET', '/integrated-account', { key: 'y'.repeat(43) });
  t.is(r.status, 401, 'unknown key -> 401');
  r = await api(env, 'GET', `/integrated-account/${A}`, { key: otherKey });
  t.ok(r.status === 403 && r.json.error === 'forbidden', 'a key for another account -> 403', r.json);
  r = await api(env, 'POST', '/integrated-account', { key: aKey, body: { name: 'z', account_id: ACME, api_token: 'z'.repeat(30) } });
  t.is(r.status, 403, 'only a "*" key creates accounts -> 403');
  r = await api(env, 'GET', '/integrated-account', { key: aKey });
  t.ok(r.status === 200 && r.json.items.length === 1 && r.json.items[0].id === A, 'GET /integrated-account lists only what the key may see', r.json);
  r = await api(env, 'GET', '/integrated-account');
  t.ok(r.status === 200 && r.json.items.length === 2, 'the "*" key sees every account');
  r = await api(env, 'GET', `/integrated-account/${A}`);
  t.ok(r.status === 200 && r.json.id === A && r.json.account_id === ACME && r.json.has_api_token === true &&
    !('api_token' in r.json) && !('cf_token' in r.json), 'GET account: never the Cloudflare token', r.json);
  r = await api(env, 'GET', '/integrated-account/ia_0000000000000000');
  t.is(r.status, 404, 'unknown account -> 404');
  r = await api(env, 'POST', '/integrated-account', { body: { name: 'other', account_id: ACME, api_token: 'q'.repeat(30) } });
  t.ok(r.status === 409 && r.json.error === 'conflict', 'duplicate account name -> 409', r.json);
  r = await api(env, 'POST', '/integrated-account', { body: { name: 'n', account_id: 'nothex', api_token: 'q'.repeat(30) } });
  t.ok(r.status === 400 && /account_id/.test(r.json.message), 'bad account_id -> 400', r.json);
  r = await api(env, 'POST', '/integrated-account', { body: { name: 'n', account_id: ACME, api_token: 'q'.repeat(30), extra: 1 } });
  t.ok(r.status === 400 && /field other than name, account_id, api_token/.test(r.json.message) && !/extra/.test(r.json.message),
    'unknown field -> 400 listing the allowed ones, not quoting it', r.json);
  r = await api(env, 'POST', '/integrated-account', { body: '{"name":' });
  t.is(r.status, 400, 'malformed JSON -> 400');
  r = await api(env, 'POST', '/integrated-account', { body: '{"name":"a","name":"b"}' });
  t.is(r.status, 400, 'duplicate keys -> 400');
  r = await api(env, 'POST', '/integrated-account', { body: JSON.stringify({ name: 'n' }), headers: { 'Content-Type': 'text/plain' } });
  t.is(r.status, 415, 'text/plain body -> 415');
  r = await api(env, 'POST', '/integrated-account', { body: JSON.stringify({ name: 'x'.repeat(70000) }) });
  t.is(r.status, 413, 'a body over 64 KiB -> 413');
  r = await api(env, 'PUT', `/integrated-account/${A}`, { body: {} });
  t.ok(r.status === 405 && r.headers.get('allow') === 'GET, PATCH, DELETE', 'PUT -> 405 with Allow');
  r = await api(env, 'GET', `/integrated-account/${A}/nope`);
  t.is(r.status, 404, 'unknown sub-resource -> 404');
  r = await api(env, 'POST', `/integrated-account/ia_0000000000000000/mcp`, { body: { name: 'x' } });
  t.is(r.status, 404, 'POST mcp on an unknown account -> 404');
  r = await api(env, 'POST', `/integrated-account/${A}/mcp`, { body: { name: 'x', config: { require_api_token_auth: 'yes' } } });
  t.is(r.status, 400, 'require_api_token_auth not a boolean -> 400');
  // paging
  const before = (await api(env, 'GET', `/integrated-account/${B}/mcp`)).json.items.length;
  for (let i = 0; i < 3; i++) await mk({ name: `page-${i}` }, B);
  const seen = [];
  let cur = null;
  let pages = 0;
  do {
    r = await api(env, 'GET', `/integrated-account/${B}/mcp?limit=2${cur ? `&cursor=${cur}` : ''}`);
    if (r.status !== 200) break;
    seen.push(...r.json.items.map((x) => x.id));
    cur = r.json.next_cursor;
    pages++;
  } while (cur && pages < 10);
  t.ok(before === 0 && seen.length === 3 && new Set(seen).size === 3 && pages === 2, `GET .../mcp pages with limit and cursor (${pages} pages)`, seen);
  t.ok(r.json.items.every((x) => !('token' in x) && !('url' in x)), 'listed MCP servers carry no token or URL');
  r = await api(env, 'GET', `/integrated-account/${B}/mcp?cursor=../x`);
  t.is(r.status, 400, 'a bad cursor -> 400');
  r = await api(env, 'GET', `/integrated-account/${B}/mcp?limit=1000`);
  t.is(r.status, 400, 'limit over 100 -> 400');
  r = await api(env, 'GET', `/integrated-account/${A}/mcp/${seen[0]}`);
  t.is(r.status, 404, "another account's MCP id under this account -> 404");
  r = await api(env, 'PATCH', `/integrated-account/${B}/mcp/${seen[0]}`, { body: { name: 'renamed', config: { methods: ['read'] } } });
  t.ok(r.status === 200 && r.json.name === 'renamed' && r.json.config.methods[0] === 'read', 'PATCH name and config', r.json);
  r = await api(env, 'PATCH', `/integrated-account/${B}/mcp/${seen[0]}`, { body: { config: { tags: ['nosuchtag'] } } });
  t.is(r.status, 400, 'PATCH to a filter that keeps no tool -> 400');
  r = await api(env, 'DELETE', `/integrated-account/${B}/mcp/${seen[0]}`);
  t.is(r.status, 204, 'DELETE mcp -> 204');
  r = await api(env, 'DELETE', `/integrated-account/${B}/mcp/${seen[0]}`);
  t.is(r.status, 404, 'DELETE again -> 404');
  // PATCH account: rotate its Cloudflare token
  r = await api(env, 'PATCH', `/integrated-account/${B}`, { body: { api_token: 'rotated-cf-token-0123456789' } });
  secrets.add('rotated-cf-token-0123456789');
  t.ok(r.status === 200 && r.json.has_api_token, 'PATCH account api_token -> 200');
  // DELETE account revokes its tokens
  const bTok = (await mk({ name: 'dies-with-account' }, B)).json.token;
  t.is((await call(env, bTok, 'list_all_cloudflare_zones', {})).status, 200, "B's token works");
  r = await api(env, 'DELETE', `/integrated-account/${B}`);
  t.is(r.status, 204, 'DELETE account -> 204');
  t.is((await call(env, bTok, 'list_all_cloudflare_zones', {})).status, 404, "its MCP URL stops working at once");
  t.ok(rc(env, 'KEYS', `cfmcp:account:${B}*`) === '' && rc(env, 'GET', 'cfmcp:account-name:other') === '', 'no key of the account is left');

  // ---- CLI ----------------------------------------------------------------------------
  let o = admin(env, ['account', 'add', 'cli-acct', '--cf-account-id', ACME], 'cli-cf-token-0123456789abc\n');
  secrets.add('cli-cf-token-0123456789abc');
  const C = (/^id\s+(\S+)/m.exec(o.stdout) || [])[1];
  t.ok(o.status === 0 && /^ia_[0-9a-f]{16}$/.test(C || '') && !o.stdout.includes('cli-cf-token'), 'account add (token on stdin)', o);
  o = admin(env, ['account', 'add', 'cli-acct', '--cf-account-id', ACME], 'cli-cf-token-0123456789abc\n');
  t.ok(o.status === 1 && /already exists/.test(o.stderr), 'account add with a taken name -> exit 1 and the reason', o);
  o = admin(env, ['account', 'add', 'x', '--cf-account-id', ACME], '');
  t.ok(o.status === 1 && /no Cloudflare API token/.test(o.stderr), 'account add without a token -> exit 1', o);
  o = admin(env, ['--json', 'account', 'list']);
  t.ok(o.status === 0 && JSON.parse(o.stdout).items.some((x) => x.id === C), 'account list --json');
  o = admin(env, ['account', 'show', C]);
  t.ok(o.status === 0 && o.stdout.includes('cli-acct') && o.stdout.includes(ACME), 'account show');
  o = admin(env, ['account', 'show', 'ia_ffffffffffffffff']);
  t.ok(o.status === 1 && /no integrated account/.test(o.stderr), 'account show unknown -> exit 1', o);
  o = admin(env, ['mcp', 'create', C, '--name', 'cli', '--methods', 'read', '--tags', 'dns', '--expires-in', '3600']);
  const cliUrl = (/^url\s+(\S+)/m.exec(o.stdout) || [])[1] || '';
  const cliId = (/^id\s+(\S+)/m.exec(o.stdout) || [])[1];
  secrets.add(cliUrl.split('/').pop());
  t.ok(o.status === 0 && cliUrl.startsWith(`${env.CFMCP_BASE}/mcp/`) && /shown once/.test(o.stdout), 'mcp create prints the URL once', o);
  l = await listAll(env, cliUrl.split('/').pop());
  t.ok(l.names.length > 0 && l.names.every((n) => /^(list_all|get_single)_cloudflare_(dns_record|zone)/.test(n)), 'the CLI-made URL works with its scope', l.names);
  o = admin(env, ['mcp', 'create', C, '--tags', 'nosuch']);
  t.ok(o.status === 1 && /no tool matches/.test(o.stderr), 'mcp create with a filter that keeps nothing -> exit 1', o);
  o = admin(env, ['mcp', 'create', C, '--expires-in', '10']);
  t.ok(o.status === 1 && /60 seconds/.test(o.stderr), 'mcp create expiring in 10 s -> exit 1', o);
  o = admin(env, ['--json', 'mcp', 'list', C]);
  t.ok(o.status === 0 && JSON.parse(o.stdout).items.length === 1 && !o.stdout.includes('"token"'), 'mcp list --json (no tokens)', o.stdout);
  o = admin(env, ['--json', 'mcp', 'show', cliId]);
  t.ok(o.status === 0 && JSON.parse(o.stdout).config.tags[0] === 'dns', 'mcp show');
  o = admin(env, ['--json', 'mcp', 'extend', cliId, '--expires-in', '7200']);
  t.ok(o.status === 0 && Math.abs(Date.parse(JSON.parse(o.stdout).expires_at) / 1000 - (Date.now() / 1000 + 7200)) < 5, 'mcp extend --expires-in', o);
  o = admin(env, ['--json', 'mcp', 'extend', cliId, '--never']);
  t.ok(o.status === 0 && JSON.parse(o.stdout).expires_at === null, 'mcp extend --never');
  o = admin(env, ['mcp', 'extend', cliId]);
  t.is(o.status, 2, 'mcp extend without a choice -> usage, exit 2');
  o = admin(env, ['mcp', 'revoke', cliId]);
  t.ok(o.status === 0 && (await call(env, cliUrl.split('/').pop(), 'list_all_cloudflare_zones', {})).status === 404, 'mcp revoke: URL dead');
  o = admin(env, ['mcp', 'revoke', cliId]);
  t.is(o.status, 1, 'revoke again -> exit 1');
  o = admin(env, ['--json', 'apikey', 'list']);
  const keys = o.status === 0 ? JSON.parse(o.stdout).items : [];
  t.ok(keys.length >= 3 && keys.every((k) => !('token' in k) && !('hash' in k)), 'apikey list (no secrets)', keys);
  const aKeyId = keys.find((k) => k.name === 'a-only').id;
  o = admin(env, ['apikey', 'revoke', aKeyId]);
  t.is(o.status, 0, 'apikey revoke');
  r = await call(env, needsKey, 'list_all_cloudflare_zones', {}, { Authorization: `Bearer ${aKey}` });
  t.is(r.status, 401, 'the revoked API key is refused on the next request');
  o = admin(env, ['apikey', 'create', 'bad', '--accounts', 'ia_ffffffffffffffff']);
  t.is(o.status, 1, 'apikey for an unknown account -> exit 1');
  o = admin(env, ['account', 'set-token', C], 'cli-cf-token-rotated-0123456789\n');
  secrets.add('cli-cf-token-rotated-0123456789');
  t.ok(o.status === 0 && !o.stdout.includes('rotated'), 'account set-token (token on stdin, never echoed)', o);
  o = admin(env, ['account', 'set-token', C], 'short\n');
  t.ok(o.status === 1 && /20 to 512/.test(o.stderr), 'account set-token with a malformed token -> exit 1', o);
  o = admin(env, ['account', 'set-token', 'ia_ffffffffffffffff'], 'cli-cf-token-rotated-0123456789\n');
  t.is(o.status, 1, 'account set-token on an unknown account -> exit 1');
  o = admin(env, ['account', 'remove', C]);
  t.is(o.status, 0, 'account remove');
  o = admin(env, ['frobnicate', 'x']);
  t.is(o.status, 2, 'unknown command -> exit 2');

  // ---- encryption key rotation (README "Encryption key"), end to end -----------------
  {
    const keyFile = env.CFMCP_KEY_FILE;
    const oldKey = fs.readFileSync(keyFile, 'utf8').trim();
    const newKey = crypto.randomBytes(32).toString('hex');
    const kid = (hex) => crypto.createHash('sha256').update(Buffer.from(hex, 'hex')).digest('hex').slice(0, 8);
    const master = Number(fs.readFileSync(path.join(env.CFMCP_DIR, 'worker.pid'), 'utf8'));
    const kids = () => { try { return execFileSync('pgrep', ['-P', String(master)], { encoding: 'utf8' }).trim().split('\n'); } catch { return []; } };
    const roll = async () => {
      const before = kids();
      process.kill(master, 'SIGHUP');
      for (let i = 0; i < 100; i++) {
        await sleep(50);
        const now = kids();
        if (now.length === before.length && now.every((p) => !before.includes(p))) return true;
      }
      return false;
    };
    const tok = mintToken(env); // made by hand: reads the account's hash
    const apiTok = (await mk({ name: 'rotation' })).json.token; // carries a copy of the sealed token
    t.is(JSON.parse(admin(env, ['--json', 'account', 'show', A]).stdout).key_id, kid(oldKey), 'the account names the key that sealed it');
    fs.writeFileSync(keyFile, `${newKey}\n${oldKey}\n`, { mode: 0o600 });
    t.ok(await roll(), 'new key first in the file, workers reloaded (SIGHUP)');
    o = admin(env, ['account', 'rekey']);
    t.ok(o.status === 0 && /resealed [1-9]\d*, failed 0/.test(o.stdout), `account rekey: ${o.stdout.trim()}`, o);
    t.is(JSON.parse(admin(env, ['--json', 'account', 'show', A]).stdout).key_id, kid(newKey), 'now sealed with the new key');
    fs.writeFileSync(keyFile, `${newKey}\n`, { mode: 0o600 });
    t.ok(await roll(), 'old key removed, workers reloaded');
    await sim(env, 'reset', {});
    r = await call(env, tok, 'list_all_cloudflare_zones', {});
    const lg = await sim(env, 'log');
    t.ok(r.status === 200 && !r.json.result.isError && lg.length === 1 && lg[0].auth === true,
      'tool calls still reach Cloudflare with the right token after rotation', [r.json, lg]);
    await sim(env, 'reset', {});
    r = await call(env, apiTok, 'list_all_cloudflare_zones', {});
    t.ok(r.status === 200 && !r.json.result.isError && (await sim(env, 'log')).length === 1,
      "rekey re-sealed the copy an API-minted token carries (the old key is gone)", r.json);
    fs.writeFileSync(keyFile, `${oldKey}\n`, { mode: 0o600 });
    t.ok(await roll(), 'a key file without the sealing key: workers still start');
    await sim(env, 'reset', {});
    r = await call(env, tok, 'list_all_cloudflare_zones', {});
    t.ok(r.status === 200 && r.json.result.isError && /no usable Cloudflare API token/.test(r.json.result.content[0].text) &&
      (await sim(env, 'log')).length === 0, 'a token that no configured key opens: a clear tool error, nothing sent', r.json);
    fs.writeFileSync(keyFile, `${newKey}\n${oldKey}\n`, { mode: 0o600 });
    await roll();
    o = admin(env, ['account', 'rekey']);
    fs.writeFileSync(keyFile, `${oldKey}\n${newKey}\n`, { mode: 0o600 });
    await roll();
    o = admin(env, ['account', 'rekey']);
    t.ok(o.status === 0 && JSON.parse(admin(env, ['--json', 'account', 'show', A]).stdout).key_id === kid(oldKey), 'rotated back for the tests that follow');
  }

  // ---- secrets: never in logs, never in a later answer --------------------------------------
  const answers = [
    (await api(env, 'GET', '/integrated-account')).text,
    (await api(env, 'GET', `/integrated-account/${A}/mcp?limit=100`)).text,
    admin(env, ['--json', 'account', 'list']).stdout, admin(env, ['--json', 'apikey', 'list']).stdout,
    admin(env, ['--json', 'mcp', 'list', A]).stdout,
  ].join('\n');
  const logs = ['worker.log', 'lighttpd-error.log', 'access.log', 'error.log', 'apache-access.log', 'apache-error.log', 'apache-stderr.log', 'redis.log', 'sim.log'].map((f) => {
    try { return fs.readFileSync(path.join(env.CFMCP_DIR, f), 'utf8'); } catch { return ''; }
  }).join('\n');
  const leaks = [...secrets].filter((s) => s && (answers.includes(s) || logs.includes(s)));
  t.ok(secrets.size >= 12 && leaks.length === 0, `none of ${secrets.size} secrets (MCP tokens, API keys, Cloudflare tokens) in the logs or in later answers`,
    // the diagnostic names a leak without printing the secret
    leaks.map((x) => `${x.slice(0, 4)}... in ${answers.includes(x) ? 'an answer' : 'a log'}`));
  // the audit trail (issue 16): every stream, every entry
  const streams = execFileSync('redis-cli', ['-s', env.REDIS_SOCK, '--scan', '--pattern', 'cfmcp:audit:*']).toString()
    .split('\n').filter(Boolean);
  const trail = streams.map((k) => execFileSync('redis-cli', ['-s', env.REDIS_SOCK, 'XRANGE', k, '-', '+']).toString()).join('\n');
  const inTrail = [...secrets].filter((s) => s && trail.includes(s));
  t.ok(streams.length > 0 && trail.length > 0 && inTrail.length === 0,
    `none of ${secrets.size} secrets in the ${streams.length} audit streams (${trail.length} bytes)`,
    inTrail.map((x) => `${x.slice(0, 4)}... in an audit stream`));
  const raw = rc(env, 'HGET', `cfmcp:account:${A}`, 'cf_token');
  t.ok(/^v1\.[0-9a-f]{8}\./.test(raw) && !raw.includes(env.SIM_TOKEN), 'the Cloudflare token is sealed at rest in Redis', raw.slice(0, 12));
  t.done();
})().catch((e) => (Tap.current || new Tap()).bail(e));
