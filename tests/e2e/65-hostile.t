#!/usr/bin/env node
// Issue #7: the checked-in hostile-input lists (tests/hostile/*.json), one
// per layer, each entry with its expected answer: raw HTTP to the web
// server, the JSON-RPC envelope, MCP params, tool arguments, management API
// bodies. Runs behind lighttpd and (second pass) Apache.
'use strict';
const fs = require('fs');
const net = require('net');
const path = require('path');
const { Tap, stackEnv, mintToken, post, sim, META } = require('./lib');

const DIR = path.resolve(__dirname, '../hostile');
const load = (f) => JSON.parse(fs.readFileSync(path.join(DIR, f), 'utf8'));

const S = (n) => 'a'.repeat(n);
function expand(s, vars) {
  return s.replace(/\{([A-Z_]+)(\d*)\}/g, (m, name, num) => {
    const n = Number(num);
    switch (name) {
      case 'S': return S(n);
      case 'DEEP': return '['.repeat(n) + ']'.repeat(n);
      case 'ITEMS': return Array(n).fill('0').join(',');
      case 'BATCH': return JSON.stringify(Array.from({ length: n }, (_, i) => ({ jsonrpc: '2.0', id: i + 1, method: 'ping' })));
      case 'BIG': return 'x'.repeat(n);
      case 'PAD': {
        const head = '{"jsonrpc":"2.0","id":1,"method":"ping","params":{"pad":"';
        const tail = '"}}';
        return head + 'x'.repeat(n - head.length - tail.length) + tail;
      }
      default: return name + num in vars ? vars[name + num] : m;
    }
  });
}

function raw(host, port, bytes) {
  return new Promise((resolve) => {
    const chunks = [];
    const sock = net.connect(port, host);
    const timer = setTimeout(() => { sock.destroy(); resolve({ timeout: true, text: Buffer.concat(chunks).toString('latin1') }); }, 10000);
    sock.on('connect', () => { sock.write(bytes); sock.end(); });
    sock.on('data', (d) => chunks.push(d));
    const done = () => { clearTimeout(timer); resolve({ timeout: false, text: Buffer.concat(chunks).toString('latin1') }); };
    sock.on('close', done);
    sock.on('error', () => {});
  });
}

(async () => {
  const t = new Tap();
  const env = stackEnv(t);
  const server = env.STACK_SERVER || 'lighttpd';
  const tok = mintToken(env);
  const u = new URL(env.CFMCP_BASE);
  const init = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'h', version: '1' } } });
  const vars = { PATH: `/mcp/${tok}`, PATHTOKENONLY: `/${tok}`, HOST: u.host, INIT: init, LEN: String(Buffer.byteLength(init)),
    CHUNKED_INIT: `${Buffer.byteLength(init).toString(16)}\r\n${init}\r\n0\r\n\r\n` };

  // ---- HTTP
  const http = load('http.json');
  for (const c of http.cases) {
    const r = await raw(u.hostname, Number(u.port), Buffer.from(expand(c.raw, vars), 'latin1'));
    const m = /^HTTP\/1\.[01] (\d{3})/.exec(r.text);
    const got = r.timeout ? 'timeout' : m ? Number(m[1]) : r.text.length ? 'no-status' : 'closed';
    const allowed = c.one_of || [c.status];
    let okh = allowed.includes(got);
    if (okh && c.no_header) okh = !new RegExp(`^${c.no_header}:`, 'im').test(r.text.split('\r\n\r\n')[0]);
    t.ok(okh, `${server} HTTP: ${c.name} -> ${got} (expected ${allowed.join(' or ')})`, r.text.slice(0, 300));
  }
  // the pool survived all of that
  t.is((await post(env, tok, JSON.parse(init))).status, 200, `${server} HTTP: the server still answers after the hostile requests`);

  // ---- JSON-RPC envelope
  for (const c of load('jsonrpc.json').cases) {
    const body = c.body_b64 !== undefined ? Buffer.from(c.body_b64, 'base64') : expand(c.body, vars);
    const r = await post(env, tok, body, c.headers || {});
    let good = r.status === c.status;
    if (c.code !== undefined) good = good && r.json && r.json.error && r.json.error.code === c.code;
    if (c.result) good = good && r.json && r.json.result !== undefined;
    if (c.status === 202) good = good && r.text === '';
    t.ok(good, `JSON-RPC: ${c.name} -> ${r.status}${r.json && r.json.error ? ` ${r.json.error.code}` : ''}`, { want: c, got: r.text.slice(0, 300) });
  }

  // ---- MCP params
  for (const c of load('mcp-params.json').cases) {
    const params = JSON.parse(expand(JSON.stringify(c.params), vars));
    const headers = { 'MCP-Protocol-Version': c.era === 2026 ? '2026-07-28' : '2025-06-18' };
    if (c.era === 2026) {
      headers['Mcp-Method'] = c.method;
      if (c.method === 'tools/call' && typeof params.name === 'string') headers['Mcp-Name'] = params.name;
      if (!c.no_meta) params._meta = META();
    }
    Object.assign(headers, c.headers || {});
    const r = await post(env, tok, { jsonrpc: '2.0', id: 9, method: c.method, params }, headers);
    let good = r.status === c.status && r.json && r.json.error;
    if (c.code !== undefined) good = good && r.json.error.code === c.code;
    t.ok(good, `MCP params: ${c.name} -> ${r.status}${r.json && r.json.error ? ` ${r.json.error.code}` : ''}`, { want: c, got: r.text.slice(0, 300) });
  }

  // ---- tool arguments
  for (const c of load('tool-args.json').cases) {
    await sim(env, 'reset', {});
    const args = JSON.parse(expand(JSON.stringify(c.arguments), vars));
    const r = await post(env, tok, { jsonrpc: '2.0', id: 3, method: 'tools/call', params: { name: c.tool, arguments: args } });
    const log = await sim(env, 'log');
    t.ok(r.status === 200 && r.json.result && r.json.result.isError === true && log.length === 0,
      `tool arguments: ${c.name} -> isError, nothing sent`, { got: r.text.slice(0, 300), log });
  }

  // ---- management API bodies
  for (const c of load('mgmt.json').cases) {
    const p = (c.path || '/integrated-account/{ACCOUNT_ID}/mcp').replace('{ACCOUNT_ID}', env.ACCOUNT_ID);
    const body = c.body_b64 !== undefined ? Buffer.from(c.body_b64, 'base64') : expand(c.body, vars);
    const res = await fetch(`${env.CFMCP_BASE}${p}`, { method: 'POST', body,
      headers: { Authorization: `Bearer ${env.ADMIN_KEY}`, 'Content-Type': 'application/json' } });
    const text = await res.text();
    let json = null;
    try { json = JSON.parse(text); } catch { /* checked below */ }
    let good = res.status === c.status;
    if (c.error) good = good && json && json.error === c.error && json.status === c.status && typeof json.message === 'string';
    t.ok(good, `management API: ${c.name} -> ${res.status} ${json ? json.error : ''}`, { want: c, got: text.slice(0, 300) });
  }
  t.done();
})().catch((e) => (Tap.current || new Tap()).bail(e));
