#!/usr/bin/env node
// Issue 16, Logs: with CFMCP_LOG_FORMAT=json (run.sh's Apache pass) every
// line the workers and the streams process wrote during the suite is one
// JSON object with time, level and event; in either format no line holds
// a secret this stack knows (the API key, the Cloudflare token, the
// encryption key; 40-scopes.t checks the tokens it mints, in both
// passes). cfmcp-logmask masks /mcp/<token> inside a JSON line too.
'use strict';
const fs = require('fs');
const path = require('path');
const { spawnSync } = require('child_process');
const crypto = require('crypto');
const { Tap, stackEnv } = require('./lib');

const t = new Tap();
const env = stackEnv(t);
const ROOT = path.resolve(__dirname, '../..');
const BUILD = path.resolve(ROOT, process.env.BUILD || 'build');
const json = env.CFMCP_LOG_FORMAT === 'json';
const read = (f) => { try { return fs.readFileSync(path.join(env.CFMCP_DIR, f), 'utf8'); } catch { return ''; } };
// Sanitizer and valgrind reports go to the same file (run.sh reads them).
const ours = (l) => l && !/^==\d+==|^\s*#\d+ 0x|^(SUMMARY|Direct|Indirect): /.test(l);
const lines = ['worker.log', 'streams.log'].flatMap((f) => read(f).split('\n').filter(ours).map((l) => [f, l]));
t.ok(lines.length >= 2, `the workers and the streams process logged (${lines.length} lines)`);

if (json) {
  const bad = [];
  for (const [f, l] of lines) {
    let o = null;
    try { o = JSON.parse(l); } catch { /* counted below */ }
    const okLine = o && typeof o === 'object' && !Array.isArray(o) && /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/.test(o.time) &&
      ['error', 'warn', 'info', 'debug'].includes(o.level) && typeof o.event === 'string' && Number.isInteger(o.pid) &&
      (o.request_id === undefined || /^[A-Za-z0-9._:-]{1,64}$/.test(o.request_id));
    if (!okLine) bad.push(`${f}: ${l.slice(0, 160)}`);
  }
  t.ok(bad.length === 0, `CFMCP_LOG_FORMAT=json: all ${lines.length} lines are JSON objects with time (RFC 3339 ms), level, pid, event`, bad.slice(0, 5));
} else {
  t.ok(lines.every(([, l]) => /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z (error|warn|info|debug) cfmcp\[\d+\] /.test(l)),
    'the default text format: time level cfmcp[pid] message on every line');
}

const secrets = [['the API key', env.ADMIN_KEY], ['the Cloudflare token', env.SIM_TOKEN],
  ['the encryption key', read('key').trim()]].filter(([, s]) => s && s.length >= 16);
const all = lines.map(([, l]) => l).join('\n');
const leaks = secrets.filter(([, s]) => all.includes(s)).map(([n]) => n);
t.ok(secrets.length >= 2 && leaks.length === 0, `no secret in the ${json ? 'JSON' : 'text'} logs (${secrets.map(([n]) => n).join(', ')})`, leaks);

// cfmcp-logmask on a JSON line (a web server's JSON log format, or a worker log piped through it).
const tok = crypto.randomBytes(32).toString('base64url');
const m = spawnSync(path.join(BUILD, 'cfmcp-logmask'), [], { input: JSON.stringify({ event: 'GET', uri: `/mcp/${tok}?x=1` }) + '\n', encoding: 'utf8' });
let parsed = null;
try { parsed = JSON.parse(m.stdout); } catch { /* below */ }
t.ok(m.status === 0 && parsed && !m.stdout.includes(tok) && parsed.uri === `/mcp/...${tok.slice(-4)}?x=1`,
  'cfmcp-logmask masks /mcp/<token> inside a JSON line and keeps it JSON', m.stdout.replace(tok, '<token>'));
t.done();
