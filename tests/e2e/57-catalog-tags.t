#!/usr/bin/env node
// Issue 12: GET /catalog/tags (the management API, any valid API key) and
// `cfmcp-admin tags`: every tag with its tools per class, counted here
// independently from `cfmcp-worker --check --list-tools` (one line per
// tool: name, method, path, class, tags). Through the stack's web server
// (lighttpd, then Apache in the second pass) for the catalogue the stack
// serves, and through a second stack of the same server with the full
// catalogue (the vendored OpenAPI spec on top); then the auth and method
// errors, and the CLI over the full catalogue.
'use strict';
const fs = require('fs');
const os = require('os');
const path = require('path');
const { execFileSync } = require('child_process');
const { Tap, stackEnv, admin, api } = require('./lib');

const root = path.resolve(__dirname, '..', '..');
const build = path.resolve(root, process.env.BUILD || 'build');
const vendored = path.join(root, 'schemas', 'openapi', 'openapi.json');

// {tags: [{tag, tools, read, write, custom}], total} from --list-tools.
function expected(keyFile, openapi) {
  const out = execFileSync(path.join(build, 'cfmcp-worker'), ['--check', '--list-tools'], { encoding: 'utf8',
    maxBuffer: 64 << 20, env: { ...process.env, CFMCP_KEY_FILE: keyFile, CFMCP_SCHEMAS: path.join(root, 'schemas'),
      CFMCP_OPENAPI: openapi, CFMCP_CONFIG_FILE: '' } });
  const by = new Map();
  let total = 0;
  const cls = { list: 'read', get: 'read', create: 'write', update: 'write', delete: 'write', custom: 'custom' };
  for (const line of out.split('\n').filter(Boolean)) {
    const [, , , kind, tags] = line.split('\t');
    total++;
    for (const tag of tags.split(',')) {
      const e = by.get(tag) || { tag, tools: 0, read: 0, write: 0, custom: 0 };
      e.tools++;
      e[cls[kind]]++;
      by.set(tag, e);
    }
  }
  // sorted as strcmp sorts: byte order
  return { tags: [...by.values()].sort((a, b) => (a.tag < b.tag ? -1 : a.tag > b.tag ? 1 : 0)), total };
}

(async () => {
  const t = new Tap();
  const env = stackEnv(t);
  const want = expected(env.CFMCP_KEY_FILE, process.env.CFMCP_OPENAPI || 'off');

  let r = await api(env, 'GET', '/catalog/tags');
  t.is(r.status, 200, `GET /catalog/tags through ${env.STACK_SERVER} -> 200`);
  t.is(JSON.stringify(r.json), JSON.stringify(want), `the stack's catalogue: ${want.total} tools, ${want.tags.length} tags, counts as --list-tools gives them`);
  t.is(r.headers.get('content-type'), 'application/json', 'answered as JSON');
  t.is(r.headers.get('cache-control'), 'no-store', 'with Cache-Control: no-store');

  // any valid key: one allowed on a single account will do
  const one = admin(env, ['apikey', 'create', 'tags-one-account', '--accounts', env.ACCOUNT_ID]);
  const oneKey = (/^token\s+(\S+)/m.exec(one.stdout) || [])[1];
  r = await api(env, 'GET', '/catalog/tags', { key: oneKey });
  t.ok(oneKey && r.status === 200 && r.json.total === want.total, 'a key for one account may read it too', r.status);

  r = await api(env, 'GET', '/catalog/tags', { key: null });
  t.ok(r.status === 401 && r.json && r.json.error === 'unauthorized' && /Bearer/.test(r.headers.get('www-authenticate') || ''),
    'without a key -> 401 with WWW-Authenticate', r.json);
  r = await api(env, 'GET', '/catalog/tags', { key: 'not-a-real-key-at-all-0123456789abcdefgh' });
  t.ok(r.status === 401 && r.json && r.json.error === 'unauthorized', 'an unknown key -> 401', r.json);
  t.ok(!r.text.includes('not-a-real-key'), 'the answer does not echo the key');
  for (const m of ['POST', 'PUT', 'DELETE']) {
    r = await api(env, m, '/catalog/tags', m === 'DELETE' ? {} : { body: {} });
    t.ok(r.status === 405 && r.headers.get('allow') === 'GET' && r.json && r.json.error === 'method_not_allowed',
      `${m} /catalog/tags -> 405 with Allow: GET`, { status: r.status, allow: r.headers.get('allow') });
  }
  r = await api(env, 'GET', '/catalog/nothing');
  t.ok(r.status === 404 && r.json && r.json.error === 'not_found', 'another /catalog/ path -> 404 in the API\'s error shape', r.status);

  // the CLI over the full catalogue, and the same counts from the route
  const full = expected(env.CFMCP_KEY_FILE, vendored);
  t.ok(full.total >= 1420 && full.tags.length >= 30, `the full catalogue: ${full.total} tools, ${full.tags.length} tags`);
  const openapi0 = process.env.CFMCP_OPENAPI;
  process.env.CFMCP_OPENAPI = vendored; // admin() passes process.env on
  let c = admin(env, ['--json', 'tags']);
  let cj = null;
  try { cj = JSON.parse(c.stdout); } catch { /* reported below */ }
  t.ok(c.status === 0 && JSON.stringify(cj) === JSON.stringify(full), 'cfmcp-admin --json tags: the same counts as --list-tools',
    c.stderr || c.stdout.slice(0, 300));
  c = admin(env, ['tags']);
  const dns = full.tags.find((x) => x.tag === 'dns');
  t.ok(c.status === 0 && /^TAG\s+TOOLS\s+READ\s+WRITE\s+CUSTOM$/m.test(c.stdout) &&
    new RegExp(`^dns\\s+${dns.tools}\\s+${dns.read}\\s+${dns.write}\\s+${dns.custom}$`, 'm').test(c.stdout) &&
    c.stdout.includes(`${full.total} tools in the catalogue`), 'cfmcp-admin tags prints a table (dns row checked) and the total', c.stdout.slice(0, 400));
  // bug_cli_catalog_curated_only: the CLI's mcp commands checked methods
  // against the 25 curated tools while the worker and the API serve the
  // whole catalogue, so a generated tool's name was refused by the CLI
  {
    const names = (o) => execFileSync(path.join(build, 'cfmcp-worker'), ['--check', '--list-tools'], { encoding: 'utf8',
      maxBuffer: 64 << 20, env: { ...process.env, CFMCP_KEY_FILE: env.CFMCP_KEY_FILE, CFMCP_SCHEMAS: path.join(root, 'schemas'),
        CFMCP_OPENAPI: o, CFMCP_CONFIG_FILE: '' } }).split('\n').filter(Boolean).map((l) => l.split('\t')[0]);
    const cur = new Set(names('off'));
    const gen = names(vendored).find((n) => !cur.has(n) && /^list_all_/.test(n));
    const pv = admin(env, ['--json', 'mcp', 'preview', env.ACCOUNT_ID, '--methods', gen]);
    let pj = null;
    try { pj = JSON.parse(pv.stdout); } catch { /* reported below */ }
    t.ok(gen && pv.status === 0 && pj && pj.count === 1 && pj.tools[0].name === gen,
      `bug_cli_catalog_curated_only: cfmcp-admin mcp preview --methods ${gen} (a generated tool) keeps it`,
      { status: pv.status, stderr: pv.stderr.slice(0, 200), out: pv.stdout.slice(0, 200) });
  }
  const curated = expected(env.CFMCP_KEY_FILE, 'off');
  process.env.CFMCP_OPENAPI = 'off';
  c = admin(env, ['tags']);
  t.ok(c.status === 0 && c.stdout.includes(`\n${curated.total} tools in the catalogue`), `CFMCP_OPENAPI=off: the curated ${curated.total} tools only`,
    c.stdout.slice(-200));
  if (openapi0 === undefined) delete process.env.CFMCP_OPENAPI; else process.env.CFMCP_OPENAPI = openapi0;
  c = admin(env, ['tags', 'extra']);
  t.is(c.status, 2, 'cfmcp-admin tags takes no argument (usage, exit 2)');

  // a second stack behind the same web server, with the full catalogue
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cfmcp-tags-'));
  const stackSh = (cmd, extra) => execFileSync('sh', ['-c', `. "$ROOT/tests/lib/stack.sh" && ${cmd}`],
    { env: { ...process.env, ROOT: root, ...extra }, encoding: 'utf8' });
  const d2 = path.join(dir, 'stack');
  fs.mkdirSync(d2);
  try {
    stackSh('stack_start "$D2" >/dev/null', { D2: d2, STACK_WORKERS: '1', CFMCP_OPENAPI: vendored });
    const env2 = {};
    for (const line of fs.readFileSync(path.join(d2, 'env'), 'utf8').split('\n')) {
      const m = /^(\w+)='(.*)'$/.exec(line);
      if (m) env2[m[1]] = m[2];
    }
    r = await api(env2, 'GET', '/catalog/tags');
    t.is(r.status, 200, `GET /catalog/tags, full catalogue, through ${env2.STACK_SERVER} -> 200`);
    t.is(JSON.stringify(r.json), JSON.stringify(full), `the full catalogue's counts as --list-tools gives them (${full.total} tools)`);
  } catch (e) {
    t.ok(false, 'the second stack (full catalogue) started', String(e.stderr || e));
  } finally {
    try { stackSh('stack_stop "$D2"', { D2: d2 }); } catch { /* already down */ }
    fs.rmSync(dir, { recursive: true, force: true });
  }
  t.done();
})().catch((e) => Tap.current.bail(e));
