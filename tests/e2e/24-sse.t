#!/usr/bin/env node
// Legacy HTTP+SSE transport (MCP 2024-11-05), issue 14: GET /mcp/<token>/sse
// is held by the streams process (cfmcp-worker --streams), the stream's POSTs
// go to the worker pool, and the answers reach the stream through Redis
// pub/sub. Clients: the v1 SDK's SSEClientTransport, mcp-remote
// --transport sse-only over stdio, and raw HTTP for the edges (404s, limits,
// revocation, expiry). After each part: no session key and no subscription
// left in Redis.
'use strict';
const fs = require('fs');
const os = require('os');
const path = require('path');
const { execFileSync } = require('child_process');
const { Tap, stackEnv, mintToken, admin, sim } = require('./lib');

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const redis = (env, ...args) => execFileSync('redis-cli', ['-s', env.REDIS_SOCK, ...args], { encoding: 'utf8' }).trim();
const mask = (s) => String(s).replace(/(\/mcp\/[A-Za-z0-9_-]{4})[A-Za-z0-9_-]+/g, '$1...');

async function until(cond, ms) {
  const end = Date.now() + ms;
  for (;;) {
    if (await cond()) return true;
    if (Date.now() > end) return false;
    await sleep(20);
  }
}

// Session keys and channels of this transport; both must drain to none.
const leftovers = (env) => ({
  keys: redis(env, '--scan', '--pattern', 'cfmcp:sse:*').split('\n').filter(Boolean).length,
  channels: redis(env, 'PUBSUB', 'CHANNELS', 'cfmcp:sse-ch:*').split('\n').filter(Boolean).length,
});
async function clean(t, env, what) {
  let l;
  const ok = await until(() => { l = leftovers(env); return l.keys === 0 && l.channels === 0; }, 8000);
  t.ok(ok, `${what}: no session key and no subscription left in Redis`, l);
}

// A raw stream: the response, its events as they come, and when it ended.
async function openStream(env, token, headers = {}) {
  const ac = new AbortController();
  const res = await fetch(`${env.CFMCP_BASE}/mcp/${token}/sse`, { headers: { Accept: 'text/event-stream', ...headers },
    signal: ac.signal });
  const s = { res, status: res.status, events: [], ended: false, abort: () => ac.abort() };
  if (res.status !== 200) {
    s.text = await res.text();
    s.ended = true;
    return s;
  }
  const reader = res.body.getReader();
  const dec = new TextDecoder();
  let buf = '';
  s.done = (async () => {
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buf += dec.decode(value, { stream: true });
        let i;
        while ((i = buf.indexOf('\n\n')) >= 0) {
          const block = buf.slice(0, i);
          buf = buf.slice(i + 2);
          const ev = { event: 'message', data: [], comment: null };
          for (const line of block.split('\n')) {
            if (line.startsWith(':')) ev.comment = line.slice(1).trim();
            else if (line.startsWith('event: ')) ev.event = line.slice(7);
            else if (line.startsWith('data: ')) ev.data.push(line.slice(6));
          }
          ev.data = ev.data.join('\n');
          s.events.push(ev);
        }
      }
    } catch { /* aborted */ }
    s.ended = true;
    s.endedAt = Date.now();
  })();
  await until(() => s.events.length > 0 || s.ended, 5000);
  return s;
}

async function postMsg(env, url, body, headers = {}) {
  const res = await fetch(`${env.CFMCP_BASE}${url}`, { method: 'POST', signal: AbortSignal.timeout(30000),
    headers: { 'Content-Type': 'application/json', ...headers }, body: JSON.stringify(body) });
  const text = await res.text();
  let json = null;
  try { json = JSON.parse(text); } catch { /* empty */ }
  return { status: res.status, headers: res.headers, text, json };
}

const INIT = { jsonrpc: '2.0', id: 1, method: 'initialize',
  params: { protocolVersion: '2024-11-05', capabilities: {}, clientInfo: { name: 'raw', version: '1' } } };

(async () => {
  const t = new Tap();
  const env = stackEnv(t);
  const { Client } = require('@modelcontextprotocol/sdk/client/index.js');
  const { SSEClientTransport } = require('@modelcontextprotocol/sdk/client/sse.js');
  const { StdioClientTransport } = require('@modelcontextprotocol/sdk/client/stdio.js');
  const server = env.STACK_SERVER || 'lighttpd';

  // ---- the v1 SDK's SSEClientTransport: initialize -> tools/list -> tools/call
  {
    const token = mintToken(env);
    const client = new Client({ name: 'cfmcp-e2e-sse', version: '1.0.0' });
    await client.connect(new SSEClientTransport(new URL(`${env.CFMCP_BASE}/mcp/${token}/sse`)));
    t.is(client.getServerVersion().name, 'cfmcp', `${server}: SSEClientTransport initializes (serverInfo cfmcp)`);
    const names = [];
    let cursor, pages = 0;
    do {
      const r = await client.listTools(cursor ? { cursor } : {});
      pages++;
      names.push(...r.tools.map((x) => x.name));
      cursor = r.nextCursor;
    } while (cursor && pages < 200);
    t.ok((pages > 1 || names.length <= 100) && names.includes('list_all_cloudflare_zones') && new Set(names).size === names.length,
      `${server}: SSEClientTransport lists every tool page by page (${names.length} in ${pages} pages)`);
    await sim(env, 'reset', {});
    const res = await client.callTool({ name: 'list_all_cloudflare_zones', arguments: { name: 'example.com' } });
    const log = await sim(env, 'log');
    t.ok(!res.isError && res.structuredContent.result[0].name === 'example.com' && log.length === 1,
      `${server}: SSEClientTransport calls list_all_cloudflare_zones (one upstream request)`, res);
    await client.close();
    await clean(t, env, `${server}: SSEClientTransport closed`);
  }

  // ---- mcp-remote --transport sse-only, over stdio as Claude Desktop starts it
  {
    const bin = require.resolve('mcp-remote/dist/proxy.js');
    const home = fs.mkdtempSync(path.join(os.tmpdir(), 'cfmcp-mcp-remote-sse-'));
    const bridge = async (u, extra = []) => {
      const transport = new StdioClientTransport({ command: process.execPath,
        args: [bin, u, '--transport', 'sse-only', '--allow-http', ...extra],
        // the stack's self-signed certificate, trusted as an operator's would be (TLS URL below)
        env: { ...process.env, HOME: home, MCP_REMOTE_CONFIG_DIR: home, NODE_EXTRA_CA_CERTS: env.CFMCP_CA }, stderr: 'pipe' });
      const err = [];
      const cl = new Client({ name: 'claude-desktop-like', version: '1.0.0' });
      const p = cl.connect(transport);
      if (transport.stderr) transport.stderr.on('data', (d) => err.push(String(d)));
      await p;
      return { cl, err };
    };
    try {
      // over HTTPS (the shipped TLS config): what a desktop client is given
      const { cl, err } = await bridge(`${env.CFMCP_TLS_BASE}/mcp/${mintToken(env)}/sse`);
      const names = [];
      let cur;
      do {
        const page = await cl.listTools(cur ? { cursor: cur } : {});
        names.push(...page.tools.map((x) => x.name));
        cur = page.nextCursor;
      } while (cur && names.length < 1000);
      t.ok(names.includes('list_all_cloudflare_zones'), `${server} TLS: mcp-remote --transport sse-only lists every tool (${names.length})`,
        mask(err.join('')));
      await sim(env, 'reset', {});
      const res = await cl.callTool({ name: 'list_all_cloudflare_zones', arguments: {} });
      const log = await sim(env, 'log');
      t.ok(!res.isError && log.length === 1 && log[0].path === '/zones', `${server} TLS: mcp-remote (sse-only) calls list_all_cloudflare_zones`, res);
      await cl.close();
    } catch (e) {
      t.ok(false, `${server}: mcp-remote --transport sse-only session`, mask(e && e.stack));
    }
    try {
      const guarded = mintToken(env, { requireApiKey: true });
      const { cl } = await bridge(`${env.CFMCP_BASE}/mcp/${guarded}/sse`, ['--header', `Authorization: Bearer ${env.ADMIN_KEY}`]);
      const res = await cl.callTool({ name: 'list_all_cloudflare_zones', arguments: {} });
      t.ok(!res.isError, `${server}: mcp-remote (sse-only) --header "Authorization: Bearer <API key>" satisfies require_api_token_auth`, res);
      await cl.close();
    } catch (e) {
      t.ok(false, `${server}: mcp-remote (sse-only) with --header`, mask(e && e.stack));
    }
    fs.rmSync(home, { recursive: true, force: true });
    await clean(t, env, `${server}: mcp-remote closed`);
  }

  // ---- raw: the endpoint event, answers on the stream, the 404s
  {
    const token = mintToken(env);
    const other = mintToken(env);
    const s = await openStream(env, token);
    t.is(s.status, 200, `${server}: GET /mcp/<token>/sse opens a stream`);
    t.ok(/^text\/event-stream/.test(s.res.headers.get('content-type') || ''), `${server}: Content-Type text/event-stream`);
    const ep = s.events[0] || {};
    const m = /^\/mcp\/([A-Za-z0-9_-]+)\/messages\?session_id=([A-Za-z0-9_-]{43})$/.exec(ep.data || '');
    t.ok(ep.event === 'endpoint' && m && m[1] === token, `${server}: first event is endpoint with /mcp/<token>/messages?session_id=<43 chars>`,
      mask(JSON.stringify(ep)));
    const url = ep.data;
    const sid = m ? m[2] : 'x';
    t.is(redis(env, 'PUBSUB', 'NUMSUB', `cfmcp:sse-ch:${sid}`).split('\n')[1], '1', `${server}: the session's channel has its subscriber`);
    let r = await postMsg(env, url, INIT);
    t.ok(r.status === 202 && r.text === '', `${server}: POST initialize -> 202, empty body`, r);
    await until(() => s.events.some((e) => e.event === 'message'), 5000);
    const msg = s.events.find((e) => e.event === 'message');
    let ans = null;
    try { ans = JSON.parse(msg.data); } catch { /* checked below */ }
    t.ok(ans && ans.id === 1 && ans.result.protocolVersion === '2024-11-05', `${server}: the answer arrives on the stream as event: message`, msg);
    r = await postMsg(env, url, { jsonrpc: '2.0', method: 'notifications/initialized' });
    t.is(r.status, 202, `${server}: a notification -> 202`);

    r = await postMsg(env, url.replace(token, other), { jsonrpc: '2.0', id: 2, method: 'ping' });
    t.ok(r.status === 404 && r.json && r.json.error && r.json.error.code === -32001,
      `${server}: the session id reused with another token's URL -> 404 with a JSON-RPC error`, r);
    r = await postMsg(env, `/mcp/${token}/messages?session_id=${'A'.repeat(43)}`, { jsonrpc: '2.0', id: 3, method: 'ping' });
    t.ok(r.status === 404 && r.json && r.json.error, `${server}: an unknown session -> 404 with a JSON-RPC error`, r);
    r = await postMsg(env, url, { jsonrpc: '2.0', id: 4, method: 'ping' }, { 'MCP-Protocol-Version': '2026-07-28' });
    t.ok(r.status === 400 && r.json && r.json.error.code === -32022, `${server}: 2026-07-28 is not offered on this transport`, r);
    r = await postMsg(env, url, { jsonrpc: '2.0', id: 5, method: 'ping' }, { Origin: 'https://evil.example' });
    t.is(r.status, 403, `${server}: a foreign Origin on the POST -> 403`);
    const g = await fetch(`${env.CFMCP_BASE}/mcp/${token}/sse`, { headers: { Accept: 'text/event-stream', Origin: 'https://evil.example' } });
    t.is(g.status, 403, `${server}: a foreign Origin on the GET -> 403`);
    await g.text();
    const u = await fetch(`${env.CFMCP_BASE}/mcp/${'x'.repeat(43)}/sse`, { headers: { Accept: 'text/event-stream' } });
    const uj = await u.json().catch(() => null);
    t.ok(u.status === 404 && uj && uj.error, `${server}: an unknown token's stream -> 404 with a JSON-RPC error`, uj);

    // keepalive comments (the test stack sets CFMCP_SSE_KEEPALIVE_MS=2000)
    t.ok(await until(() => s.events.some((e) => e.comment === 'keepalive'), 4000), `${server}: a keepalive comment while idle`);

    // revocation with redis-cli DEL: the stream ends within about a second
    const hash = require('crypto').createHash('sha256').update(token).digest('hex');
    const t0 = Date.now();
    redis(env, 'DEL', `cfmcp:mcp:${hash}`);
    await until(() => s.ended, 5000);
    const took = s.ended ? s.endedAt - t0 : -1;
    // times are printed, not asserted; until() bounds the wait (a stream left open fails)
    t.ok(s.ended, `${server}: redis-cli DEL of the token closes the stream (${took} ms)`);
    r = await postMsg(env, url, { jsonrpc: '2.0', id: 6, method: 'ping' });
    t.ok(r.status === 404 && r.json && r.json.error, `${server}: a POST to the finished session -> 404`, r);
    await clean(t, env, `${server}: revoked stream`);
  }

  // ---- revocation through the CLI, expiry, the client going away
  {
    const made = admin(env, ['mcp', 'create', env.ACCOUNT_ID, '--name', 'sse-e2e']);
    const token = (/^url\s+\S*\/mcp\/(\S+)$/m.exec(made.stdout) || [])[1];
    const id = (/^id\s+(\S+)$/m.exec(made.stdout) || [])[1];
    const s = await openStream(env, token);
    t.is(s.status, 200, `${server}: a stream for a token made with cfmcp-admin`);
    const t0 = Date.now();
    const rv = admin(env, ['mcp', 'revoke', id]);
    await until(() => s.ended, 5000);
    t.ok(rv.status === 0 && s.ended, `${server}: cfmcp-admin mcp revoke closes the stream (${s.ended ? s.endedAt - t0 : -1} ms)`);

    const short = mintToken(env, { ttl: 2 });
    const e = await openStream(env, short);
    const t1 = Date.now();
    await until(() => e.ended, 6000);
    t.ok(e.status === 200 && e.ended, `${server}: the stream closes when the token expires (${e.ended ? e.endedAt - t1 : -1} ms after open, TTL 2 s)`);

    const c = await openStream(env, mintToken(env));
    t.is(c.status, 200, `${server}: another stream`);
    c.abort();
    await clean(t, env, `${server}: revoked, expired and abandoned streams`);
  }

  // ---- limits: 16 streams per token, then 429 + Retry-After
  {
    const token = mintToken(env);
    const open = [];
    for (let i = 0; i < 16; i++) open.push(openStream(env, token));
    const streams = await Promise.all(open);
    t.ok(streams.every((x) => x.status === 200), `${server}: 16 streams on one token`);
    const x = await fetch(`${env.CFMCP_BASE}/mcp/${token}/sse`, { headers: { Accept: 'text/event-stream' } });
    const xj = await x.json().catch(() => null);
    t.ok(x.status === 429 && x.headers.get('retry-after') && xj && xj.error, `${server}: the 17th -> 429 with Retry-After and a JSON-RPC error`,
      { status: x.status, ra: x.headers.get('retry-after') });
    const y = await openStream(env, mintToken(env));
    t.is(y.status, 200, `${server}: another token still opens a stream`);
    for (const s of [...streams, y]) s.abort();
    await clean(t, env, `${server}: 17 streams closed by their clients`);
  }

  t.done();
})().catch((e) => (Tap.current || new Tap()).bail(e));
