#!/usr/bin/env node
// Issue 4: every tool of the core catalogue called through lighttpd with
// the v1 SDK client, each request checked on the simulator's side (method,
// path, query, body, Bearer). Zone names resolve to ids (and are cached),
// the account id is filled in, and the brief's two workflows run end to end.
'use strict';
const { execFileSync } = require('child_process');
const { Tap, stackEnv, mintToken, sim, simId, ACME } = require('./lib');

(async () => {
  const t = new Tap();
  const env = stackEnv(t);
  const { Client } = require('@modelcontextprotocol/sdk/client/index.js');
  const { StreamableHTTPClientTransport } = require('@modelcontextprotocol/sdk/client/streamableHttp.js');
  const token = mintToken(env);
  const client = new Client({ name: 'cfmcp-e2e-tools', version: '1.0.0' });
  await client.connect(new StreamableHTTPClientTransport(new URL(`${env.CFMCP_BASE}/mcp/${token}`)));
  const tools = [];
  for (let cursor, i = 0; i < 50; i++) {
    const r = await client.listTools(cursor ? { cursor } : {});
    tools.push(...r.tools);
    if (!(cursor = r.nextCursor)) break;
  }
  const byName = Object.fromEntries(tools.map((x) => [x.name, x]));
  t.is(tools.length, 25, 'the core catalogue has 25 tools');
  const wrongHint = tools.filter((x) => (x.annotations.readOnlyHint === true) !==
    (x.name.startsWith('list_') || x.name.startsWith('get_') || x.name.startsWith('verify_')));
  t.is(wrongHint.map((x) => x.name).join(','), '', 'readOnlyHint exactly on the read tools (list, get, verify)');
  t.ok(tools.every((x) => /^[a-z0-9_]{1,64}$/.test(x.name)), 'every name is [a-z0-9_]{1,64}');
  t.is(byName.delete_a_cloudflare_dns_record_by_id.annotations.destructiveHint, true, 'delete carries destructiveHint');
  t.ok(!('account_id' in (byName.list_all_cloudflare_audit_logs.inputSchema.required || [])) &&
    !(byName.list_all_cloudflare_audit_logs.inputSchema.required || []).includes('account_id'),
    'account-scoped tools do not require account_id');

  const Z = simId('zone:example.com'), Z2 = simId('zone:example.net');
  const calls = require('./calls').coreCalls();
  const seen = new Set();
  for (const [name, a, meth, p, qcheck, bcheck, after] of calls) {
    seen.add(name);
    await sim(env, 'reset', {});
    const args = typeof a === 'function' ? a() : a;
    const res = await client.callTool({ name, arguments: args });
    const log = await sim(env, 'log');
    const path = typeof p === 'function' ? p() : p;
    const q = new URLSearchParams(log[0] ? log[0].query : '');
    const body = log[0] && log[0].body ? JSON.parse(log[0].body) : null;
    t.ok(res.isError === false && log.length === 1 && log[0].method === meth && log[0].path === path && log[0].auth &&
      (!qcheck || qcheck(q)) && (!bcheck || bcheck(body)),
      `${name}: ${meth} ${path.replace(/[0-9a-f]{32}/g, '<id>')} sent as expected and answered`,
      { isError: res.isError, text: res.content[0].text.slice(0, 300), log });
    if (after && !res.isError) after(res.structuredContent);
  }
  t.is(seen.size, 25, 'all 25 tools were called');

  // Zone names are accepted wherever a zone id is, resolved once, then cached.
  execFileSync('redis-cli', ['-s', env.REDIS_SOCK, 'DEL', `cfmcp:zone-name:${env.ACCOUNT_ID}:example.net`]);
  await sim(env, 'reset', {});
  let r = await client.callTool({ name: 'list_all_cloudflare_dns_records', arguments: { zone_id: 'example.net' } });
  let log = await sim(env, 'log');
  t.ok(!r.isError && log.length === 2 && log[0].path === '/zones' && new URLSearchParams(log[0].query).get('name') === 'example.net' &&
    new URLSearchParams(log[0].query).get('account.id') === ACME && log[1].path === `/zones/${Z2}/dns_records`,
    'zone name resolved with GET /zones?name= (within the account), then used', log);
  await sim(env, 'reset', {});
  r = await client.callTool({ name: 'list_all_cloudflare_firewall_rules', arguments: { zone_id: 'example.net' } });
  log = await sim(env, 'log');
  t.ok(!r.isError && log.length === 1 && log[0].path === `/zones/${Z2}/firewall/rules`, 'the second use comes from the Redis cache', log);
  const ttl = Number(execFileSync('redis-cli', ['-s', env.REDIS_SOCK, 'TTL', `cfmcp:zone-name:${env.ACCOUNT_ID}:example.net`], { encoding: 'utf8' }));
  t.ok(ttl > 0 && ttl <= 300, `the cache entry has a short TTL (${ttl} s)`);
  r = await client.callTool({ name: 'get_single_cloudflare_zone_by_id', arguments: { zone_id: 'no-such-zone.example' } });
  t.ok(r.isError && /no zone named no-such-zone.example/.test(r.content[0].text), 'an unknown zone name is a clear tool error', r.content[0].text);

  // Cursor-style paging (audit logs v2): our next_cursor wraps Cloudflare's cursor.
  const v1 = await client.callTool({ name: 'list_all_cloudflare_audit_logs_v2', arguments: { since: '2026-11-24', before: '2026-11-26', limit: 10 } });
  const nc = v1.structuredContent.next_cursor;
  await sim(env, 'reset', {});
  const v2 = await client.callTool({ name: 'list_all_cloudflare_audit_logs_v2', arguments: { since: '2026-11-24', before: '2026-11-26', limit: 10, next_cursor: nc } });
  const vlog = await sim(env, 'log');
  t.ok(typeof nc === 'string' && !v2.isError && v2.structuredContent.result.length === 10 &&
    v2.structuredContent.result[0].id !== v1.structuredContent.result[0].id &&
    Buffer.from(new URLSearchParams(vlog[0].query).get('cursor'), 'base64').toString() === 'off:10',
    'audit logs v2: next_cursor carries Cloudflare\'s cursor to the next page', { nc, vlog });
  const bogus = await client.callTool({ name: 'list_all_cloudflare_audit_logs_v2', arguments: { since: '2026-11-24', before: '2026-11-26', next_cursor: 'not-a-cursor!' } });
  t.ok(bogus.isError && /next_cursor/.test(bogus.content[0].text), 'a made-up next_cursor is refused', bogus.content[0].text);

  // Workflow 1 (brief): incident audit - zone by name, then 12 h of audit logs filtered by action.
  await sim(env, 'reset', {});
  const zr = await client.callTool({ name: 'list_all_cloudflare_zones', arguments: { name: 'example.com' } });
  const zid = zr.structuredContent.result[0].id;
  const al = await client.callTool({ name: 'list_all_cloudflare_audit_logs', arguments: {
    since: '2026-11-25T00:00:00Z', before: '2026-11-25T12:00:01Z', 'action.type': 'waf_rule_update', 'zone.name': 'example.com' } });
  const ev = al.structuredContent.result;
  t.ok(zid === Z && ev.length > 0 && ev.every((e) => e.action.type === 'waf_rule_update' && e.when >= '2026-11-25T00:00:00Z'),
    `incident audit: ${ev.length} waf_rule_update event(s) on example.com in the 12 h window`, ev);
  t.ok(ev.every((e) => e.actor && e.actor.email && e.actor.ip), 'each event says who and from which IP');

  // Workflow 2 (brief): WAF diff - two zones by name, two firewall rule lists, a rate-limiting rule in one only.
  const a = await client.callTool({ name: 'list_all_cloudflare_firewall_rules', arguments: { zone_id: 'example.com' } });
  const b = await client.callTool({ name: 'list_all_cloudflare_firewall_rules', arguments: { zone_id: 'example.net' } });
  const descs = (x) => new Set(x.structuredContent.result.map((y) => y.description));
  const onlyA = [...descs(a)].filter((d) => !descs(b).has(d));
  t.ok(onlyA.length === 1 && /rate limit/i.test(onlyA[0]), `WAF diff: "${onlyA[0]}" exists on example.com only`, onlyA);

  await client.close();
  t.done();
})().catch((e) => (require('./lib').Tap.current || new (require('./lib').Tap)()).bail(e));
