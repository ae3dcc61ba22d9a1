// tests/e2e/lib.js - shared helpers for the end-to-end tests: TAP output,
// the running stack's addresses (tests/lib/stack.sh writes them), minting
// MCP URL tokens in Redis, raw HTTP to the MCP endpoint, the simulator's
// control API. No test framework: prove reads the TAP we print.
'use strict';
const fs = require('fs');
const path = require('path');
const crypto = require('crypto');
const { execFileSync } = require('child_process');

class Tap {
  constructor() { this.n = 0; this.failed = 0; Tap.current = this; }
  ok(cond, name, diag) {
    this.n++;
    console.log(`${cond ? 'ok' : 'not ok'} ${this.n} - ${name}`);
    if (!cond) {
      this.failed++;
      // on stderr as well: prove shows it without -v, so a CI log says why;
      // there, any run of 32+ token characters is cut (tokens, keys, the
      // simulator's credential), since a failing check may print an answer
      const cut = (x) => x.replace(/[A-Za-z0-9_-]{32,}/g, '[cut]');
      console.error(cut(`# failed: ${this.n} - ${name}`));
      if (diag !== undefined) {
        const text = typeof diag === 'string' ? diag : JSON.stringify(diag, null, 1);
        this.diag(text);
        for (const l of text.split('\n').slice(0, 40)) console.error(cut('# ' + l));
      }
    }
    return !!cond;
  }
  is(got, want, name) {
    return this.ok(got === want, name, `got: ${JSON.stringify(got)}\nwant: ${JSON.stringify(want)}`);
  }
  // A known, open failure: printed as TAP TODO (prove reports it, the run
  // still passes; an unexpected pass shows as "TODO passed").
  todo(cond, name, reason, diag) {
    this.n++;
    console.log(`${cond ? 'ok' : 'not ok'} ${this.n} - ${name} # TODO ${reason}`);
    if (!cond && diag !== undefined) this.diag(typeof diag === 'string' ? diag : JSON.stringify(diag, null, 1));
    return !!cond;
  }
  diag(s) { for (const l of String(s).split('\n')) console.log('# ' + l); }
  skip(name, reason) { this.n++; console.log(`ok ${this.n} - ${name} # SKIP ${reason}`); }
  done() { console.log(`1..${this.n}`); process.exitCode = this.failed ? 1 : 0; }
  skipAll(reason) { console.log(`1..0 # SKIP ${reason}`); process.exit(0); }
  bail(e) { this.ok(false, 'unexpected exception', e && e.stack || String(e)); this.done(); process.exit(1); }
}

function stackEnv(t) {
  const dir = process.env.CFMCP_DIR;
  if (!dir || !fs.existsSync(path.join(dir, 'env'))) t.skipAll('no running stack (run through make test)');
  const env = {};
  for (const line of fs.readFileSync(path.join(dir, 'env'), 'utf8').split('\n')) {
    const m = /^(\w+)='(.*)'$/.exec(line);
    if (m) env[m[1]] = m[2];
  }
  return env;
}

// Mint an MCP server token directly in Redis (the README's redis-cli recipe).
// The simulator's seeded account ids (tests/cf-sim/seed.js): md5 of a name.
const simId = (s) => crypto.createHash('md5').update(s).digest('hex');
const ACME = simId('account:acme');

function mintToken(env, { methods = '', tags = '', ttl = 0, account = env.ACCOUNT_ID, requireApiKey = false } = {}) {
  const token = crypto.randomBytes(32).toString('base64url');
  const hash = crypto.createHash('sha256').update(token).digest('hex');
  const id = 'mcp_' + crypto.randomBytes(8).toString('hex');
  const key = `cfmcp:mcp:${hash}`;
  execFileSync('redis-cli', ['-s', env.REDIS_SOCK, 'HSET', key, 'id', id, 'name', 'e2e',
    'account', account, 'methods', methods, 'tags', tags, 'require_api_token_auth', requireApiKey ? '1' : '0']);
  if (ttl) execFileSync('redis-cli', ['-s', env.REDIS_SOCK, 'EXPIRE', key, String(ttl)]);
  return token;
}

// cfmcp-admin against the running stack; returns { status, stdout, stderr }.
function admin(env, args, input) {
  const { spawnSync } = require('child_process');
  const root = path.resolve(__dirname, '../..');
  const build = process.env.BUILD || path.join(root, 'build');
  const r = spawnSync(path.resolve(root, build, 'cfmcp-admin'), args, {
    input: input || '', encoding: 'utf8',
    env: { ...process.env, CFMCP_REDIS: `unix:${env.REDIS_SOCK}`, CFMCP_KEY_FILE: env.CFMCP_KEY_FILE,
      CFMCP_SCHEMAS: path.join(root, 'schemas'), CFMCP_PUBLIC_URL: env.CFMCP_BASE, CFMCP_CONFIG_FILE: '' } });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

// The management REST API: { status, headers, json, text }.
async function api(env, method, p, { body, key = env.ADMIN_KEY, headers = {} } = {}) {
  const h = { ...headers };
  if (key) h.Authorization = `Bearer ${key}`;
  if (body !== undefined && !h['Content-Type']) h['Content-Type'] = 'application/json';
  const res = await fetch(`${env.CFMCP_BASE}${p}`, { method, headers: h, signal: AbortSignal.timeout(30000),
    body: body === undefined ? undefined : (typeof body === 'string' ? body : JSON.stringify(body)) });
  const text = await res.text();
  let json = null;
  try { json = JSON.parse(text); } catch { /* not JSON */ }
  return { status: res.status, headers: res.headers, text, json };
}

async function post(env, token, body, headers = {}) {
  const h = { 'Content-Type': 'application/json', Accept: 'application/json, text/event-stream', ...headers };
  for (const k of Object.keys(h)) if (h[k] === null) delete h[k];
  // bounded: a hang fails the test instead of stalling the suite
  const res = await fetch(`${env.CFMCP_BASE}/mcp/${token}`, { signal: AbortSignal.timeout(30000),
    method: 'POST', headers: h, body: (typeof body === 'string' || Buffer.isBuffer(body)) ? body : JSON.stringify(body) });
  const text = await res.text();
  let json = null;
  try { json = JSON.parse(text); } catch { /* not JSON */ }
  return { status: res.status, headers: res.headers, text, json };
}

const META = (v = '2026-07-28') => ({
  'io.modelcontextprotocol/protocolVersion': v,
  'io.modelcontextprotocol/clientCapabilities': {},
  'io.modelcontextprotocol/clientInfo': { name: 'cfmcp-e2e', version: '1' },
});

// A well-formed 2026-07-28 request: body plus the headers it needs.
function modern(method, params = {}, id = 1) {
  const body = { jsonrpc: '2.0', id, method, params: { ...params, _meta: META() } };
  const headers = { 'MCP-Protocol-Version': '2026-07-28', 'Mcp-Method': method };
  if (method === 'tools/call') headers['Mcp-Name'] = params.name;
  return { body, headers };
}

async function sim(env, what, body) {
  const res = await fetch(`${env.SIM_URL}/__sim/${what}`, body === undefined ? {} :
    { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
  return res.json();
}

module.exports = { Tap, stackEnv, mintToken, admin, api, post, modern, META, sim, simId, ACME };
