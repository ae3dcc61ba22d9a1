#!/usr/bin/env node
// Issue #5: the shipped web server config over HTTPS (a self-signed
// certificate on loopback, trusted by the clients as an operator's would be),
// with the official SDK client and with mcp-remote driven over stdio as
// Claude Desktop and Cursor run it (--transport http-only). Runs against
// whichever server the stack has (lighttpd, or Apache in the second pass).
'use strict';
const fs = require('fs');
const os = require('os');
const path = require('path');
const { spawnSync } = require('child_process');
const { Tap, stackEnv, mintToken, sim } = require('./lib');

// Node reads NODE_EXTRA_CA_CERTS at start: re-run this file with the
// stack's certificate added (keeping any CA the machine already needs).
if (!process.env.CFMCP_CLIENTS_CHILD) {
  const t0 = new Tap();
  const env0 = stackEnv(t0);
  const bundle = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'cfmcp-ca-')), 'ca.pem');
  let pem = fs.readFileSync(env0.CFMCP_CA, 'utf8');
  if (process.env.NODE_EXTRA_CA_CERTS && fs.existsSync(process.env.NODE_EXTRA_CA_CERTS)) pem += '\n' + fs.readFileSync(process.env.NODE_EXTRA_CA_CERTS, 'utf8');
  fs.writeFileSync(bundle, pem);
  const r = spawnSync(process.execPath, [__filename], { stdio: 'inherit',
    env: { ...process.env, CFMCP_CLIENTS_CHILD: '1', NODE_EXTRA_CA_CERTS: bundle } });
  fs.rmSync(path.dirname(bundle), { recursive: true });
  process.exit(r.status === null ? 1 : r.status);
}

(async () => {
  const t = new Tap();
  const env = stackEnv(t);
  const server = env.STACK_SERVER || 'lighttpd';
  const tok = mintToken(env, { methods: 'read' });
  const url = `${env.CFMCP_TLS_BASE}/mcp/${tok}`;

  // TLS is really checked: curl without the certificate fails, with it passes.
  let c = spawnSync('curl', ['-s', '-o', '/dev/null', '-w', '%{http_code}', `${env.CFMCP_TLS_BASE}/healthz`]);
  t.ok(c.status !== 0, `${server} TLS: an untrusted client is refused (curl exit ${c.status})`);
  c = spawnSync('curl', ['-s', '-o', '/dev/null', '-w', '%{http_code}', '--cacert', env.CFMCP_CA, `${env.CFMCP_TLS_BASE}/healthz`], { encoding: 'utf8' });
  t.ok(c.status === 0 && c.stdout === '200', `${server} TLS: with the certificate trusted, HTTPS answers (GET /healthz: ${c.stdout})`);

  // The official SDK (v1) over HTTPS.
  const { Client } = require('@modelcontextprotocol/sdk/client/index.js');
  const { StreamableHTTPClientTransport } = require('@modelcontextprotocol/sdk/client/streamableHttp.js');
  const { StdioClientTransport } = require('@modelcontextprotocol/sdk/client/stdio.js');
  const client = new Client({ name: 'cfmcp-e2e-tls', version: '1.0.0' });
  await client.connect(new StreamableHTTPClientTransport(new URL(url)));
  const tools = [];
  let cursor;
  do {
    const page = await client.listTools(cursor ? { cursor } : {});
    tools.push(...page.tools);
    cursor = page.nextCursor;
  } while (cursor);
  t.ok(tools.length > 5 && tools.every((x) => /^(list_all|get_single)_/.test(x.name)), `${server} TLS: SDK v1 lists the read tools (${tools.length})`);
  await sim(env, 'reset', {});
  let res = await client.callTool({ name: 'list_all_cloudflare_zones', arguments: {} });
  let log = await sim(env, 'log');
  t.ok(!res.isError && log.length === 1 && log[0].path === '/zones', `${server} TLS: SDK v1 calls list_all_cloudflare_zones`, res);
  await client.close();

  // mcp-remote over stdio, the way Claude Desktop / Cursor start it.
  const bin = require.resolve('mcp-remote/dist/proxy.js');
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'cfmcp-mcp-remote-'));
  const bridge = async (u, extra = []) => {
    const transport = new StdioClientTransport({ command: process.execPath, args: [bin, u, '--transport', 'http-only', ...extra],
      env: { ...process.env, HOME: home, MCP_REMOTE_CONFIG_DIR: home }, stderr: 'pipe' });
    const err = [];
    const cl = new Client({ name: 'claude-desktop-like', version: '1.0.0' });
    const p = cl.connect(transport);
    if (transport.stderr) transport.stderr.on('data', (d) => err.push(String(d)));
    await p;
    return { cl, err };
  };
  try {
    const { cl, err } = await bridge(url);
    const names = [];
    let cur;
    do {
      const page = await cl.listTools(cur ? { cursor: cur } : {});
      names.push(...page.tools.map((x) => x.name));
      cur = page.nextCursor;
    } while (cur && names.length < 100);
    t.ok(names.length === tools.length && names.includes('list_all_cloudflare_zones'),
      `${server} TLS: mcp-remote (stdio, http-only) lists every tool, page by page (${names.length})`,
      err.join('').replace(/(\/mcp\/[A-Za-z0-9_-]{4})[A-Za-z0-9_-]+/g, '$1...'));
    await sim(env, 'reset', {});
    res = await cl.callTool({ name: 'list_all_cloudflare_zones', arguments: {} });
    log = await sim(env, 'log');
    t.ok(!res.isError && log.length === 1 && log[0].path === '/zones' && /example\.com/.test(res.content[0].text),
      `${server} TLS: mcp-remote calls list_all_cloudflare_zones`, res);
    await cl.close();
  } catch (e) {
    t.ok(false, `${server} TLS: mcp-remote session`, e && e.stack);
  }
  // require_api_token_auth through mcp-remote's --header (README "Connecting clients").
  try {
    const guarded = mintToken(env, { requireApiKey: true });
    const { cl } = await bridge(`${env.CFMCP_TLS_BASE}/mcp/${guarded}`, ['--header', `Authorization: Bearer ${env.ADMIN_KEY}`]);
    res = await cl.callTool({ name: 'list_all_cloudflare_zones', arguments: {} });
    t.ok(!res.isError, `${server} TLS: mcp-remote --header "Authorization: Bearer <API key>" satisfies require_api_token_auth`, res);
    await cl.close();
  } catch (e) {
    t.ok(false, `${server} TLS: mcp-remote with --header`, e && e.stack);
  }
  fs.rmSync(home, { recursive: true, force: true });

  // Logs: the server's access and error logs hold no token (cfmcp-logmask).
  const files = ['access.log', 'error.log', 'apache-access.log', 'apache-error.log'].map((f) => path.join(env.CFMCP_DIR, f)).filter((f) => fs.existsSync(f));
  const text = files.map((f) => fs.readFileSync(f, 'utf8')).join('\n');
  t.ok(files.length >= 2 && /"POST \/mcp\/\.\.\.[A-Za-z0-9_-]{4} HTTP/.test(text), `${server}: requests are logged with the token masked (${files.map((f) => path.basename(f)).join(', ')})`);
  t.ok(!text.includes(tok), `${server}: no MCP token in the access or error logs`);
  t.done();
})().catch((e) => (Tap.current || new Tap()).bail(e));
