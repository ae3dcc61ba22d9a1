#!/usr/bin/env node
// Last, after the whole suite: the web server's access and error logs
// (written through cfmcp-logmask by the shipped configs) hold no MCP URL
// token, only /mcp/...<last 4>. Any run of token characters after /mcp/
// longer than the mask's is a leak.
'use strict';
const fs = require('fs');
const path = require('path');
const { Tap, stackEnv } = require('./lib');

const t = new Tap();
const env = stackEnv(t);
const names = ['access.log', 'error.log', 'lighttpd-error.log', 'apache-access.log', 'apache-error.log', 'apache-stderr.log'];
const files = names.map((f) => path.join(env.CFMCP_DIR, f)).filter((f) => fs.existsSync(f));
const access = files.filter((f) => /access/.test(f));
t.ok(access.length === 1, `the ${env.STACK_SERVER} access log exists (${access.map((f) => path.basename(f))})`);
let lines = 0;
let masked = 0;
const leaks = [];
for (const f of files) {
  for (const line of fs.readFileSync(f, 'utf8').split('\n')) {
    if (!line) continue;
    lines++;
    if (/\/mcp\/\.\.\.[A-Za-z0-9_-]{4}\b/.test(line)) masked++;
    // the diagnostic shows where, with the token itself masked again
    if (/\/mcp\/[A-Za-z0-9_-]{5,}/.test(line)) leaks.push(`${path.basename(f)}: ${line.replace(/(\/mcp\/[A-Za-z0-9_-]{4})[A-Za-z0-9_-]+/g, '$1...').slice(0, 200)}`);
  }
}
t.ok(masked > 50, `the suite's requests are in the logs, masked (${masked} of ${lines} lines)`);
t.ok(leaks.length === 0, `no unmasked /mcp/<token> in ${files.map((f) => path.basename(f)).join(', ')}`, leaks.slice(0, 5));
t.done();
