#!/usr/bin/env node
// Issue 12: tool_mode per MCP server through the management API
// (POST/PATCH /integrated-account/:id/mcp, config.tool_mode) and
// cfmcp-admin mcp create --tool-mode; the worker reads it from the
// token's hash (scope.c): discovery lists the three tools, tools one per
// operation, auto (the default, and every URL made before the setting)
// picks by the scope's size.
'use strict';
const crypto = require('crypto');
const { execFileSync } = require('child_process');
const { Tap, stackEnv, api, admin, post } = require('./lib');

const names = async (env, token) => {
  const out = [];
  let cursor;
  for (let i = 0; i < 50; i++) {
    const r = await post(env, token, { jsonrpc: '2.0', id: i + 1, method: 'tools/list', params: cursor ? { cursor } : {} });
    out.push(...r.json.result.tools.map((x) => x.name));
    if (!(cursor = r.json.result.nextCursor)) break;
  }
  return out;
};
const THREE = 'call_cloudflare_operation,describe_cloudflare_operation,search_cloudflare_operations';

(async () => {
  const t = new Tap();
  const env = stackEnv(t);
  const A = env.ACCOUNT_ID;
  let r = await api(env, 'POST', `/integrated-account/${A}/mcp`, { body: { name: 'disc', config: { tool_mode: 'discovery' } } });
  t.ok(r.status === 201 && r.json.config.tool_mode === 'discovery', 'POST config.tool_mode discovery -> 201, echoed', r.json);
  const tok = r.json.token, id = r.json.id;
  t.is((await names(env, tok)).sort().join(','), THREE, 'its URL lists the three discovery tools');
  r = await api(env, 'PATCH', `/integrated-account/${A}/mcp/${id}`, { body: { config: { tool_mode: 'tools' } } });
  t.ok(r.status === 200 && r.json.config.tool_mode === 'tools', 'PATCH config.tool_mode tools -> 200', r.json);
  t.ok((await names(env, tok)).includes('list_all_cloudflare_zones'), 'the same URL now lists one tool per operation');
  r = await api(env, 'PATCH', `/integrated-account/${A}/mcp/${id}`, { body: { name: 'renamed' } });
  t.is(r.json && r.json.config.tool_mode, 'tools', 'a PATCH without tool_mode keeps it');
  r = await api(env, 'GET', `/integrated-account/${A}/mcp/${id}`);
  t.is(r.json && r.json.config.tool_mode, 'tools', 'GET shows config.tool_mode');
  for (const bad of ['Discovery', '', 1, null, ['tools']]) {
    r = await api(env, 'POST', `/integrated-account/${A}/mcp`, { body: { config: { tool_mode: bad } } });
    t.ok(r.status === 400 && /tool_mode/.test(r.text), `config.tool_mode ${JSON.stringify(bad)} -> 400`, r.text);
  }
  r = await api(env, 'POST', `/integrated-account/${A}/mcp`, { body: { name: 'default' } });
  t.is(r.json.config.tool_mode, 'auto', 'no tool_mode -> auto');
  t.ok((await names(env, r.json.token)).includes('list_all_cloudflare_zones'), 'auto with the curated catalogue: tools');
  // a URL made before the setting existed has no tool_mode field: auto
  const h = crypto.createHash('sha256').update(r.json.token).digest('hex');
  execFileSync('redis-cli', ['-s', env.REDIS_SOCK, 'HDEL', `cfmcp:mcp:${h}`, 'tool_mode']);
  r = await api(env, 'GET', `/integrated-account/${A}/mcp/${r.json.id}`);
  t.is(r.json.config.tool_mode, 'auto', 'a record without the field reads as auto');
  // the CLI
  let o = admin(env, ['--json', 'mcp', 'create', A, '--tool-mode', 'discovery']);
  const cli = o.status === 0 ? JSON.parse(o.stdout) : {};
  t.ok(o.status === 0 && cli.config.tool_mode === 'discovery', 'cfmcp-admin mcp create --tool-mode discovery', o.stderr);
  t.is(cli.token ? (await names(env, cli.token)).sort().join(',') : '', THREE, 'the CLI-made URL is in discovery mode');
  o = admin(env, ['mcp', 'create', A, '--tool-mode', 'sometimes']);
  t.ok(o.status !== 0 && /tool_mode/.test(o.stderr + o.stdout), 'cfmcp-admin refuses an unknown --tool-mode', o);
  t.done();
})().catch((e) => (require('./lib').Tap.current || new (require('./lib').Tap)()).bail(e));
