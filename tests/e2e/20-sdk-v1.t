#!/usr/bin/env node
// The official TypeScript SDK v1 client (@modelcontextprotocol/sdk), as an
// MCP host would use it, through lighttpd: initialize -> tools/list (every
// page) -> tools/call list_all_cloudflare_zones, with the request checked
// on the simulator's side.
'use strict';
const { Tap, stackEnv, mintToken, sim } = require('./lib');

(async () => {
  const t = new Tap();
  const env = stackEnv(t);
  const { Client } = require('@modelcontextprotocol/sdk/client/index.js');
  const { StreamableHTTPClientTransport } = require('@modelcontextprotocol/sdk/client/streamableHttp.js');
  const token = mintToken(env);
  const client = new Client({ name: 'cfmcp-e2e-v1', version: '1.0.0' });
  const transport = new StreamableHTTPClientTransport(new URL(`${env.CFMCP_BASE}/mcp/${token}`));
  await client.connect(transport);
  t.is(transport.sessionId, undefined, 'no Mcp-Session-Id is issued (stateless server)');
  t.is(client.getServerVersion().name, 'cfmcp', 'serverInfo.name is cfmcp');
  t.ok(client.getServerCapabilities().tools, 'server declares the tools capability');

  // every page of tools/list
  const names = [];
  let cursor, pages = 0;
  do {
    const r = await client.listTools(cursor ? { cursor } : {});
    pages++;
    for (const tool of r.tools) names.push(tool.name);
    cursor = r.nextCursor;
  } while (cursor && pages < 100);
  t.ok(pages > 1, `tools/list took ${pages} pages (paging exercised)`);
  t.is(new Set(names).size, names.length, 'no tool repeated across pages');
  t.ok(names.includes('list_all_cloudflare_zones'), 'list_all_cloudflare_zones is listed');
  const sorted = [...names].sort();
  t.is(JSON.stringify(names), JSON.stringify(sorted), 'tools come in a deterministic (sorted) order');

  await sim(env, 'reset', {});
  const res = await client.callTool({ name: 'list_all_cloudflare_zones', arguments: { name: 'example.com', limit: 5 } });
  t.is(res.isError, false, 'tools/call succeeded');
  const sc = res.structuredContent;
  t.ok(sc && Array.isArray(sc.result) && sc.result.length === 1 && sc.result[0].name === 'example.com',
    'structuredContent.result holds the zone named example.com', sc);
  t.is(JSON.parse(res.content[0].text).result[0].id, sc.result[0].id, 'the text block carries the same JSON');
  const log = await sim(env, 'log');
  t.is(log.length, 1, 'exactly one upstream request');
  t.ok(log[0] && log[0].path === '/zones' && log[0].auth, 'upstream: GET /zones with the Bearer token', log[0]);
  const q = new URLSearchParams(log[0] ? log[0].query : '');
  t.is(q.get('name'), 'example.com', 'upstream query carries name=example.com');
  t.is(q.get('per_page'), '5', 'limit became per_page=5');
  t.ok(/^cfmcp\//.test(log[0] && log[0].headers['user-agent']), 'User-Agent names cfmcp');

  // paging a list tool with next_cursor
  const p1 = await client.callTool({ name: 'list_all_cloudflare_zones', arguments: { limit: 5 } });
  t.ok(typeof p1.structuredContent.next_cursor === 'string', 'first page returns next_cursor');
  const p2 = await client.callTool({ name: 'list_all_cloudflare_zones',
    arguments: { limit: 5, next_cursor: p1.structuredContent.next_cursor } });
  t.ok(p2.structuredContent.result[0].id !== p1.structuredContent.result[0].id, 'next_cursor returns the next page');

  // a bad argument is a tool error that tells the model what to fix, sent nowhere
  await sim(env, 'reset', {});
  const bad = await client.callTool({ name: 'get_single_cloudflare_zone_by_id', arguments: { zone_id: '../../user' } });
  t.is(bad.isError, true, 'bad zone_id is an isError result');
  t.ok(/zone_id/.test(bad.content[0].text), 'the error names the argument', bad.content[0].text);
  t.is((await sim(env, 'log')).length, 0, 'nothing was sent upstream for the bad argument');

  await client.close();
  t.done();
})().catch((e) => (Tap.current || new Tap()).bail(e));
