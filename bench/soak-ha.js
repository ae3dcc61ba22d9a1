#!/usr/bin/env node
// bench/soak-ha.js - `make soak-ha` (not in CI): tests/e2e/ha-soak.js at
// full size, 200 connections for 60 s through HAProxy while the Redis
// primary is SIGKILLed, one host's worker pool is SIGKILLed and restarted,
// and HAProxy is reloaded. Prints the counts and recovery times (copy them
// to bench/RESULTS.md); exit 1 on any wrong answer or broken URL.
// Knobs: SOAK_CONNECTIONS (200), SOAK_SECONDS (60), KEEP_TEST_DIR.
'use strict';
const fs = require('fs');
const os = require('os');
const path = require('path');
const { run } = require('../tests/e2e/ha-soak');

(async () => {
  const connections = Number(process.env.SOAK_CONNECTIONS || 200);
  const seconds = Number(process.env.SOAK_SECONDS || 60);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cfmcp-soak-ha-'));
  const r = await run({ connections, seconds, dir, log: (s) => console.log(s) });
  const c = r.counts, t = r.times;
  const bad = c.wrong || r.broken.length || c.lostInFlight || c.reloadDropped || !(t.resumeMs <= 2000);
  console.log(`
soak-ha: ${connections} connections, ${seconds} s, ${t.rps} answers/s through HAProxy
  200/201: ${c.list} tools/list, ${c.call} tools/call, ${c.create} URLs created
  503 + Retry-After: ${c.unavailable}
  wrong: ${c.wrong}; 500/502 for requests inside web1's SIGKILLed pool: ${c.lostInFlight} (${r.inFlightAtPoolKill} in flight on both hosts then; HAProxy answers them 503 + Retry-After)
  sent again after a keep-alive connection closed under them: ${r.staleRetries}
  closed unanswered by the old HAProxy process at its reload: ${c.reloadDropped} (option idle-close-on-response)
  URLs created that work afterwards: ${r.created.length - r.broken.length} of ${r.created.length}
  Redis primary SIGKILL -> Sentinel promotion: ${t.failoverMs} ms; promotion -> first 200: ${t.resumeMs} ms
  during the failover: ${t.duringFailover.answers} answers, ${t.duringFailover.unavailable} of them 503
  old primary back as the replica -> first 201 (WAIT 1): ${t.createResumeMs} ms
  web1's pool restarted -> passes /healthz: ${t.poolBackMs} ms
  HAProxy reload: ${t.reloadAnswers.ok} of ${t.reloadAnswers.answers} answers in the next 2 s were 200/201
  worker crashes: ${r.crashes}
${bad ? 'FAIL' : 'PASS'}`);
  if (r.wrongSamples.length) console.log(JSON.stringify(r.wrongSamples, null, 1));
  if (r.reloadSamples.length) console.log('unanswered at the reload:', JSON.stringify(r.reloadSamples));
  if (!bad && !process.env.KEEP_TEST_DIR) fs.rmSync(dir, { recursive: true, force: true });
  else console.log(`logs in ${dir}`);
  process.exit(bad ? 1 : 0);
})().catch((e) => { console.error(e); process.exit(1); });
