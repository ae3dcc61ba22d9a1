#!/usr/bin/env node
// Issue 17, more than one host: the soak of tests/e2e/ha-soak.js, short
// (20 connections, 15 s; `make soak-ha` runs 200 for 60 s). HAProxy -> two
// web hosts -> Redis primary + replica + three Sentinels on loopback; the
// Redis primary SIGKILLed, one host's worker pool SIGKILLed and restarted,
// HAProxy reloaded - under mixed tools/list, tools/call and URL creation.
// Every answer a correct 200/201 or a 503 with Retry-After; every URL made
// works afterwards; service back within 2 s of Sentinel's promotion.
'use strict';
const fs = require('fs');
const os = require('os');
const path = require('path');
const { execFileSync } = require('child_process');
const { Tap } = require('./lib');
const { run } = require('./ha-soak');

const have = (cmd) => { try { execFileSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }); return true; } catch { return false; } };

(async () => {
  const t = new Tap();
  for (const cmd of ['haproxy', 'redis-sentinel', 'redis-server', 'lighttpd', 'spawn-fcgi']) {
    if (!have(cmd)) t.skipAll(`${cmd} is not installed (deploy/deps.sh test installs it)`);
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cfmcp-ha-'));
  const r = await run({ connections: Number(process.env.HA_CONNECTIONS || 20), seconds: Number(process.env.HA_SECONDS || 15),
    dir, log: (s) => t.diag(s) });
  const c = r.counts;
  t.diag(`answers: ${c.list} tools/list, ${c.call} tools/call, ${c.create} URLs created, ${c.unavailable} 503 + Retry-After, ${c.wrong} wrong, ${c.lostInFlight} 500/502 from the killed pool, ${c.reloadDropped} unanswered at the reload (${r.times.rps} answers/s); ${r.staleRetries} requests sent again after a keep-alive connection was closed under them`);
  t.ok(c.list > 0 && c.call > 0 && c.create > 0, 'the load ran: tools/list, tools/call and URL creation all answered 200/201');
  t.ok(c.wrong === 0, `0 wrong answers: each a correct 200/201 or a 503 with Retry-After (${c.wrong} wrong)`, r.wrongSamples);
  // A request inside web1's pool when it was SIGKILLed: lighttpd answers
  // it 500 with its own HTML page, which HAProxy turns into 503 +
  // Retry-After (deploy/haproxy/haproxy.cfg); never retried, it may have
  // reached Cloudflare.
  t.ok(c.lostInFlight === 0, `bug_pool_kill_answers_500: requests inside web1's SIGKILLed pool, 0 answered 500/502 (${c.lostInFlight}; ${r.inFlightAtPoolKill} in flight on both hosts then)`);
  t.ok(r.created.length > 0 && r.broken.length === 0, `every URL created during the run works afterwards (${r.created.length} made, ${r.broken.length} broken)`, r.broken.slice(0, 5));
  t.ok(Number.isFinite(r.times.failoverMs), `Sentinel promoted the replica (${r.times.failoverMs} ms after the primary was killed; a figure, not a goal)`);
  t.ok(r.times.duringFailover.answers > 0 && r.times.duringFailover.unavailable > 0,
    `during the failover: ${r.times.duringFailover.answers} answers, ${r.times.duringFailover.unavailable} of them 503 + Retry-After`, r.times.duringFailover);
  // times are printed, never asserted (the 2 s goal is measured by make soak-ha, bench/RESULTS.md)
  t.ok(Number.isFinite(r.times.resumeMs), `service resumed after the promotion (${r.times.resumeMs} ms; goal ≤ 2 s, bench/RESULTS.md)`);
  t.ok(Number.isFinite(r.times.createResumeMs), `URL creation resumed ${r.times.createResumeMs} ms after the old primary came back as the replica (WAIT 1 acknowledged again)`);
  t.ok(Number.isFinite(r.times.poolBackMs), `web1's restarted pool passes /healthz (${r.times.poolBackMs} ms after it started)`);
  // option idle-close-on-response: the old HAProxy process answers a
  // request on an idle connection before closing it, never drops it
  t.ok(c.reloadDropped === 0, `bug_haproxy_reload_drops_idle: HAProxy reload, 0 connections closed unanswered by the old HAProxy process (${c.reloadDropped} of ${r.times.reloadAnswers.answers} answers around it)`, r.reloadSamples);
  t.ok(r.times.reloadAnswers.answers > 0 && r.times.reloadAnswers.ok > 0, `HAProxy reload: ${r.times.reloadAnswers.ok} of ${r.times.reloadAnswers.answers} answers in the 2 s after it were 200/201`);
  t.is(r.crashes, 0, 'no worker crashed (the log names no signal but the SIGKILL of web1)');
  if (!t.failed && !process.env.KEEP_TEST_DIR) fs.rmSync(dir, { recursive: true, force: true });
  else t.diag(`logs kept in ${dir}`);
  t.done();
})().catch((e) => (require('./lib').Tap.current || new Tap()).bail(e));
