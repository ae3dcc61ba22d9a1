#!/usr/bin/env node
// Issue #15 (the endpoints the admin page needs), through the web server:
// POST/GET /api-key and DELETE /api-key/:id (a "*" key only), and
// GET /integrated-account/:id/tools?methods=&tags= (what a scope keeps,
// with the same 400 as creating a server that keeps nothing), plus
// `cfmcp-admin mcp preview`. Each with its 401/403/404/405/400 answers.
'use strict';
const { Tap, stackEnv, admin, api, post, simId } = require('./lib');

(async () => {
  const t = new Tap();
  const env = stackEnv(t);
  const A = env.ACCOUNT_ID;
  const secrets = new Set([env.ADMIN_KEY]);
  const noKeyIn = (r) => !/"token"|"key"/.test(r.text) && ![...secrets].some((s) => r.text.includes(s));

  // ---- /api-key ------------------------------------------------------------
  let r = await api(env, 'GET', '/api-key', { key: null });
  t.ok(r.status === 401 && r.json.error === 'unauthorized' && /Bearer/.test(r.headers.get('www-authenticate') || ''),
    'GET /api-key without a key -> 401 with WWW-Authenticate', r.json);
  r = await api(env, 'GET', '/api-key', { key: 'not-a-real-key-at-all-0123456789' });
  t.is(r.status, 401, 'GET /api-key with an unknown key -> 401');
  r = await api(env, 'POST', '/api-key', { body: { name: 'made-by-api', accounts: '*' } });
  t.ok(r.status === 201 && /^ak_[0-9a-f]{16}$/.test(r.json.id) && typeof r.json.token === 'string' &&
    r.json.token.length === 43 && r.json.accounts === '*' && r.json.name === 'made-by-api' && r.json.expires_at === null &&
    r.json.created_by && r.json.created_by.startsWith('apikey:ak_'), 'POST /api-key -> 201 with the key shown once', { ...r.json, token: '(masked)' });
  const made = r.json;
  secrets.add(made.token);
  r = await api(env, 'GET', '/integrated-account', { key: made.token });
  t.is(r.status, 200, 'the new key works on the management API');
  r = await api(env, 'GET', '/api-key');
  t.ok(r.status === 200 && Array.isArray(r.json.items) && r.json.items.some((k) => k.id === made.id && k.name === 'made-by-api'),
    'GET /api-key lists it', r.json);
  t.ok(noKeyIn(r), 'the list never holds a key (no token member, no secret)');
  t.is(r.headers.get('cache-control'), 'no-store', 'the API answers Cache-Control: no-store');

  // a key for one account only: no API-key endpoint for it
  r = await api(env, 'POST', '/api-key', { body: { name: 'one-account', accounts: [A] } });
  t.ok(r.status === 201 && Array.isArray(r.json.accounts) && r.json.accounts[0] === A, 'POST /api-key with a list of accounts -> 201', r.json && r.json.accounts);
  const narrow = r.json;
  secrets.add(narrow.token);
  for (const [m, p, body] of [['GET', '/api-key'], ['POST', '/api-key', { name: 'x', accounts: '*' }], ['DELETE', `/api-key/${made.id}`]]) {
    r = await api(env, m, p, { key: narrow.token, body });
    t.ok(r.status === 403 && r.json.error === 'forbidden' && /\*/.test(r.json.message), `${m} ${p.replace(made.id, ':id')} with a key for one account -> 403`, r.json);
  }
  r = await api(env, 'GET', '/api-key');
  t.ok(r.json.items.some((k) => k.id === made.id), 'the refused DELETE removed nothing');

  // the body checks every management endpoint makes
  r = await api(env, 'POST', '/api-key', { body: '{"name":"x","accounts":"*"}', headers: { 'Content-Type': 'text/plain' } });
  t.ok(r.status === 415 && r.json.error === 'unsupported_media_type', 'POST /api-key as text/plain -> 415', r.json);
  r = await api(env, 'POST', '/api-key', { body: JSON.stringify({ name: 'x', accounts: '*', pad: 'a'.repeat(70000) }) });
  t.is(r.status, 413, 'POST /api-key over 64 KiB -> 413');
  r = await api(env, 'POST', '/api-key', { body: '{"name":' });
  t.ok(r.status === 400 && r.json.error === 'bad_request', 'POST /api-key with broken JSON -> 400', r.json);
  r = await api(env, 'POST', '/api-key', { body: { name: 'x', accounts: '*', admin: true } });
  t.ok(r.status === 400 && /field other than name, accounts, expires_at/.test(r.json.message) && !/"admin"/.test(r.json.message),
    'POST /api-key with an unknown member -> 400 listing the allowed ones, not quoting it', r.json);
  r = await api(env, 'POST', '/api-key', { body: { accounts: '*' } });
  t.ok(r.status === 400 && /name/.test(r.json.message), 'POST /api-key without a name -> 400', r.json);
  r = await api(env, 'POST', '/api-key', { body: { name: 'x' } });
  t.ok(r.status === 400 && /accounts/.test(r.json.message), 'POST /api-key without accounts -> 400', r.json);
  r = await api(env, 'POST', '/api-key', { body: { name: 'x', accounts: ['ia_0000000000000000'] } });
  t.is(r.status, 404, 'POST /api-key for an account that does not exist -> 404');
  r = await api(env, 'POST', '/api-key', { body: { name: 'x', accounts: '*', expires_at: Math.floor(Date.now() / 1000) + 10 } });
  t.ok(r.status === 422 && /60 seconds/.test(r.json.message), 'POST /api-key expiring in 10 s -> 422', r.json);
  r = await api(env, 'POST', '/api-key', { body: { name: 'soon', accounts: '*', expires_at: new Date(Date.now() + 3600e3).toISOString() } });
  t.ok(r.status === 201 && typeof r.json.expires_at === 'string', 'POST /api-key with an RFC 3339 expiry -> 201', r.json && r.json.expires_at);
  if (r.json && r.json.token) secrets.add(r.json.token);

  // methods and shapes
  r = await api(env, 'PUT', '/api-key', { body: {} });
  t.ok(r.status === 405 && r.headers.get('allow') === 'GET, POST', 'PUT /api-key -> 405, Allow: GET, POST');
  r = await api(env, 'GET', `/api-key/${made.id}`);
  t.ok(r.status === 405 && r.headers.get('allow') === 'DELETE', 'GET /api-key/:id -> 405, Allow: DELETE');
  // (GET for /api-keys: it is no route of the worker, and Apache's own
  // handler answers a DELETE of an unknown static path with 405)
  for (const [m, p] of [['DELETE', '/api-key/'], ['DELETE', `/api-key/${made.id}/x`], ['GET', '/api-keys'], ['DELETE', `/api-key/${'a'.repeat(64)}`]]) {
    r = await api(env, m, p);
    t.is(r.status, 404, `${m} ${p.slice(0, 30)} -> 404`);
  }
  r = await api(env, 'DELETE', '/api-key/ak_0000000000000000');
  t.ok(r.status === 404 && r.json.error === 'not_found', 'DELETE of an unknown key id -> 404', r.json);
  r = await api(env, 'DELETE', '/api-key/..%2f..%2fetc');
  t.is(r.status, 404, 'DELETE of a malformed id -> 404');

  // revoke: 204, then the key is dead and gone from the list
  r = await api(env, 'DELETE', `/api-key/${made.id}`);
  t.ok(r.status === 204 && r.text === '', 'DELETE /api-key/:id -> 204, no body');
  r = await api(env, 'GET', '/integrated-account', { key: made.token });
  t.is(r.status, 401, 'the revoked key gets 401');
  r = await api(env, 'GET', '/api-key');
  t.ok(!r.json.items.some((k) => k.id === made.id), 'the revoked key is no longer listed');
  r = await api(env, 'DELETE', `/api-key/${made.id}`);
  t.is(r.status, 404, 'DELETE again -> 404');
  r = await api(env, 'DELETE', `/api-key/${narrow.id}`);
  t.is(r.status, 204, 'the one-account key revoked too');

  // ---- /integrated-account/:id/tools ------------------------------------------
  const tools = (q = '', key) => api(env, 'GET', `/integrated-account/${A}/tools${q}`, { key });
  r = await tools('', null);
  t.is(r.status, 401, 'GET .../tools without a key -> 401');
  // a key for another account
  r = await api(env, 'POST', '/integrated-account', { body: { name: `tools-other-${process.pid}`, account_id: simId('account:other'), api_token: 'x'.repeat(40) } });
  const other = r.json && r.json.id;
  r = await api(env, 'POST', '/api-key', { body: { name: 'other-only', accounts: [other] } });
  const otherKey = r.json && r.json.token;
  t.ok(r.status === 201 && otherKey, 'a key for another account only', r.json);
  secrets.add(otherKey);
  r = await tools('', otherKey);
  t.ok(r.status === 403 && r.json.error === 'forbidden', 'GET .../tools with a key for another account -> 403', r.json);
  r = await api(env, 'GET', '/integrated-account/ia_0000000000000000/tools');
  t.ok(r.status === 404 && /integrated account/.test(r.json.message), 'GET .../tools of an unknown account -> 404', r.json);
  r = await api(env, 'POST', `/integrated-account/${A}/tools`, { body: {} });
  t.ok(r.status === 405 && r.headers.get('allow') === 'GET', 'POST .../tools -> 405, Allow: GET');
  r = await api(env, 'GET', `/integrated-account/${A}/tools/x`);
  t.is(r.status, 404, 'GET .../tools/x -> 404');

  r = await tools();
  t.ok(r.status === 200 && r.json.count === 25 && r.json.tools.length === 25 && Number.isInteger(r.json.bytes),
    'no filter: every tool of the catalogue (25)', r.json && { count: r.json.count, bytes: r.json.bytes });
  const all = r.json;
  t.ok(all.tools.every((x) => typeof x.name === 'string' && ['read', 'write', 'custom'].includes(x.class) &&
    Array.isArray(x.tags) && x.tags.length > 0), 'each tool has name, class (read/write/custom) and tags');
  const names = all.tools.map((x) => x.name);
  t.ok(names.join() === [...names].sort().join(), 'in tools/list order (by name)');

  // bytes is what tools/list gives for the same scope: list it with a token of that scope
  const mk = async (config) => {
    const c = await api(env, 'POST', `/integrated-account/${A}/mcp`, { body: { name: 'preview-check', config } });
    secrets.add(c.json.token);
    return c.json;
  };
  const listBytes = async (token) => {
    const parts = [];
    let cursor;
    for (let i = 0; i < 50; i++) {
      const l = await post(env, token, { jsonrpc: '2.0', id: 1, method: 'tools/list', params: cursor ? { cursor } : {} });
      // the raw bytes of each tool as served: slice the result text between the brackets
      const txt = l.text;
      const start = txt.indexOf('"tools":[') + 9;
      const end = txt.lastIndexOf('],"nextCursor"') > 0 ? txt.lastIndexOf('],"nextCursor"') : txt.lastIndexOf(']');
      if (end > start) parts.push(txt.slice(start, end));
      cursor = l.json.result.nextCursor;
      if (!cursor) break;
    }
    return Buffer.byteLength(`{"tools":[${parts.join(',')}]}`);
  };
  for (const [q, config] of [['', {}], ['?methods=read', { methods: ['read'] }], ['?methods=write&tags=dns', { methods: ['write'], tags: ['dns'] }]]) {
    r = await tools(q);
    const s = await mk(config);
    const real = await listBytes(s.token);
    t.ok(r.status === 200 && r.json.bytes === real, `bytes${q || ' (no filter)'} = the size of tools/list for that scope (${real})`,
      { preview: r.json && r.json.bytes, real });
    await api(env, 'DELETE', `/integrated-account/${A}/mcp/${s.id}`);
  }

  r = await tools('?methods=read');
  t.ok(r.status === 200 && r.json.count > 0 && r.json.count < 25 && r.json.tools.every((x) => x.class === 'read'), 'methods=read: read tools only', r.json && r.json.count);
  const readCount = r.json.count;
  r = await tools('?methods=read%2Ccustom&tags=dns');
  t.ok(r.status === 200 && r.json.tools.every((x) => x.class !== 'write' && x.tags.includes('dns')) &&
    r.json.tools.some((x) => x.class === 'custom'), 'percent-encoded commas (URLSearchParams) and AND of methods and tags', r.json && r.json.tools);
  r = await tools('?methods=read,,&tags=');
  t.ok(r.status === 200 && r.json.count === readCount, 'empty words and an empty tags= are ignored', r.json && r.json.count);
  r = await tools('?methods=list_all_cloudflare_zones');
  t.ok(r.status === 200 && r.json.count === 1 && r.json.tools[0].name === 'list_all_cloudflare_zones', 'an exact tool name', r.json);

  const createAnswer = await api(env, 'POST', `/integrated-account/${A}/mcp`, { body: { name: 'x', config: { methods: ['write'], tags: ['audit'] } } });
  r = await tools('?methods=write&tags=audit');
  t.ok(r.status === 400 && createAnswer.status === 400 && r.json.message === createAnswer.json.message && /no tool matches/.test(r.json.message),
    'a filter that keeps no tool -> the same 400 as creating such a server', [r.json, createAnswer.json]);
  r = await tools('?methods=raed');
  t.ok(r.status === 400 && /entry 1 is not/.test(r.json.message) && !/raed/.test(r.json.message),
    'an unknown method word -> 400 naming its place, not quoting it', r.json);
  for (const [q, what] of [['?method=read', 'an unknown parameter'], ['?methods=read&methods=write', 'a parameter twice'],
    ['?tags=dns%2', 'a broken percent-escape'], ['?tags=dns%00', 'a NUL byte'], [`?tags=${'a'.repeat(65)}`, 'a word over 64 characters'],
    ['?tags=%3Cimg%3E', 'a word with < >'], ['?methods=re+ad', 'a +'], [`?tags=${'a,'.repeat(600)}`, 'too many tags']]) {
    r = await tools(q);
    // (lighttpd itself refuses %00 in a URL with its own 400 page)
    t.ok(r.status === 400 && (r.json ? r.json.error === 'bad_request' : /%00/.test(q)), `${what} -> 400`, r.json || r.status);
  }

  // ---- cfmcp-admin mcp preview ---------------------------------------------------
  let c = admin(env, ['mcp', 'preview', A, '--methods', 'read', '--tags', 'dns']);
  t.ok(c.status === 0 && /^list_all_cloudflare_dns_records +read +dns$/m.test(c.stdout) && /^\d+ tools; tools\/list is \d+ bytes$/m.test(c.stdout),
    'cfmcp-admin mcp preview prints the tools and the totals', c);
  c = admin(env, ['--json', 'mcp', 'preview', A, '--methods', 'read', '--tags', 'dns']);
  r = await tools('?methods=read&tags=dns');
  t.ok(c.status === 0 && JSON.stringify(JSON.parse(c.stdout)) === JSON.stringify(r.json), 'cfmcp-admin --json mcp preview = the API answer');
  c = admin(env, ['mcp', 'preview', A, '--methods', 'write', '--tags', 'audit']);
  t.ok(c.status === 1 && /no tool matches/.test(c.stderr) && c.stdout === '', 'cfmcp-admin mcp preview of a filter that keeps nothing: exit 1 with the reason', c);
  c = admin(env, ['mcp', 'preview', 'ia_0000000000000000']);
  t.ok(c.status === 1 && /404/.test(c.stderr), 'cfmcp-admin mcp preview of an unknown account: exit 1, 404', c);
  c = admin(env, ['mcp', 'preview', A, '--bogus']);
  t.is(c.status, 2, 'cfmcp-admin mcp preview with an unknown option: usage, exit 2');

  await api(env, 'DELETE', `/integrated-account/${other}`);
  t.done();
})().catch((e) => Tap.current.bail(e));
