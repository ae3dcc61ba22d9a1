#!/usr/bin/env node
// Issue 4: every request the server sends for the 25 core tools is valid
// against Cloudflare's OpenAPI (schemas/openapi/openapi-core.json, vendored):
// Prism (@stoplight/prism-cli, under the Node 22 of tests/node_modules) runs
// as a validating proxy (--errors: an invalid request gets 422 and never
// reaches the simulator) between a second worker pool and the simulator.
// Prism 5.14.2: 5.16 needs Node >= 24.18.
'use strict';
const fs = require('fs');
const os = require('os');
const path = require('path');
const { spawn, execFileSync } = require('child_process');
const { Tap, stackEnv, sim } = require('./lib');
const { coreCalls } = require('./calls');

const root = path.resolve(__dirname, '..', '..');
const spec = path.join(root, 'schemas', 'openapi', 'openapi-core.json');
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

(async () => {
  const t = new Tap();
  const env = stackEnv(t);
  const node22 = path.join(root, 'tests', 'node_modules', 'node22', 'bin', 'node');
  const prismJs = path.join(root, 'tests', 'node_modules', '@stoplight', 'prism-cli', 'dist', 'index.js');
  if (!fs.existsSync(node22) || !fs.existsSync(prismJs)) t.skipAll('Prism or Node 22 not installed (npm ci in tests/)');
  const port = Number(execFileSync('node', ['-e',
    "const s=require('net').createServer();s.listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})"], { encoding: 'utf8' }));
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cfmcp-prism-'));
  const prismLog = fs.openSync(path.join(dir, 'prism.log'), 'w');
  const prism = spawn(node22, [prismJs, 'proxy', '--errors', '-h', '127.0.0.1', '-p', String(port), spec, env.SIM_URL],
    { stdio: ['ignore', prismLog, prismLog] });
  const stackSh = (cmd, extra) => execFileSync('sh', ['-c', `. "$ROOT/tests/lib/stack.sh" && ${cmd}`],
    { env: { ...process.env, ROOT: root, ...extra }, encoding: 'utf8' });
  const d2 = path.join(dir, 'stack');
  fs.mkdirSync(d2);
  try {
    let up = false;
    for (let i = 0; i < 200 && !up; i++) {
      try { await fetch(`http://127.0.0.1:${port}/user/tokens/verify`, { headers: { Authorization: `Bearer ${env.SIM_TOKEN}` } }); up = true; }
      catch { await sleep(100); }
    }
    t.ok(up, 'Prism proxy is up');
    // A second stack whose upstream is Prism (paths without /client/v4, as the spec has them).
    stackSh('stack_start "$D2" >/dev/null', { D2: d2, STACK_UPSTREAM_URL: `http://127.0.0.1:${port}`, STACK_CF_TOKEN: env.SIM_TOKEN });
    const env2 = {};
    for (const line of fs.readFileSync(path.join(d2, 'env'), 'utf8').split('\n')) {
      const m = /^(\w+)='(.*)'$/.exec(line);
      if (m) env2[m[1]] = m[2];
    }
    const token = stackSh('stack_mint_token', env2).trim();
    const { Client } = require('@modelcontextprotocol/sdk/client/index.js');
    const { StreamableHTTPClientTransport } = require('@modelcontextprotocol/sdk/client/streamableHttp.js');
    const client = new Client({ name: 'cfmcp-e2e-prism', version: '1.0.0' });
    await client.connect(new StreamableHTTPClientTransport(new URL(`${env2.CFMCP_BASE}/mcp/${token}`)));
    const calls = coreCalls();
    for (const [name, a, meth, p, , , after] of calls) {
      await sim(env, 'reset', {});
      const res = await client.callTool({ name, arguments: typeof a === 'function' ? a() : a });
      const log = await sim(env, 'log');
      const pth = typeof p === 'function' ? p() : p;
      // Prism forwards only a request that validates (else 422, nothing sent).
      // Its verdict on the simulator's response is not this test's subject:
      // the 2024 spec's audit-log oneOf, for one, matches no success body.
      const status = res.structuredContent && res.structuredContent.status;
      t.ok(log.length === 1 && log[0].method === meth && log[0].path === pth && status !== 422,
        `${name}: Prism found the request valid and passed it on`,
        { text: res.content[0].text.slice(0, 500), log });
      if (after && !res.isError) after(res.structuredContent);
    }
    // The check can fail: a request that breaks the spec is stopped by Prism.
    await sim(env, 'reset', {});
    const bad = await fetch(`http://127.0.0.1:${port}/zones?per_page=500`, { headers: { Authorization: `Bearer ${env.SIM_TOKEN}` } });
    t.ok(bad.status === 422 && (await sim(env, 'log')).length === 0, `Prism refuses an out-of-spec request (per_page=500 -> ${bad.status}) and sends nothing`);
    await client.close();
  } finally {
    try { stackSh('stack_stop "$D2"', { D2: d2 }); } catch { /* already down */ }
    prism.kill('SIGTERM');
    fs.rmSync(dir, { recursive: true, force: true });
  }
  t.done();
})().catch((e) => (require('./lib').Tap.current || new (require('./lib').Tap)()).bail(e));
