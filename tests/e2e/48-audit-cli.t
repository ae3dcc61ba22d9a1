#!/usr/bin/env node
// Issue 16, reading the audit trail with the CLI (cfmcp-admin talks to Redis
// directly, so no web server is in the way):
//  (a) the CLI's own management actions append admin entries (actor
//      cli:user) to the right stream, and `cfmcp-admin audit` shows them;
//  (b) entries seeded with XADD in the stream format (tool calls of each
//      outcome, two servers) come back exactly, filtered and as --json;
//  (c) `audit --follow` prints an entry XADDed after it started, and ends
//      cleanly on SIGTERM; with --limit N it ends by itself.
// Waits are bounded polls; nothing asserts a duration.
'use strict';
const path = require('path');
const crypto = require('crypto');
const { spawn, execFileSync } = require('child_process');
const { Tap, stackEnv, admin, ACME } = require('./lib');

const rc = (env, ...args) => execFileSync('redis-cli', ['-s', env.REDIS_SOCK, ...args], { encoding: 'utf8' }).trim();
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
async function until(cond, ms = 15000) {
  for (const end = Date.now() + ms; Date.now() < end; await sleep(50)) if (cond()) return true;
  return cond();
}
const json = (o) => { try { return JSON.parse(o.stdout); } catch { return null; } };

(async () => {
  const t = new Tap();
  const env = stackEnv(t);
  const tag = crypto.randomBytes(4).toString('hex');
  const secrets = [];

  // ---- (a) the CLI's actions, in its own audit trail ---------------------------
  const cfToken = `audit-cf-token-${tag}-0123456789`;
  secrets.push(cfToken);
  let o = admin(env, ['--json', 'account', 'add', `audit-a-${tag}`, '--cf-account-id', ACME], cfToken + '\n');
  const A = (json(o) || {}).id;
  t.ok(o.status === 0 && /^ia_[0-9a-f]{16}$/.test(A || ''), 'account add', o.stderr);
  o = admin(env, ['--json', 'mcp', 'create', A, '--name', 'audited', '--methods', 'read']);
  const M = (json(o) || {}).id;
  if (json(o)) secrets.push(json(o).url.split('/').pop());
  t.ok(o.status === 0 && /^mcp_[0-9a-f]{16}$/.test(M || ''), 'mcp create', o.stderr);
  o = admin(env, ['mcp', 'extend', M, '--expires-in', '3600']);
  t.is(o.status, 0, 'mcp extend');
  const rotated = `audit-cf-rotated-${tag}-0123456789`;
  secrets.push(rotated);
  o = admin(env, ['account', 'set-token', A], rotated + '\n');
  t.is(o.status, 0, 'account set-token');
  o = admin(env, ['account', 'rekey']);
  t.is(o.status, 0, 'account rekey');
  o = admin(env, ['mcp', 'revoke', M]);
  t.is(o.status, 0, 'mcp revoke');
  o = admin(env, ['--json', 'apikey', 'create', `audit-k-${tag}`, '--accounts', A]);
  const K = (json(o) || {}).id;
  if (json(o)) secrets.push(json(o).token);
  t.ok(o.status === 0 && /^ak_[0-9a-f]{16}$/.test(K || ''), 'apikey create', o.stderr);
  o = admin(env, ['apikey', 'revoke', K]);
  t.is(o.status, 0, 'apikey revoke');

  o = admin(env, ['audit', A, '--json']);
  const items = (json(o) || {}).items || [];
  const shape = (i) => [i.kind, i.action, i.target, i.actor, i.http_status].join(' ');
  t.is(JSON.stringify(items.map(shape)), JSON.stringify([
    `admin mcp_server.revoked ${M} cli:user 204`,
    `admin account.rekeyed ${A} cli:user 200`,
    `admin account.token_rotated ${A} cli:user 200`,
    `admin mcp_server.changed ${M} cli:user 200`,
    `admin mcp_server.created ${M} cli:user 201`,
    `admin account.created ${A} cli:user 201`,
  ]), 'audit ACCOUNT --json: the account\'s actions, newest first, actor cli:user, with the HTTP status');
  t.ok(items.length && items.every((i) => /^\d+-\d+$/.test(i.id) && Number.isInteger(i.t) &&
    i.time === new Date(Number(i.id.split('-')[0])).toISOString() && Math.abs(Number(i.id.split('-')[0]) - i.t) < 60000 && Object.keys(i).join() === 'id,time,kind,t,action,target,actor,http_status'),
  'each item: id, its time in RFC 3339 with ms (as the API), then the format\'s fields', items[0]);
  o = admin(env, ['audit', A]);
  const lines = o.stdout.trimEnd().split('\n');
  t.ok(o.status === 0 && lines.length === 6 &&
    new RegExp(`^\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z admin action=mcp_server.revoked target=${M} actor=cli:user http_status=204$`).test(lines[0]),
  'audit ACCOUNT: one line per entry, newest first', o.stdout);
  o = admin(env, ['audit', A, '--mcp', M, '--json']);
  t.is(((json(o) || {}).items || []).map((i) => i.action).join(), 'mcp_server.revoked,mcp_server.changed,mcp_server.created',
    '--mcp ID keeps the admin entries that target that server');
  const glob = ((json(admin(env, ['audit', 'apikeys', '--json', '--limit', '1000'])) || {}).items || []).filter((i) => i.target === K);
  t.is(JSON.stringify(glob.map(shape)), JSON.stringify([`admin api_key.revoked ${K} cli:user 204`, `admin api_key.created ${K} cli:user 201`]),
    'API key actions go to the global stream (audit apikeys)');
  const dump = rc(env, 'XRANGE', `cfmcp:audit:${A}`, '-', '+') + rc(env, 'XRANGE', 'cfmcp:audit:apikeys', '-', '+');
  t.ok(secrets.length === 4 && secrets.every((s) => s && !dump.includes(s)), 'no Cloudflare token, MCP URL token or API key in either stream');

  o = admin(env, ['account', 'remove', A]);
  t.is(o.status, 0, 'account remove');
  t.is(rc(env, 'EXISTS', `cfmcp:audit:${A}`), '0', 'removing an account removes its stream');
  const removed = ((json(admin(env, ['audit', 'apikeys', '--json', '--limit', '1000'])) || {}).items || []).filter((i) => i.target === A);
  t.is(JSON.stringify(removed.map(shape)), JSON.stringify([`admin account.removed ${A} cli:user 204`]),
    '... and its removal is told in the global stream');
  o = admin(env, ['audit', A]);
  t.ok(o.status === 1 && /404/.test(o.stderr), 'audit of an account that is gone -> exit 1, 404', o.stderr);

  // ---- (b) seeded entries: listing, filters, --json ---------------------------
  o = admin(env, ['--json', 'account', 'add', `audit-b-${tag}`, '--cf-account-id', ACME], cfToken + '\n');
  const B = (json(o) || {}).id;
  t.ok(o.status === 0 && B, 'a second account for seeded entries');
  const key = `cfmcp:audit:${B}`;
  // explicit stream ids (= t), ahead of the clock, so --since has exact answers
  const t0 = Date.now() + 100000;
  const M1 = 'mcp_00000000000000a1', M2 = 'mcp_00000000000000b2';
  const FIELDS = ['kind', 't', 'mcp_id', 'mcp_name', 'tool', 'class', 'cf_method', 'cf_path', 'outcome', 'status', 'latency_ms',
    'cf_ray', 'client_name', 'client_version', 'user_agent', 'request_id', 'args_sha256', 'action', 'target', 'actor', 'http_status'];
  const NUM = new Set(['t', 'status', 'latency_ms', 'http_status']);
  const call = (i, mcp, tool, cls, method, p, outcome, status, extra = {}) => ({
    kind: 'tool_call', t: t0 + i * 1000, mcp_id: mcp, mcp_name: mcp === M1 ? 'ci bot' : 'agent', tool, class: cls,
    cf_method: method, cf_path: p, outcome, ...(status ? { status, latency_ms: 40 + i } : {}),
    client_name: 'cfmcp-e2e', client_version: '1', user_agent: 'node', request_id: String(i),
    args_sha256: crypto.createHash('sha256').update(String(i)).digest('hex'), ...extra });
  const seeds = [
    call(1, M1, 'list_all_cloudflare_zones', 'read', 'GET', '/zones', 'ok', 200, { cf_ray: '8a1b2c3d4e5f6a7b-LHR' }),
    call(2, M1, 'get_single_cloudflare_zone_by_id', 'read', 'GET', '/zones/{zone_id}', 'tool_error', 404),
    call(3, M2, 'delete_a_cloudflare_dns_record', 'write', 'DELETE', '/zones/{zone_id}/dns_records/{dns_record_id}', 'refused', 0),
    call(4, M2, 'create_a_cloudflare_dns_record', 'write', 'POST', '/zones/{zone_id}/dns_records', 'invalid', 0),
    call(5, M1, 'list_all_cloudflare_zones', 'read', 'GET', '/zones', 'rate_limited', 429),
    call(6, M2, 'purge_cloudflare_cache', 'custom', 'POST', '/zones/{zone_id}/purge_cache', 'upstream_error', 502),
  ];
  const want = [];
  for (const s of seeds) {
    const args = [];
    for (const f of FIELDS) if (s[f] !== undefined) args.push(f, String(s[f]));
    const id = rc(env, 'XADD', key, 'MAXLEN', '~', '100000', `${s.t}-0`, ...args);
    const item = { id, time: new Date(s.t).toISOString() };
    for (const f of FIELDS) if (s[f] !== undefined) item[f] = NUM.has(f) ? Number(s[f]) : s[f];
    want.unshift(item); // newest first
  }
  const list = (...args) => { const r = admin(env, ['audit', B, '--json', ...args]); return { r, items: ((json(r) || {}).items || []) }; };
  let l = list();
  t.is(JSON.stringify(l.items.slice(0, 6)), JSON.stringify(want), '--json: every seeded entry exactly as the API shows it (numbers as numbers), newest first');
  t.ok(l.items.length === 7 && l.items[6].action === 'account.created', '... then the account\'s creation', l.items.length);
  const ids = (x) => x.items.map((i) => i.request_id || i.action).join();
  for (const o2 of ['ok', 'tool_error', 'refused', 'invalid', 'rate_limited', 'upstream_error']) {
    l = list('--outcome', o2);
    t.is(JSON.stringify(l.items), JSON.stringify(want.filter((w) => w.outcome === o2)), `--outcome ${o2}: that entry alone`);
  }
  t.is(ids(list('--mcp', M1)), '5,2,1', '--mcp: that server\'s calls');
  t.is(ids(list('--mcp', M2, '--outcome', 'refused')), '3', '--mcp and --outcome together');
  t.is(ids(list('--tool', 'list_all_cloudflare_zones')), '5,1', '--tool: that tool\'s calls');
  t.is(ids(list('--limit', '2')), '6,5', '--limit 2: the newest two');
  t.is(ids(list('--since', String(t0 + 4000))), '6,5,4', '--since Unix ms: entries (stream ids) at or after it');
  t.is(ids(list('--since', new Date(t0 + 4000).toISOString())), '6,5,4', '--since RFC 3339 with ms: the same');
  t.is(ids(list('--since', String(Math.floor((t0 + 5999) / 1000)))), ids(list('--since', String(Math.floor((t0 + 5999) / 1000) * 1000))),
    '--since Unix seconds reads as that second');
  t.is(ids(list('--tool', 'no_such_tool')), '', 'a filter nothing passes: an empty list');
  o = admin(env, ['audit', B, '--tool', 'list_all_cloudflare_zones', '--outcome', 'ok']);
  t.is(o.stdout, `${new Date(t0 + 1000).toISOString()} tool_call mcp_id=${M1} mcp_name="ci bot" tool=list_all_cloudflare_zones class=read ` +
    'cf_method=GET cf_path=/zones outcome=ok status=200 latency_ms=41 cf_ray=8a1b2c3d4e5f6a7b-LHR client_name=cfmcp-e2e client_version=1 ' +
    `user_agent=node request_id=1 args_sha256=${want[5].args_sha256}\n`, 'text: one line with every field');
  rc(env, 'XADD', key, '*', 'kind', 'tool_call', 't', String(t0 + 7000), 'tool', 'x', 'user_agent', 'a\x1b]0;owned\x07 b');
  o = admin(env, ['audit', B, '--limit', '1']);
  t.ok(!o.stdout.includes('\x1b') && o.stdout.includes('user_agent="a\\x1b]0;owned\\x07 b"'), 'control bytes in an entry are escaped, never sent to the terminal', o.stdout);
  for (const [args, code, why] of [
    [['--outcome', 'nope'], 1, 'an unknown --outcome'], [['--limit', '0'], 1, '--limit 0'], [['--limit', '1001'], 1, '--limit 1001'],
    [['--since', 'yesterday'], 1, 'a --since that is no time'], [['--frobnicate'], 2, 'an unknown option'], [['--mcp'], 2, '--mcp without a value'],
  ]) {
    o = admin(env, ['audit', B, ...args]);
    t.ok(o.status === code && o.stdout === '', `${why} -> exit ${code}, nothing listed`, o);
  }
  o = admin(env, ['audit', 'cfmcp:*']);
  t.ok(o.status === 1 && /account id/.test(o.stderr), 'audit of something that is no account id -> exit 1', o.stderr);

  // ---- (c) --follow ----------------------------------------------------------------
  const root = path.resolve(__dirname, '../..');
  const bin = path.resolve(root, process.env.BUILD || path.join(root, 'build'), 'cfmcp-admin');
  const follow = (args) => {
    const p = spawn(bin, ['audit', B, ...args], { env: { ...process.env, CFMCP_REDIS: `unix:${env.REDIS_SOCK}`,
      CFMCP_KEY_FILE: env.CFMCP_KEY_FILE, CFMCP_CONFIG_FILE: '' } });
    const f = { p, out: '', err: '', code: undefined, signal: undefined };
    p.stdout.on('data', (d) => { f.out += d; });
    p.stderr.on('data', (d) => { f.err += d; });
    p.on('exit', (c, s) => { f.code = c; f.signal = s; });
    return f;
  };
  const f = follow(['--follow', '--json', '--tool', 'followed_tool']);
  t.ok(await until(() => /following/.test(f.err)), '--follow says on stderr that it follows', f.err);
  t.is(f.out, '', '... and lists nothing from before it started');
  rc(env, 'XADD', key, '*', 'kind', 'tool_call', 't', String(Date.now()), 'tool', 'other_tool', 'outcome', 'ok');
  const fid = rc(env, 'XADD', key, '*', 'kind', 'tool_call', 't', String(Date.now()), 'mcp_id', M1, 'tool', 'followed_tool', 'outcome', 'refused');
  t.ok(await until(() => f.out.includes('\n')), 'an entry appended after it started is printed', f);
  const got = f.out.trimEnd().split('\n').map((s) => { try { return JSON.parse(s); } catch { return s; } });
  t.ok(got.length === 1 && got[0].id === fid && got[0].tool === 'followed_tool' && got[0].outcome === 'refused',
    '... once, as one JSON line, and the filter holds (other_tool not printed)', got);
  f.p.kill('SIGTERM');
  t.ok(await until(() => f.code !== undefined || f.signal), 'SIGTERM ends it');
  t.ok(f.code === 0 && f.signal === null, '... cleanly: exit 0, not killed by the signal', { code: f.code, signal: f.signal, err: f.err });
  const g = follow(['--follow', '--since', String(t0), '--limit', '2']);
  t.ok(await until(() => g.code !== undefined || g.signal), '--follow --since --limit 2 ends by itself');
  const gl = g.out.trimEnd().split('\n');
  t.ok(g.code === 0 && gl.length === 2 && / request_id=1 /.test(gl[0]) && / request_id=2 /.test(gl[1]),
    '... after the two oldest entries since then, oldest first', g);
  if (g.code === undefined) g.p.kill('SIGKILL');
  const h = follow(['--follow']);
  t.ok(await until(() => /following/.test(h.err)), 'a plain --follow starts');
  h.p.kill('SIGINT');
  t.ok(await until(() => h.code !== undefined || h.signal) && h.code === 0, 'Ctrl-C (SIGINT) ends it with exit 0', { code: h.code, err: h.err });

  admin(env, ['account', 'remove', B]);
  t.done();
})().catch((e) => Tap.current.bail(e));
