#!/usr/bin/env node
// Cloudflare API v4 simulator for cfmcp's tests: real HTTP on loopback,
// Cloudflare's envelope, seeded data, both pagination styles, rate-limit
// headers, faults switchable per test, Bearer check, a request log.
//
//   node sim.js --token TOKEN [--port 0] [--portfile FILE] [--seed FILE]
//
// Control endpoints (not part of the Cloudflare API):
//   GET  /__sim/log            -> [{method, path, query, auth, body, headers}]
//   POST /__sim/reset          -> clears log and faults
//   POST /__sim/fault          -> {match: "/zones" (path prefix, optional), kind:
//        "429"|"500"|"503"|"delay"|"reset"|"huge"|"malformed"|"html"|"bigresult"|"pretty", times: N (default 1),
//        delay_ms, form: "ietf"|"x"|"retry-only", eol (for "pretty": "\n" default, "\r\n" or "\r")}
//        "pretty" answers the request as usual but pretty-printed (indented, one
//        value per line), as some APIs and proxies do: raw line breaks in the body.
// Paths are served with and without the /client/v4 prefix.
'use strict';
const http = require('http');
const fs = require('fs');
const { URL } = require('url');
const seed = require('./seed');

const args = process.argv.slice(2);
const opt = (name, def) => { const i = args.indexOf('--' + name); return i >= 0 ? args[i + 1] : def; };
const TOKEN = opt('token', process.env.CF_SIM_TOKEN || 'sim-token');
// A second token that sees only the Globex account, as a Cloudflare API token
// scoped to one account does: other accounts' zones and ids get 403 (9109).
const TOKEN_GLOBEX = opt('token-globex', TOKEN + '-globex');
const PORT = Number(opt('port', '0'));
const PORTFILE = opt('portfile', '');

const data = seed.build();
let log = [];
let faults = [];
let budget = { limit: 1200, remaining: 1200, window: 300 };

function rlHeaders(res, form) {
  // Cloudflare's current form (draft-ietf-httpapi-ratelimit-headers -08+),
  // or the earlier x-ratelimit-* trio (cloudflare-docs PR #24967).
  if (form === 'x') {
    res.setHeader('x-ratelimit-limit', String(budget.limit));
    res.setHeader('x-ratelimit-remaining', String(budget.remaining));
    res.setHeader('x-ratelimit-reset', new Date(Date.now() + 30000).toUTCString());
  } else if (form !== 'retry-only') {
    res.setHeader('Ratelimit', `"default";r=${budget.remaining};t=${budget.window}`);
    res.setHeader('Ratelimit-Policy', `"default";q=${budget.limit};w=${budget.window}`);
  }
}

let rays = 0;
function send(res, status, body, form, eol) {
  // every Cloudflare answer carries a cf-ray id (the audit trail keeps it)
  res.setHeader('cf-ray', `${(++rays).toString(16).padStart(16, '0')}-SIM`);
  let text = typeof body === 'string' ? body : JSON.stringify(body, null, eol ? 2 : undefined);
  if (eol && eol !== '\n') text = text.split('\n').join(eol);
  rlHeaders(res, form);
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

function envelope(result, resultInfo) {
  const e = { success: true, errors: [], messages: [], result };
  if (resultInfo) e.result_info = resultInfo;
  return e;
}

function failure(status, code, message) {
  return [status, { success: false, errors: [{ code, message }], messages: [], result: null }];
}

// page/per_page pagination (zones, DNS records, ...): 1-based page.
function pagePaged(items, q, def, min, max) {
  const page = q.has('page') ? Number(q.get('page')) : 1;
  const per = q.has('per_page') ? Number(q.get('per_page')) : def;
  if (!Number.isInteger(page) || page < 1) return failure(400, 1001, 'page must be an integer >= 1');
  if (!Number.isInteger(per) || per < min || per > max) return failure(400, 1001, `per_page must be an integer in [${min}, ${max}]`);
  const slice = items.slice((page - 1) * per, page * per);
  return [200, envelope(slice, { page, per_page: per, count: slice.length, total_count: items.length,
    total_pages: Math.max(1, Math.ceil(items.length / per)) })];
}

// cursor/limit pagination (audit logs v2): the cursor is an offset in base64.
function cursorPaged(items, q, def) {
  const limit = q.has('limit') ? Number(q.get('limit')) : def;
  let off = 0;
  if (q.has('cursor')) {
    const c = Buffer.from(q.get('cursor'), 'base64').toString();
    if (!/^off:\d+$/.test(c)) return [400, { success: false, errors: [{ message: 'invalid cursor' }], result: null }];
    off = Number(c.slice(4));
  }
  if (!Number.isInteger(limit) || limit < 1 || limit > 1000) return [400, { success: false, errors: [{ message: 'invalid limit' }], result: null }];
  const slice = items.slice(off, off + limit);
  const next = off + limit < items.length ? Buffer.from('off:' + (off + limit)).toString('base64') : '';
  const ri = { count: String(slice.length) };
  if (next) ri.cursor = next;
  return [200, { success: true, errors: [], result: slice, result_info: ri }];
}

const HEX32 = /^[0-9a-f]{32}$/;

function filterZones(q) {
  let z = data.zones;
  const name = q.get('name');
  if (name) {
    const m = /^(contains|starts_with|ends_with|not_equal):(.*)$/.exec(name);
    if (!m) z = z.filter((x) => x.name === name);
    else if (m[1] === 'contains') z = z.filter((x) => x.name.includes(m[2]));
    else if (m[1] === 'starts_with') z = z.filter((x) => x.name.startsWith(m[2]));
    else if (m[1] === 'ends_with') z = z.filter((x) => x.name.endsWith(m[2]));
    else z = z.filter((x) => x.name !== m[2]);
  }
  if (q.get('status')) z = z.filter((x) => x.status === q.get('status'));
  if (q.get('account.id')) z = z.filter((x) => x.account.id === q.get('account.id'));
  return z;
}

// Route table: [method, regex, handler(match, query, body) -> [status, body]]
const routes = [
  ['GET', /^\/zones$/, (m, q) => pagePaged(filterZones(q), q, 20, 5, 50)],
  ['GET', /^\/zones\/([^/]+)$/, (m) => {
    if (!HEX32.test(m[1])) return failure(400, 7003, 'Could not route to /zones/' + m[1] + ', perhaps your object identifier is invalid?');
    const z = data.zones.find((x) => x.id === m[1]);
    return z ? [200, envelope(z)] : failure(404, 1001, 'Invalid zone identifier');
  }],
  ['GET', /^\/accounts$/, (m, q) => pagePaged(data.accounts, q, 20, 5, 50)],
  ['GET', /^\/accounts\/([^/]+)$/, (m) => {
    const a = data.accounts.find((x) => x.id === m[1]);
    return a ? [200, envelope(a)] : failure(404, 1003, 'Invalid account identifier');
  }],
  ['GET', /^\/user\/tokens\/verify$/, () => [200, envelope({ id: 'ed17574386854bf78a67040be0a770b0', status: 'active' })]],
];
seed.extraRoutes && seed.extraRoutes(routes, { data, envelope, failure, pagePaged, cursorPaged, HEX32 });

function takeFault(path) {
  const i = faults.findIndex((f) => !f.match || path.startsWith(f.match));
  if (i < 0) return null;
  const f = faults[i];
  if (--f.times <= 0) faults.splice(i, 1);
  return f;
}

function control(req, res, path, body) {
  if (path === '/__sim/log' && req.method === 'GET') return send(res, 200, log);
  if (path === '/__sim/reset' && req.method === 'POST') { log = []; faults = []; return send(res, 200, { ok: true }); }
  if (path === '/__sim/fault' && req.method === 'POST') {
    let f;
    try { f = JSON.parse(body); } catch { return send(res, 400, { error: 'bad json' }); }
    f.times = f.times || 1;
    faults.push(f);
    return send(res, 200, { ok: true });
  }
  return send(res, 404, { error: 'no such control endpoint' });
}

const server = http.createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    const body = Buffer.concat(chunks).toString();
    const url = new URL(req.url, 'http://sim');
    let path = url.pathname;
    if (path.startsWith('/__sim/')) return control(req, res, path, body);
    if (path.startsWith('/client/v4/')) path = path.slice('/client/v4'.length);
    const auth = req.headers.authorization || '';
    const globexOnly = auth === 'Bearer ' + TOKEN_GLOBEX;
    const authOk = auth === 'Bearer ' + TOKEN || globexOnly;
    if (log.length >= 10000) log.shift(); // bounded: benchmarks send millions
    log.push({ method: req.method, path, rawPath: url.pathname, query: url.search.slice(1), auth: authOk,
      body: body || null, headers: { 'content-type': req.headers['content-type'] || null, 'user-agent': req.headers['user-agent'] || null } });
    const f = takeFault(path);
    if (f) {
      if (f.kind === 'reset') { req.socket.destroy(); return; }
      if (f.kind === 'delay') { setTimeout(() => route(req, res, path, url.searchParams, body, authOk), f.delay_ms || 5000); return; }
      if (f.kind === '429') {
        budget.remaining = 0;
        if (f.form !== 'x' ) res.setHeader('Retry-After', String(f.retry_after || 30));
        const [s, b] = failure(429, 971, 'Please wait and consider throttling your request speed');
        send(res, s, b, f.form);
        budget.remaining = budget.limit;
        return;
      }
      if (f.kind === '500' || f.kind === '503') { const [s, b] = failure(Number(f.kind), 10000, 'Internal server error'); return send(res, s, b); }
      if (f.kind === 'huge') { const big = 'x'.repeat(f.bytes || 10 * 1024 * 1024); return send(res, 200, envelope(big)); }
      if (f.kind === 'malformed') return send(res, 200, '{"success": true, "result": [1, 2');
      if (f.kind === 'bigresult') { // a long list: n items of ~1 KiB, page-style result_info
        const n = f.items || 400;
        const items = Array.from({ length: n }, (_, i) => ({ id: String(i).padStart(32, '0'), pad: 'p'.repeat(1000) }));
        return send(res, 200, envelope(items, { page: 1, per_page: n, count: n, total_count: n * 3 }));
      }
      if (f.kind === 'html') { res.writeHead(502, { 'Content-Type': 'text/html' }); return res.end('<html>bad gateway</html>'); }
      if (f.kind === 'pretty') return route(req, res, path, url.searchParams, body, authOk, globexOnly, f.eol || '\n');
    }
    route(req, res, path, url.searchParams, body, authOk, globexOnly);
  });
});

// Whether a token limited to Globex may touch this path.
function globexAllows(path, q) {
  const gid = data.accounts[1].id;
  let m = /^\/zones\/([^/]+)/.exec(path);
  if (m) { const z = data.zones.find((x) => x.id === m[1]); return !z || z.account.id === gid; }
  m = /^\/accounts\/([^/]+)/.exec(path);
  if (m) return m[1] === gid;
  if (path === '/zones') { if (q.get('account.id') && q.get('account.id') !== gid) return false; q.set('account.id', gid); }
  return true;
}

function route(req, res, path, q, body, authOk, globexOnly, eol) {
  if (budget.remaining > 0) budget.remaining--;
  if (!authOk) { const [s, b] = failure(403, 10000, 'Authentication error'); return send(res, s, b); }
  if (globexOnly && !globexAllows(path, q)) { const [s, b] = failure(403, 9109, 'Unauthorized to access requested resource'); return send(res, s, b); }
  for (const [meth, re, fn] of routes) {
    const m = re.exec(path);
    if (!m || meth !== req.method) continue;
    let parsed = null;
    if (body) { try { parsed = JSON.parse(body); } catch { const [s, b] = failure(400, 1012, 'Request body is not valid JSON'); return send(res, s, b); } }
    const [s, b] = fn(m, q, parsed);
    return send(res, s, b, undefined, eol);
  }
  const [s, b] = failure(404, 7003, 'No route for that URI');
  send(res, s, b);
}

server.keepAliveTimeout = 30000;
server.listen(PORT, '127.0.0.1', () => {
  const port = server.address().port;
  if (PORTFILE) fs.writeFileSync(PORTFILE, String(port));
  process.stdout.write(`cf-sim listening on 127.0.0.1:${port}\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
