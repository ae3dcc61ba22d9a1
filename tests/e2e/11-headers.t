#!/usr/bin/env node
// bug_too_many_headers: a request with more headers than the worker keeps
// (CAP_HEADERS, 64, as the worker counts them: HTTP_* plus CONTENT_TYPE and
// CONTENT_LENGTH) is refused 431 with the router's headers and body shape,
// never a 500 "out of memory". Raw HTTP through the web server, so the
// header count is exact: the requests carry 5 headers of their own plus
// N X-Pad-<i> headers, for N from "all fit" up to Apache's default limit
// of 100 request headers. The boundary is where the web server's own
// additions put it; the test finds it and checks N and N+1 around it.
'use strict';
const net = require('net');
const { Tap, stackEnv, mintToken } = require('./lib');

// Apache answers chunked where lighttpd sends a Content-Length.
function dechunk(b) {
  let out = '';
  for (;;) {
    const eol = b.indexOf('\r\n');
    const n = parseInt(b.slice(0, eol), 16);
    if (!(n > 0)) return out;
    out += b.slice(eol + 2, eol + 2 + n);
    b = b.slice(eol + 2 + n + 2);
  }
}

function raw(base, path, pads, body) {
  const u = new URL(base);
  let h = `POST ${path} HTTP/1.1\r\nHost: ${u.host}\r\nContent-Type: application/json\r\n` +
    `Accept: application/json, text/event-stream\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n`;
  for (let i = 0; i < pads; i++) h += `X-Pad-${i}: v${i}\r\n`;
  return new Promise((resolve, reject) => {
    const s = net.connect(Number(u.port), u.hostname, () => s.end(h + '\r\n' + body));
    const chunks = [];
    s.setTimeout(20000, () => s.destroy(new Error('timeout')));
    s.on('data', (d) => chunks.push(d));
    s.on('error', reject);
    s.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const cut = text.indexOf('\r\n\r\n');
      // head keeps the CRLF of its last line, so every header matches /\r\nName: v\r\n/
      const head = text.slice(0, cut + 2);
      const status = Number((/^HTTP\/1\.[01] (\d{3})/.exec(head) || [])[1]);
      let bodyText = text.slice(cut + 4);
      if (/\r\nTransfer-Encoding: chunked\r\n/i.test(head)) bodyText = dechunk(bodyText);
      let json = null;
      try { json = JSON.parse(bodyText); } catch { /* not JSON */ }
      resolve({ status, head, text: bodyText, json });
    });
  });
}

(async () => {
  const t = new Tap();
  const env = stackEnv(t);
  const tok = mintToken(env);
  const list = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' });

  const seen = [];
  for (let n = 40; n <= 95; n++) seen.push([n, (await raw(env.CFMCP_BASE, `/mcp/${tok}`, n, list)).status]);
  const bad = seen.filter(([, s]) => s !== 200 && s !== 431);
  t.ok(bad.length === 0, 'bug_too_many_headers: 45..100 request headers are answered 200 or 431, never anything else',
    bad.slice(0, 5).map(([n, s]) => `${n + 5} headers: ${s}`).join('\n'));
  const first = seen.findIndex(([, s]) => s === 431);
  t.ok(first > 0 && seen.slice(0, first).every(([, s]) => s === 200) && seen.slice(first).every(([, s]) => s === 431),
    `bug_too_many_headers: one boundary: all 200 up to ${first > 0 ? seen[first - 1][0] + 5 : '?'} headers, all 431 from there`);
  // the boundary is the worker's cap, 64 headers, give or take what the web
  // server adds of its own (it may add a header or two)
  if (first > 0) {
    const n = seen[first][0] + 5;
    t.ok(n >= 60 && n <= 65, `bug_too_many_headers: 431 starts at ${n} client headers (the worker keeps 64)`);
  }

  const over = await raw(env.CFMCP_BASE, `/mcp/${tok}`, 95, list);
  t.is(over.status, 431, 'bug_too_many_headers: 100 headers (Apache\'s default maximum) -> 431');
  t.ok(/\r\nCache-Control: no-store\r\n/i.test(over.head) && /\r\nContent-Type: application\/json\r\n/i.test(over.head) &&
    /\r\nReferrer-Policy: no-referrer\r\n/i.test(over.head), 'bug_too_many_headers: the 431 has the router\'s headers', over.head);
  t.ok(over.json && over.json.jsonrpc === '2.0' && over.json.error && over.json.error.code === -32600 &&
    !/memory/.test(over.json.error.message), 'bug_too_many_headers: a JSON-RPC -32600 error saying what is wrong', over.text);

  const mg = await raw(env.CFMCP_BASE, '/integrated-account', 95, '{}');
  t.ok(mg.status === 431 && mg.json && mg.json.status === 431 && typeof mg.json.error === 'string' &&
    /\r\nCache-Control: no-store\r\n/i.test(mg.head), 'bug_too_many_headers: management API -> 431 in its own error shape', mg.text);
  t.done();
})().catch((e) => (Tap.current || new Tap()).bail(e));
