#!/usr/bin/env node
// The MCP endpoint's HTTP and JSON-RPC behaviour through lighttpd, in both
// protocol eras: statuses, headers, error codes, batches, notifications,
// version negotiation, token handling. Raw requests, no SDK.
'use strict';
const { Tap, stackEnv, mintToken, post, modern, META, sim } = require('./lib');

(async () => {
  const t = new Tap();
  const env = stackEnv(t);
  const tok = mintToken(env);
  const url = `${env.CFMCP_BASE}/mcp/${tok}`;
  const init = { jsonrpc: '2.0', id: 1, method: 'initialize',
    params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'x', version: '1' } } };

  // --- HTTP layer
  for (const m of ['GET', 'DELETE', 'PUT']) {
    const r = await fetch(url, { method: m });
    t.is(r.status, 405, `${m} -> 405`);
    t.is(r.headers.get('allow'), 'POST', `${m} -> Allow: POST`);
  }
  let r = await post(env, tok, init);
  t.is(r.status, 200, 'initialize -> 200');
  t.is(r.headers.get('cache-control'), 'no-store', 'Cache-Control: no-store');
  t.is(r.headers.get('referrer-policy'), 'no-referrer', 'Referrer-Policy: no-referrer');
  t.is(r.headers.get('mcp-session-id'), null, 'no Mcp-Session-Id issued');
  t.is(r.json.result.protocolVersion, '2025-06-18', 'initialize echoes a supported version');
  r = await post(env, tok, { ...init, params: { ...init.params, protocolVersion: '2099-01-01' } });
  t.is(r.json.result.protocolVersion, '2025-11-25', 'initialize with an unknown version offers our latest');
  r = await post(env, tok, init, { 'Content-Type': 'text/plain' });
  t.is(r.status, 415, 'text/plain body -> 415');
  r = await post(env, tok, init, { 'Content-Type': null });
  t.is(r.status, 415, 'no Content-Type -> 415');
  r = await post(env, tok, init, { 'Content-Type': 'application/json; charset=utf-8' });
  t.is(r.status, 200, 'application/json with charset -> 200');
  r = await post(env, tok, init, { Accept: 'text/html' });
  t.is(r.status, 406, 'Accept: text/html -> 406');
  r = await post(env, tok, init, { Accept: 'text/event-stream' });
  t.ok(r.status === 200 && r.headers.get('content-type') === 'text/event-stream' &&
    /^event: message\ndata: \{.*\}\n\n$/s.test(r.text), 'Accept: text/event-stream only -> one SSE message', r.text);
  r = await post(env, tok, init, { Origin: 'https://evil.example' });
  t.is(r.status, 403, 'foreign Origin -> 403');
  t.ok(r.json && r.json.error && r.json.id === null, '403 carries a JSON-RPC error with id null', r.text);
  r = await post(env, tok, init, { Origin: 'http://localhost:6274' });
  t.is(r.status, 200, 'loopback Origin (MCP Inspector) -> 200');
  r = await post(env, tok, '{"jsonrpc":"2.0","id":1,"method":"ping","params":{"pad":"' + 'x'.repeat(1024 * 1024 + 10) + '"}}');
  t.is(r.status, 413, 'body over 1 MiB -> 413');
  t.ok(r.json && r.json.error && r.json.error.code === -32600, '413 carries a JSON-RPC error', r.text.slice(0, 200));
  r = await post(env, tok, init, { 'Mcp-Session-Id': 'abc' });
  t.is(r.status, 200, 'an arriving Mcp-Session-Id is ignored');
  const wk = await fetch(`${env.CFMCP_BASE}/.well-known/oauth-protected-resource/mcp/${tok}`);
  t.is(wk.status, 404, '/.well-known/oauth-protected-resource -> 404');
  const wk2 = await fetch(`${env.CFMCP_BASE}/.well-known/oauth-authorization-server`);
  t.is(wk2.status, 404, '/.well-known/oauth-authorization-server -> 404');

  // --- tokens: unknown, malformed, expired all look the same
  const unknown = 'A'.repeat(43);
  for (const [name, tk] of [['unknown token', unknown], ['malformed token', 'a.b%2Fc'], ['short token', 'abc'],
    ['token with a slash', 'x'.repeat(20) + '/' + 'y'.repeat(20)]]) {
    r = await post(env, tk, init);
    t.is(r.status, 404, `${name} -> 404`);
  }
  r = await post(env, unknown, init);
  const notFoundBody = r.text;
  t.ok(r.json && r.json.error && r.json.error.code === -32001 && !/exist/i.test(r.json.error.message),
    '404 body is a JSON-RPC error that does not say whether the token existed', r.text);
  const shortLived = mintToken(env, { ttl: 1 });
  r = await post(env, shortLived, init);
  t.is(r.status, 200, 'token with a 1 s TTL works before expiry');
  await new Promise((res) => setTimeout(res, 1300));
  r = await post(env, shortLived, init);
  t.is(r.status, 404, 'the same token fails after its Redis TTL');
  t.is(r.text, notFoundBody, 'an expired token gets the same answer as an unknown one');

  // --- JSON-RPC envelope (2025 era)
  const cases = [
    ['empty body', '', 400, -32700],
    ['truncated JSON', '{"jsonrpc":"2.0","id":1,', 400, -32700],
    ['invalid UTF-8', Buffer.from([0x7b, 0x22, 0xff, 0x22, 0x3a, 0x31, 0x7d]), 400, -32700],
    ['jsonrpc 1.0', '{"jsonrpc":"1.0","id":1,"method":"ping"}', 400, -32600],
    ['object id', '{"jsonrpc":"2.0","id":{"a":1},"method":"ping"}', 400, -32600],
    ['overlong id', `{"jsonrpc":"2.0","id":"${'i'.repeat(300)}","method":"ping"}`, 400, -32600],
    ['duplicate keys', '{"jsonrpc":"2.0","id":1,"method":"ping","method":"tools/list"}', 400, -32600],
    ['nested too deep', '{"jsonrpc":"2.0","id":1,"method":"ping","params":{"a":' + '['.repeat(80) + ']'.repeat(80) + '}}', 400, -32700],
    ['\\u0000 in a string', '{"jsonrpc":"2.0","id":1,"method":"pi\\u0000ng"}', 400, -32700],
    ['params as array', '{"jsonrpc":"2.0","id":1,"method":"ping","params":[]}', 200, -32602],
    ['unknown method', '{"jsonrpc":"2.0","id":1,"method":"resources/list"}', 200, -32601],
  ];
  for (const [name, body, status, code] of cases) {
    r = await post(env, tok, body, { 'MCP-Protocol-Version': '2025-06-18' });
    t.ok(r.status === status && r.json && r.json.error && r.json.error.code === code,
      `${name} -> HTTP ${status}, ${code}`, { status: r.status, body: r.text.slice(0, 300) });
  }
  r = await post(env, tok, '{"jsonrpc":"2.0","id":"x","method":"nope\\nline"}');
  t.ok(r.json && !r.json.error.message.includes('nope'), 'error messages never echo raw input', r.text);
  r = await post(env, tok, { jsonrpc: '2.0', method: 'notifications/initialized' }, { 'MCP-Protocol-Version': '2025-06-18' });
  t.ok(r.status === 202 && r.text === '', 'notification -> 202, no body');
  r = await post(env, tok, { jsonrpc: '2.0', id: 9, result: {} }, { 'MCP-Protocol-Version': '2025-06-18' });
  t.ok(r.status === 202 && r.text === '', 'a JSON-RPC response -> 202, no body');
  r = await post(env, tok, { jsonrpc: '2.0', id: 2, method: 'ping' }, { 'MCP-Protocol-Version': '2025-06-18' });
  t.ok(r.status === 200 && JSON.stringify(r.json.result) === '{}', 'ping -> {}');
  r = await post(env, tok, { jsonrpc: '2.0', id: 2, method: 'ping' }, { 'MCP-Protocol-Version': '2024-01-01' });
  t.ok(r.status === 400 && r.json.error.code === -32022 && r.json.error.data.requested === '2024-01-01',
    'unsupported MCP-Protocol-Version -> 400 with supported versions', r.text);
  r = await post(env, tok, { jsonrpc: '2.0', id: 3, method: 'tools/list', params: { cursor: 'bm9wZQ' } });
  t.ok(r.json && r.json.error && r.json.error.code === -32602, 'bad tools/list cursor -> -32602', r.text);

  // batches: only with 2025-03-26 (also the default when the header is missing)
  const batch = [{ jsonrpc: '2.0', id: 1, method: 'ping' }, { jsonrpc: '2.0', method: 'notifications/x' },
    { jsonrpc: '2.0', id: 2, method: 'tools/list' }];
  r = await post(env, tok, batch);
  t.ok(r.status === 200 && Array.isArray(r.json) && r.json.length === 2 && r.json[0].id === 1 && r.json[1].id === 2,
    'batch without header (2025-03-26) -> two responses', r.text.slice(0, 300));
  r = await post(env, tok, batch, { 'MCP-Protocol-Version': '2025-06-18' });
  t.ok(r.status === 400 && r.json.error.code === -32600, 'batch under 2025-06-18 -> -32600', r.text);
  r = await post(env, tok, [{ jsonrpc: '2.0', method: 'notifications/initialized' }], { 'MCP-Protocol-Version': '2025-03-26' });
  t.ok(r.status === 202 && r.text === '', 'batch of notifications only -> 202');

  // tools/call protocol errors vs tool errors
  r = await post(env, tok, { jsonrpc: '2.0', id: 4, method: 'tools/call', params: { name: 'no_such_tool', arguments: {} } });
  t.ok(r.json.error && r.json.error.code === -32602, 'unknown tool -> -32602');
  r = await post(env, tok, { jsonrpc: '2.0', id: 5, method: 'tools/call',
    params: { name: 'list_all_cloudflare_zones', arguments: { status: 'bogus' } } });
  t.ok(r.json.result && r.json.result.isError === true && /status must be one of/.test(r.json.result.content[0].text),
    'enum violation -> isError result naming the allowed values', r.text);
  r = await post(env, tok, { jsonrpc: '2.0', id: 6, method: 'tools/call',
    params: { name: 'list_all_cloudflare_zones', arguments: { surprise: 1 } } });
  t.ok(r.json.result && r.json.result.isError === true && /unknown argument surprise/.test(r.json.result.content[0].text),
    'unknown argument -> isError result', r.text);

  // --- 2026-07-28
  let m = modern('server/discover');
  r = await post(env, tok, m.body, m.headers);
  t.ok(r.status === 200 && r.json.result.supportedVersions.includes('2026-07-28') && r.json.result.resultType === 'complete',
    'server/discover -> supportedVersions, resultType complete', r.text);
  m = modern('server/discover');
  delete m.body.params._meta;
  r = await post(env, tok, m.body, m.headers);
  t.ok(r.status === 400 && r.json.error.code === -32602 && r.json.id === 1, 'missing _meta -> 400, -32602, id kept', r.text);
  m = modern('server/discover');
  delete m.body.params._meta['io.modelcontextprotocol/clientCapabilities'];
  r = await post(env, tok, m.body, m.headers);
  t.ok(r.status === 400 && r.json.error.code === -32602, 'missing clientCapabilities -> 400, -32602');
  m = modern('tools/list');
  m.headers['Mcp-Method'] = 'tools/call';
  r = await post(env, tok, m.body, m.headers);
  t.ok(r.status === 400 && r.json.error.code === -32020, 'Mcp-Method mismatch -> 400, -32020', r.text);
  m = modern('tools/call', { name: 'list_all_cloudflare_zones', arguments: {} });
  m.headers['Mcp-Name'] = 'get_single_cloudflare_zone_by_id';
  r = await post(env, tok, m.body, m.headers);
  t.ok(r.status === 400 && r.json.error.code === -32020, 'Mcp-Name mismatch -> 400, -32020', r.text);
  m = modern('tools/list');
  m.headers['MCP-Protocol-Version'] = '2027-01-01';
  m.body.params._meta['io.modelcontextprotocol/protocolVersion'] = '2027-01-01';
  r = await post(env, tok, m.body, m.headers);
  t.ok(r.status === 400 && r.json.error.code === -32022 && r.json.error.data.requested === '2027-01-01' &&
    r.json.error.data.supported.includes('2026-07-28'), 'unsupported modern version -> 400, -32022 {supported, requested}', r.text);
  for (const meth of ['initialize', 'ping', 'logging/setLevel']) {
    m = modern(meth);
    r = await post(env, tok, m.body, m.headers);
    t.ok(r.status === 404 && r.json.error.code === -32601, `${meth} in 2026-07-28 -> 404, -32601`, r.text);
  }
  m = modern('tools/list');
  r = await post(env, tok, m.body, m.headers);
  t.ok(r.json.result.ttlMs >= 0 && r.json.result.cacheScope === 'private' && r.json.result.resultType === 'complete',
    'tools/list carries ttlMs, cacheScope private, resultType complete');
  m = modern('tools/list');
  delete m.headers['MCP-Protocol-Version'];
  r = await post(env, tok, m.body, m.headers);
  t.ok(r.status === 400 && r.json.error.code === -32020, '_meta without MCP-Protocol-Version header -> 400, -32020', r.text);
  await sim(env, 'reset', {});
  m = modern('tools/call', { name: 'list_all_cloudflare_zones', arguments: { limit: 5 } });
  m.headers['Mcp-Name'] = '  list_all_cloudflare_zones ';
  r = await post(env, tok, m.body, m.headers);
  t.ok(r.status === 200 && r.json.result.isError === false && r.json.result.resultType === 'complete',
    'tools/call (Mcp-Name with surrounding whitespace) -> complete result', r.text.slice(0, 300));
  t.done();
})().catch((e) => (Tap.current || new Tap()).bail(e));
