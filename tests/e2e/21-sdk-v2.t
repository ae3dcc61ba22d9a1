#!/usr/bin/env node
// The official TypeScript SDK v2 client (@modelcontextprotocol/client),
// pinned to protocol 2026-07-28 (stateless, per-request _meta), through
// lighttpd: discover -> tools/list (every page) -> tools/call.
'use strict';
const { Tap, stackEnv, mintToken, sim, post, modern } = require('./lib');

(async () => {
  const t = new Tap();
  const env = stackEnv(t);
  const { Client, StreamableHTTPClientTransport } = await import('@modelcontextprotocol/client');
  const token = mintToken(env);
  const client = new Client({ name: 'cfmcp-e2e-v2', version: '1.0.0' },
    { versionNegotiation: { mode: { pin: '2026-07-28' } } });
  const transport = new StreamableHTTPClientTransport(new URL(`${env.CFMCP_BASE}/mcp/${token}`));
  await client.connect(transport);
  t.is(client.getNegotiatedProtocolVersion(), '2026-07-28', 'negotiated protocol 2026-07-28');
  t.ok(client.getServerCapabilities() && client.getServerCapabilities().tools, 'server declares tools');

  // The raw protocol, page by page, to know what "all pages" holds.
  const rawNames = [];
  let cursor, pages = 0;
  do {
    const m = modern('tools/list', cursor ? { cursor } : {}, 100 + pages);
    const r = (await post(env, token, m.body, m.headers)).json.result;
    if (pages === 0) {
      t.is(r.cacheScope, 'private', 'tools/list carries cacheScope private');
      t.ok(typeof r.ttlMs === 'number', 'tools/list carries ttlMs');
      t.is(r.resultType, 'complete', 'tools/list carries resultType complete');
    }
    pages++;
    for (const tool of r.tools) rawNames.push(tool.name);
    cursor = r.nextCursor;
  } while (cursor && pages < 100);
  t.ok(pages > 1, `tools/list takes ${pages} pages at this page size`);
  // The v2 client's listTools() follows every nextCursor itself.
  const names = (await client.listTools()).tools.map((x) => x.name);
  t.is(JSON.stringify(names), JSON.stringify(rawNames), 'SDK v2 listTools() returned every page, in order');
  t.ok(names.includes('list_all_cloudflare_zones'), 'list_all_cloudflare_zones is listed');

  await sim(env, 'reset', {});
  const res = await client.callTool({ name: 'list_all_cloudflare_zones', arguments: { name: 'example.net' } });
  t.is(res.isError, false, 'tools/call succeeded');
  t.ok(res.structuredContent.result.length === 1 && res.structuredContent.result[0].name === 'example.net',
    'result holds example.net', res.structuredContent);
  const log = await sim(env, 'log');
  t.ok(log.length === 1 && log[0].path === '/zones' && log[0].auth, 'one authenticated upstream GET /zones', log);
  t.is(new URLSearchParams(log[0].query).get('per_page'), '20', 'default limit 20 became per_page=20');
  await client.close();
  t.done();
})().catch((e) => (Tap.current || new Tap()).bail(e));
