#!/usr/bin/env node
// Issue #5: README "Production", run verbatim (minus the systemd block) as a
// script, installing into a scratch root through the variables the README
// names (PREFIX, SYSCONFDIR, RUNDIR, ...), with lighttpd on an ephemeral
// loopback port. It must bring up a working HTTPS endpoint: an SDK client
// that trusts the self-signed certificate lists tools and calls one.
// Also: `systemd-analyze verify` on the installed units where it exists.
// Glue added around the README's blocks (and nothing else): the Redis this
// test starts, the simulator as upstream (the one stand-in), cd into the
// scratch directory before the last block, and stopping what it started.
'use strict';
const fs = require('fs');
const os = require('os');
const path = require('path');
const net = require('net');
const { spawnSync, execFileSync } = require('child_process');
const { Tap, stackEnv, sim, ACME } = require('./lib');

const ROOT = path.resolve(__dirname, '../..');
const freePort = () => new Promise((res) => { const s = net.createServer(); s.listen(0, '127.0.0.1', () => { const p = s.address().port; s.close(() => res(p)); }); });

function blocks() {
  const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  const out = {};
  for (const m of readme.matchAll(/<!-- prod:(\w+) -->\n```sh\n([\s\S]*?)```/g)) out[m[1]] = m[2];
  return out;
}

(async () => {
  const t = new Tap();
  const env = stackEnv(t);
  if (process.getuid() !== 0) t.skipAll('needs root: the README section creates the cfmcp user and sets owners');
  const b = blocks();
  t.ok(['1', '2', '3', '4', '5', 'systemd'].every((k) => b[k]), 'README "Production" has its blocks (1-5 and systemd)', Object.keys(b));
  const R = fs.mkdtempSync(path.join(os.tmpdir(), 'cfmcp-prod-'));
  fs.chmodSync(R, 0o755); // the cfmcp and www-data users walk into it, as into /usr and /etc
  const work = path.join(R, 'work');
  fs.mkdirSync(work);
  const redisPort = await freePort();
  const tlsPort = await freePort();
  const redis = require('child_process').spawn('redis-server', ['--port', String(redisPort), '--bind', '127.0.0.1',
    '--save', '', '--appendonly', 'no', '--dir', R], { stdio: 'ignore' });
  const vars = {
    PREFIX: `${R}/usr/local`, SYSCONFDIR: `${R}/etc`, RUNDIR: `${R}/run/cfmcp`, LIGHTTPD_RUNDIR: `${R}/run/cfmcp-lighttpd`,
    LOGDIR: `${R}/var/log/cfmcp`, TLS_LISTEN: `127.0.0.1:${tlsPort}`, HOST: 'localhost', REDIS: `127.0.0.1:${redisPort}`,
    CF_ACCOUNT_ID: ACME,
  };
  // The README's `make` is a plain build: not the sanitizer build this suite may run under.
  const penv = { ...process.env, ...vars };
  for (const k of ['BUILD', 'MAKEFLAGS', 'MAKELEVEL', 'MFLAGS', 'SANITIZE', 'CFLAGS', 'LDFLAGS']) delete penv[k];
  // nor the test stack's own settings: a production host has none of them
  for (const k of Object.keys(penv)) if (/^CFMCP_/.test(k)) delete penv[k];
  fs.writeFileSync(path.join(work, 'cf-token.txt'), `${env.SIM_TOKEN}\n`, { mode: 0o600 });
  const script = [
    'set -e', b['1'], b['2'], b['3'],
    `echo "CFMCP_UPSTREAM_URL=${env.SIM_URL}/client/v4" >> "$ETC/cfmcp.conf"   # glue: the simulator stands in for Cloudflare`,
    b['4'], `cd "${work}"   # glue`, b['5'],
  ].join('\n');
  fs.writeFileSync(path.join(R, 'production.sh'), script);
  const run = spawnSync('sh', [path.join(R, 'production.sh')], { cwd: ROOT, encoding: 'utf8', env: penv, timeout: 300000 });
  const url = (/^url\s+(https:\/\/\S+)/m.exec(run.stdout) || [])[1];
  t.ok(run.status === 0 && url, `the README's production blocks run (exit ${run.status}) and print an MCP URL`,
    { stdout: run.stdout.replace(/^(token|url)\s+\S+/gm, '$1 <not printed>').slice(-1500), stderr: run.stderr.slice(-3000) });
  try {
    if (url) {
      // The URL names https://localhost; lighttpd listens on the test's port.
      const u = new URL(url);
      u.port = String(tlsPort);
      const cert = path.join(vars.SYSCONFDIR, 'cfmcp/tls/fullchain.pem');
      const child = spawnSync(process.execPath, ['-e', `
        const { Client } = require('@modelcontextprotocol/sdk/client/index.js');
        const { StreamableHTTPClientTransport } = require('@modelcontextprotocol/sdk/client/streamableHttp.js');
        (async () => {
          const c = new Client({ name: 'prod-check', version: '1' });
          await c.connect(new StreamableHTTPClientTransport(new URL(process.argv[1])));
          const l = await c.listTools();
          const r = await c.callTool({ name: 'list_all_cloudflare_zones', arguments: {} });
          console.log(JSON.stringify({ n: l.tools.length, isError: !!r.isError, text: r.content[0].text.slice(0, 200) }));
          await c.close();
        })().catch((e) => { console.error(e.stack); process.exit(1); });`, u.toString()],
      { cwd: __dirname, encoding: 'utf8', timeout: 60000, env: { ...process.env, NODE_EXTRA_CA_CERTS: cert } });
      let res = null;
      try { res = JSON.parse(child.stdout); } catch { /* below */ }
      t.ok(res && res.n > 0 && !res.isError && /example\.com/.test(res.text),
        'an SDK client trusting the certificate lists tools and calls list_all_cloudflare_zones over HTTPS', child.stderr || child.stdout);
      const plain = spawnSync('curl', ['-s', '-o', '/dev/null', '-w', '%{http_code}', u.toString().replace('https:', 'http:')], { encoding: 'utf8' });
      t.ok(plain.stdout !== '200', `plain HTTP on the TLS port gets no MCP answer (${plain.stdout})`);
      const logs = ['access.log', 'error.log'].map((f) => path.join(vars.LOGDIR, f));
      let text = '';
      for (let i = 0; i < 40 && !/POST \/mcp\//.test(text); i++) { // lighttpd flushes its access log about once a second
        await new Promise((r) => setTimeout(r, 100));
        text = logs.filter((f) => fs.existsSync(f)).map((f) => fs.readFileSync(f, 'utf8')).join('\n');
      }
      t.ok(/POST \/mcp\/\.\.\.[A-Za-z0-9_-]{4} /.test(text) && !text.includes(u.pathname.split('/').pop()),
        'the production access log masks the token', text.slice(-600));
      const worker = execFileSync('sh', ['-c', `ps -o user= -p $(cat ${vars.RUNDIR}/cfmcp.pid)`], { encoding: 'utf8' }).trim();
      t.is(worker, 'cfmcp', 'the worker pool runs as the cfmcp user');
      const st = fs.statSync(path.join(vars.RUNDIR, 'cfmcp.sock'));
      t.ok((st.mode & 0o777) === 0o660, `the worker socket is 0660 (${(st.mode & 0o777).toString(8)})`);
    }
    // The installed units.
    const units = ['cfmcp.service', 'cfmcp-lighttpd.service'].map((u) => path.join(vars.PREFIX, 'lib/systemd/system', u));
    t.ok(units.every((u) => fs.existsSync(u)), 'make install put the systemd units in $PREFIX/lib/systemd/system');
    const unit = fs.readFileSync(units[0], 'utf8');
    t.ok(/^User=cfmcp$/m.test(unit) && /^ExecStartPre=.*cfmcp-worker --check$/m.test(unit) && /^Restart=on-failure$/m.test(unit) &&
      /^ExecReload=\/bin\/kill -HUP \$MAINPID$/m.test(unit) && /^NoNewPrivileges=yes$/m.test(unit) && /^ProtectSystem=strict$/m.test(unit) &&
      /^PrivateTmp=yes$/m.test(unit) && /^RestrictAddressFamilies=/m.test(unit), 'cfmcp.service: user, --check, restart, reload by SIGHUP, hardening');
    const sa = spawnSync('sh', ['-c', 'command -v systemd-analyze']);
    if (sa.status === 0) {
      const v = spawnSync('systemd-analyze', ['verify', ...units], { encoding: 'utf8' });
      t.ok(v.status === 0 && !/error|not executable|Unknown/i.test(v.stderr), 'systemd-analyze verify accepts both units', v.stderr);
    } else {
      t.skip('systemd-analyze verify', 'systemd-analyze is not installed here');
    }
  } finally {
    spawnSync('sh', ['-c', `kill $(cat ${vars.LIGHTTPD_RUNDIR}/lighttpd.pid) $(cat ${vars.RUNDIR}/cfmcp.pid) $(cat ${vars.RUNDIR}/cfmcp-streams.pid 2>/dev/null) 2>/dev/null; sleep 0.5`]);
    redis.kill();
    if (!process.env.KEEP_TEST_DIR) fs.rmSync(R, { recursive: true, force: true });
  }
  t.done();
})().catch((e) => (Tap.current || new Tap()).bail(e));
