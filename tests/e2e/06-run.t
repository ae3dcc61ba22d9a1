#!/usr/bin/env node
// `make run` prints commands for a newcomer to paste: each must work as
// printed. This runs tests/lib/run.sh (what `make run` runs) from a scratch
// copy of the tree (its own run/ directory, so a `make run` of the checkout
// is left alone) on an ephemeral port, then executes every printed command
// literally with `sh -c`: the curl "Try it" line, the "Manage it" line (as
// printed, and with `mcp list` turned into `mcp create`, whose URL must
// answer: bug_run_admin_line_port), the management API line, and the stop
// line. Secrets (the MCP URL token) are masked in every diagnostic.
'use strict';
const fs = require('fs');
const os = require('os');
const path = require('path');
const net = require('net');
const { spawnSync } = require('child_process');
const { Tap } = require('./lib');

const ROOT = path.resolve(__dirname, '../..');
const BUILD = path.resolve(ROOT, process.env.BUILD || 'build');
const mask = (s) => String(s || '').replace(/(\/mcp\/[A-Za-z0-9_-]{4})[A-Za-z0-9_-]+/g, '$1...')
  .replace(/^(token\s+)\S+/gm, '$1<not printed>');
const freePort = () => new Promise((res) => {
  const s = net.createServer();
  s.listen(0, '127.0.0.1', () => { const p = s.address().port; s.close(() => res(p)); });
});

// A newcomer's shell: none of the test stack's settings, no Cloudflare token.
function cleanEnv(extra = {}) {
  const e = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (/^(CFMCP_|STACK_|CLOUDFLARE_|SIM_|REDIS_SOCK|WORKER_SOCK|ACCOUNT_ID|ADMIN_KEY|MAKE|MFLAGS)/.test(k)) continue;
    e[k] = v;
  }
  return { ...e, ...extra };
}

const sh = (line, env, cwd) => spawnSync('sh', ['-c', line], { env, cwd, encoding: 'utf8', timeout: 60000 });

async function answers(url) { // tools/list at an MCP URL: the tool count, or an error string
  try {
    const r = await fetch(url, { method: 'POST', signal: AbortSignal.timeout(20000),
      headers: { 'Content-Type': 'application/json', Accept: 'application/json, text/event-stream' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }) });
    const j = await r.json().catch(() => null);
    return r.status === 200 && j && j.result && Array.isArray(j.result.tools) ? j.result.tools.length : `HTTP ${r.status}`;
  } catch (e) {
    return `no answer (${e.cause ? e.cause.code || e.cause.message : e.message})`;
  }
}

(async () => {
  const t = new Tap();
  if (!fs.existsSync(path.join(BUILD, 'cfmcp-admin'))) t.skipAll(`${BUILD}/cfmcp-admin not built`);
  for (const bin of ['redis-server', 'lighttpd', 'spawn-fcgi']) {
    if (sh(`command -v ${bin}`, process.env).status !== 0) t.skipAll(`${bin} not installed`);
  }
  // The scratch tree: what run.sh reads from its ROOT, copied; the build is the real one.
  const S = fs.mkdtempSync(path.join(os.tmpdir(), 'cfmcp-run-'));
  for (const p of ['GNUmakefile', 'schemas', 'deploy', 'tests/lib', 'tests/cf-sim']) {
    fs.cpSync(path.join(ROOT, p), path.join(S, p), { recursive: true });
  }
  const port = await freePort();
  const env = cleanEnv({ BUILD, CFMCP_HTTP_PORT: String(port) });
  let started = false;
  try {
    const run = sh(`sh '${S}/tests/lib/run.sh' start`, env, S);
    started = true;
    const out = run.stdout;
    t.ok(run.status === 0, `make run (tests/lib/run.sh start) on port ${port} exits 0`, { stdout: mask(out), stderr: mask(run.stderr).slice(-2000) });
    const url = (/^MCP URL: (\S+)$/m.exec(out) || [])[1];
    t.ok(url && url.startsWith(`http://127.0.0.1:${port}/mcp/`), 'it prints "MCP URL:" on the port asked for', mask(url));
    const n = url ? await answers(url) : 'no URL';
    t.ok(n > 0, `the printed MCP URL answers tools/list (${n} read tools)`);

    // Try it: the curl line, as printed.
    const tryLine = (/^Try it:\n\s+(curl .*)$/m.exec(out) || [])[1];
    t.ok(tryLine, 'it prints a "Try it" curl line', mask(out));
    if (tryLine) {
      const r = sh(tryLine, env, S);
      let j = null;
      try { j = JSON.parse(r.stdout); } catch { /* not JSON */ }
      t.ok(r.status === 0 && j && j.result && j.result.tools && j.result.tools.length === n,
        'the "Try it" line, run as printed, lists the same tools', { status: r.status, stdout: mask(r.stdout).slice(0, 300), stderr: r.stderr.slice(0, 300) });
    }

    // The whole API: make run loads the vendored spec, so its read-only URL
    // is in discovery mode; the search line, as printed, finds R2.
    const searchLine = (/^Search the whole API.*:\n\s+(curl .*)$/m.exec(out) || [])[1];
    t.ok(searchLine, 'it prints a "Search the whole API" curl line', mask(out));
    if (searchLine) {
      const r = sh(searchLine, env, S);
      let j = null;
      try { j = JSON.parse(r.stdout); } catch { /* not JSON */ }
      const ops = j && j.result && j.result.structuredContent && j.result.structuredContent.operations;
      t.ok(r.status === 0 && Array.isArray(ops) && ops.length > 0 && ops[0].path === '/accounts/{account_id}/r2/buckets',
        'the search line, run as printed, finds the R2 bucket list first (the whole API is loaded)',
        { status: r.status, stdout: mask(r.stdout).slice(0, 300), stderr: r.stderr.slice(0, 300) });
    }

    // Manage it: as printed (mcp list), then with mcp create.
    const manage = (/^Manage it: (.*)$/m.exec(out) || [])[1];
    t.ok(manage && / mcp list \S+$/.test(manage), 'it prints a "Manage it" cfmcp-admin line ending in "mcp list ACCOUNT"', mask(manage));
    if (manage) {
      let r = sh(manage, env, S);
      t.ok(r.status === 0 && /^id\s+mcp_[0-9a-f]{16}$/m.test(r.stdout), 'the "Manage it" line, run as printed, lists the MCP server make run minted',
        { status: r.status, stdout: mask(r.stdout), stderr: mask(r.stderr) });
      const create = manage.replace(/ mcp list (\S+)$/, ' mcp create $1 --name by-the-printed-line');
      for (const [how, e] of [['in a clean shell', env],
        // a shell that has other settings exported (a production CFMCP_CONFIG_FILE, say)
        ['with other CFMCP_* settings exported', { ...env, CFMCP_PUBLIC_URL: 'http://127.0.0.1:9', CFMCP_REDIS: '127.0.0.1:9',
          CFMCP_CONFIG_FILE: path.join(S, 'no-such.conf') }]]) {
        r = sh(create, e, S);
        const minted = (/^url\s+(\S+)$/m.exec(r.stdout) || [])[1];
        t.ok(r.status === 0 && minted, `bug_run_admin_line_port: the "Manage it" line with mcp create, ${how}, mints a URL`,
          { status: r.status, stdout: mask(r.stdout), stderr: mask(r.stderr) });
        t.ok(minted && minted.startsWith(`http://127.0.0.1:${port}/mcp/`),
          `bug_run_admin_line_port: ${how}, the minted URL names make run's port ${port}`, mask(minted));
        const m = minted ? await answers(minted) : 'no URL';
        t.ok(m > 0, `bug_run_admin_line_port: ${how}, the minted URL answers tools/list (${m})`);
      }
    }

    // The management API line: run as printed, it lists the integrated account.
    const apiLine = (/^Management API: (.*)$/m.exec(out) || [])[1];
    t.ok(apiLine, 'it prints a "Management API" line', mask(out));
    if (apiLine) {
      const r = sh(apiLine, env, S);
      let j = null;
      try { j = JSON.parse(r.stdout); } catch { /* not JSON */ }
      t.ok(r.status === 0 && j && Array.isArray(j.items) && j.items.length === 1 && j.items[0].name === 'acme',
        'the "Management API" line, run as printed, lists the integrated account (HTTPS, API key)', { status: r.status, stdout: mask(r.stdout).slice(0, 300), stderr: r.stderr.slice(0, 300) });
    }

    // The admin page: its address answers with the page and its CSP, and the
    // sign-in line, run as printed, gives the API key the page asks for
    // (bug_run_admin_page_key_line: the printed sed lost its \\1 to echo).
    const page = (/^Admin page: (\S+)$/m.exec(out) || [])[1];
    t.ok(page === `http://127.0.0.1:${port}/admin/`, 'it prints the admin page address on the port asked for', page);
    if (page) {
      const r = await fetch(page, { signal: AbortSignal.timeout(20000) }).catch((e) => ({ status: e.message, headers: new Map() }));
      const csp = r.headers.get('content-security-policy') || '';
      t.ok(r.status === 200 && /default-src 'self'/.test(csp), 'the admin page answers 200 with its Content-Security-Policy', { status: r.status, csp });
    }
    const keyLine = (/sign in with the API key this prints: (.*)$/m.exec(out) || [])[1];
    t.ok(keyLine, 'bug_run_admin_page_key_line: it prints a command that shows the API key to sign in with', mask(out));
    {
      const r = keyLine ? sh(keyLine, env, S) : { status: -1, stdout: '' };
      const key = r.stdout.trim();
      let listed = null;
      if (key) {
        const a = await fetch(`http://127.0.0.1:${port}/integrated-account`, { headers: { Authorization: `Bearer ${key}` },
          signal: AbortSignal.timeout(20000) }).catch(() => null);
        listed = a && a.status === 200 ? await a.json().catch(() => null) : null;
      }
      t.ok(r.status === 0 && key.length >= 20 && listed && Array.isArray(listed.items),
        'bug_run_admin_page_key_line: run as printed, it gives a key the management API (what the page signs in with) accepts',
        { status: r.status, key_length: key.length });
    }

    // Logs and stop.
    const logs = (/^Logs: (\S+)/m.exec(out) || [])[1];
    t.ok(logs && fs.existsSync(logs) && fs.statSync(logs).size > 0, 'the printed log file exists and has lines', logs);
    const stop = (/Stop: (.*)$/m.exec(out) || [])[1];
    t.ok(stop, 'it prints how to stop', mask(out));
    if (stop) {
      const r = sh(stop, env, os.tmpdir()); // from anywhere: a later shell need not be in the tree
      t.ok(r.status === 0 && /cfmcp stopped/.test(r.stdout), 'the "Stop" line, run as printed from another directory, stops it',
        { status: r.status, stdout: r.stdout, stderr: r.stderr.slice(-500) });
      if (r.status === 0) started = false;
      t.ok(url && typeof await answers(url) === 'string', 'after it, the MCP URL no longer answers');
    }
  } catch (e) {
    t.ok(false, 'unexpected exception', mask(e && e.stack || e)); // not bail: it would skip the clean-up
  } finally {
    if (started) sh(`sh '${S}/tests/lib/run.sh' stop`, env, S);
    fs.rmSync(S, { recursive: true, force: true });
  }
  t.done();
})();
