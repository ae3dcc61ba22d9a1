#!/usr/bin/env node
// Issue 12: discovery mode end to end, through whichever web server the
// stack has (lighttpd, then Apache in the second pass), with the SDK v1
// client, the SDK v2 client (protocol 2026-07-28) and mcp-remote over stdio:
// tools/list holds exactly the three discovery tools (<= 4 KB), search ->
// describe -> call works, the token's scope holds in each step (checked on
// the simulator's side: nothing reaches it), and the brief's two workflows
// (incident audit, WAF diff) are done through the three tools alone.
'use strict';
const crypto = require('crypto');
const { execFileSync } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');
const { Tap, stackEnv, mintToken, sim, simId } = require('./lib');

const THREE = ['call_cloudflare_operation', 'describe_cloudflare_operation', 'search_cloudflare_operations'];

// A token minted as lib.js does, then set to a tool_mode (the Redis field
// the README documents for redis-cli recipes).
function discoveryToken(env, opts = {}, mode = 'discovery') {
  const token = mintToken(env, opts);
  const key = `cfmcp:mcp:${crypto.createHash('sha256').update(token).digest('hex')}`;
  execFileSync('redis-cli', ['-s', env.REDIS_SOCK, 'HSET', key, 'tool_mode', mode]);
  return token;
}

async function v1Client(url) {
  const { Client } = require('@modelcontextprotocol/sdk/client/index.js');
  const { StreamableHTTPClientTransport } = require('@modelcontextprotocol/sdk/client/streamableHttp.js');
  const cl = new Client({ name: 'cfmcp-e2e-discovery-v1', version: '1.0.0' });
  await cl.connect(new StreamableHTTPClientTransport(new URL(url)));
  return cl;
}

async function v2Client(url) {
  const { Client, StreamableHTTPClientTransport } = await import('@modelcontextprotocol/client');
  const cl = new Client({ name: 'cfmcp-e2e-discovery-v2', version: '1.0.0' },
    { versionNegotiation: { mode: { pin: '2026-07-28' } } });
  await cl.connect(new StreamableHTTPClientTransport(new URL(url)));
  return cl;
}

async function remoteClient(url) {
  const { Client } = require('@modelcontextprotocol/sdk/client/index.js');
  const { StdioClientTransport } = require('@modelcontextprotocol/sdk/client/stdio.js');
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'cfmcp-mcp-remote-'));
  const transport = new StdioClientTransport({ command: process.execPath,
    args: [require.resolve('mcp-remote/dist/proxy.js'), url, '--transport', 'http-only'],
    env: { ...process.env, HOME: home, MCP_REMOTE_CONFIG_DIR: home }, stderr: 'pipe' });
  const cl = new Client({ name: 'claude-desktop-like', version: '1.0.0' });
  await cl.connect(transport);
  return cl;
}

(async () => {
  const t = new Tap();
  const env = stackEnv(t);
  const server = env.STACK_SERVER || 'lighttpd';
  const Z = simId('zone:example.com');
  const clients = [['SDK v1', v1Client], ['SDK v2', v2Client], ['mcp-remote', remoteClient]];

  for (const [label, make] of clients) {
    const who = `${server} ${label}`;
    let cl;
    try {
      cl = await make(`${env.CFMCP_BASE}/mcp/${discoveryToken(env)}`);
    } catch (e) {
      t.ok(false, `${who}: connect`, e && e.stack);
      continue;
    }
    const search = async (query, extra = {}) => {
      const r = await cl.callTool({ name: 'search_cloudflare_operations', arguments: { query, ...extra } });
      return r.isError ? [] : r.structuredContent.operations.map((o) => o.name);
    };
    const call = (name, args) => cl.callTool({ name: 'call_cloudflare_operation', arguments: { name, arguments: args } });

    // tools/list: exactly the three, small
    const lt = await cl.listTools();
    const names = lt.tools.map((x) => x.name).sort();
    const bytes = Buffer.byteLength(JSON.stringify(lt.tools));
    t.is(JSON.stringify(names), JSON.stringify(THREE), `${who}: tools/list has exactly the three discovery tools`);
    t.ok(bytes <= 4096 && !lt.nextCursor, `${who}: their definitions are ${bytes} bytes (<= 4096, ~${Math.round(bytes / 4)} tokens)`);

    // search -> describe -> call
    const hits = await search('list the DNS records of example.com');
    t.is(hits[0], 'list_all_cloudflare_dns_records', `${who}: search ranks list_all_cloudflare_dns_records first`, hits);
    const d = await cl.callTool({ name: 'describe_cloudflare_operation', arguments: { name: 'list_all_cloudflare_dns_records' } });
    t.ok(!d.isError && d.structuredContent.inputSchema.properties.zone_id && d.structuredContent.path === '/zones/{zone_id}/dns_records',
      `${who}: describe gives the input schema and path`, d.structuredContent);
    await sim(env, 'reset', {});
    const r = await call('list_all_cloudflare_dns_records', { zone_id: Z, limit: 5 });
    const log = await sim(env, 'log');
    t.ok(!r.isError && Array.isArray(r.structuredContent.result) && log.length === 1 &&
      log[0].method === 'GET' && log[0].path === `/zones/${Z}/dns_records` && new URLSearchParams(log[0].query).get('per_page') === '5',
      `${who}: call_cloudflare_operation sends GET /zones/<id>/dns_records?per_page=5 and answers`, { r, log });
    const bad = await call('list_all_cloudflare_dns_records', { zone_id: Z, bogus: 1 });
    t.ok(bad.isError && /Invalid arguments for list_all_cloudflare_dns_records/.test(bad.content[0].text),
      `${who}: the operation's own validation applies through call_cloudflare_operation`, bad.content[0].text);
    await cl.close();
  }

  // Scope holds in each step, for each client: a read-only, dns-tagged token.
  for (const [label, make] of clients) {
    const who = `${server} ${label} read-only dns token`;
    let cl;
    try {
      cl = await make(`${env.CFMCP_BASE}/mcp/${discoveryToken(env, { methods: 'read', tags: 'dns' })}`);
    } catch (e) {
      t.ok(false, `${who}: connect`, e && e.stack);
      continue;
    }
    await sim(env, 'reset', {});
    const s = await cl.callTool({ name: 'search_cloudflare_operations', arguments: { query: 'create or delete a DNS record, firewall rules', limit: 50 } });
    const found = s.structuredContent.operations.map((o) => o.name);
    t.ok(found.length > 0 && found.every((n) => /^(list_all|get_single)_/.test(n)) && !found.some((n) => /firewall|waf|rule_set/.test(n)),
      `${who}: search finds only read operations tagged dns`, found);
    const desc = (name) => cl.callTool({ name: 'describe_cloudflare_operation', arguments: { name } });
    const hidden = await desc('create_a_cloudflare_dns_record'), missing = await desc('create_a_cloudflare_nothing');
    t.ok(hidden.isError && JSON.stringify(hidden) === JSON.stringify(missing),
      `${who}: describing a write operation answers as for a missing name`, hidden);
    const c1 = await cl.callTool({ name: 'call_cloudflare_operation', arguments: { name: 'create_a_cloudflare_dns_record',
      arguments: { zone_id: Z, type: 'A', name: 'x', content: '192.0.2.1' } } });
    const c2 = await cl.callTool({ name: 'call_cloudflare_operation', arguments: { name: 'list_all_cloudflare_firewall_rules',
      arguments: { zone_id: Z } } });
    const c3 = await cl.callTool({ name: 'call_cloudflare_operation', arguments: { name: 'create_a_cloudflare_nothing', arguments: {} } });
    t.ok(c1.isError && c2.isError && JSON.stringify(c1) === JSON.stringify(c3) && JSON.stringify(c2) === JSON.stringify(c3),
      `${who}: calling a write or an untagged operation answers as for a missing name`, { c1, c2 });
    t.is((await sim(env, 'log')).length, 0, `${who}: nothing reached Cloudflare`);
    await cl.close();
  }

  // The brief's two workflows, through the three tools alone (SDK v1).
  const cl = await v1Client(`${env.CFMCP_BASE}/mcp/${discoveryToken(env)}`);
  const find = async (query, want) => {
    const r = await cl.callTool({ name: 'search_cloudflare_operations', arguments: { query, limit: 5 } });
    const names = r.structuredContent.operations.map((o) => o.name);
    t.ok(names.includes(want), `${server} workflow: "${query}" finds ${want} in the top 5`, names);
    return want;
  };
  const call = async (name, args) => (await cl.callTool({ name: 'call_cloudflare_operation', arguments: { name, arguments: args } }));
  // Workflow 1: incident audit - the zone by name, then 12 h of audit logs filtered by action.
  const zones = await find('find the zone example.com', 'list_all_cloudflare_zones');
  const zr = await call(zones, { name: 'example.com' });
  const audit = await find('audit logs of my account: who changed what', 'list_all_cloudflare_audit_logs');
  const al = await call(audit, { since: '2026-11-25T00:00:00Z', before: '2026-11-25T12:00:01Z',
    'action.type': 'waf_rule_update', 'zone.name': 'example.com' });
  const ev = al.structuredContent.result;
  t.ok(zr.structuredContent.result[0].id === Z && ev.length > 0 &&
    ev.every((e) => e.action.type === 'waf_rule_update' && e.when >= '2026-11-25T00:00:00Z' && e.actor && e.actor.email),
    `${server} workflow: incident audit through discovery: ${ev.length} waf_rule_update event(s) on example.com`, ev);
  // Workflow 2: WAF diff - two zones' firewall rules, a rate-limiting rule on one only.
  const fw = await find('firewall rules of a zone', 'list_all_cloudflare_firewall_rules');
  const a = await call(fw, { zone_id: 'example.com' });
  const b = await call(fw, { zone_id: 'example.net' });
  const descs = (x) => new Set(x.structuredContent.result.map((y) => y.description));
  const onlyA = [...descs(a)].filter((x) => !descs(b).has(x));
  t.ok(onlyA.length === 1 && /rate limit/i.test(onlyA[0]), `${server} workflow: WAF diff through discovery: "${onlyA[0]}" on example.com only`, onlyA);
  await cl.close();
  // Leave the zone-name cache as found (later tests time the first lookup).
  execFileSync('redis-cli', ['-s', env.REDIS_SOCK, 'DEL', `cfmcp:zone-name:${env.ACCOUNT_ID}:example.com`,
    `cfmcp:zone-name:${env.ACCOUNT_ID}:example.net`]);
  t.done();
})().catch((e) => (require('./lib').Tap.current || new (require('./lib').Tap)()).bail(e));
