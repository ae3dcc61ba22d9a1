#!/usr/bin/env node
// bench/soak.js - `make soak` (not in CI): the real stack, 200 concurrent
// keep-alive connections for 60 s of mixed tools/list and tools/call. Every
// answer must be a 200 carrying valid JSON-RPC for its own id (a result, and
// for tools/call no isError); each worker's RSS is sampled every 5 s and must
// stay flat (no growth after the first 10 s beyond 1 MiB).
// Knobs: SOAK_SECONDS (60), SOAK_CONNECTIONS (200), SOAK_WORKERS (2).
'use strict';
const fs = require('fs');
const os = require('os');
const path = require('path');
const http = require('http');
const { execFileSync } = require('child_process');

const { startStack, stopStack } = require('./stack');
const SECONDS = Number(process.env.SOAK_SECONDS || 60);
const CONNS = Number(process.env.SOAK_CONNECTIONS || 200);
const WORKERS = Number(process.env.SOAK_WORKERS || 2);
const rss = (pid) => { try { return Number(/VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))[1]); } catch { return NaN; } };
const kids = (pid) => { try { return execFileSync('pgrep', ['-P', String(pid)], { encoding: 'utf8' }).trim().split('\n').map(Number); } catch { return []; } };

(async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cfmcp-soak-'));
  const D = path.join(dir, 'stack');
  fs.mkdirSync(D);
  let ok = false;
  try {
    const { E, tok } = startStack(D, WORKERS);
    const u = new URL(`${E.CFMCP_BASE}/mcp/${tok}`);
    const agent = new http.Agent({ keepAlive: true, maxSockets: CONNS });
    const master = Number(fs.readFileSync(path.join(D, 'worker.pid'), 'utf8'));
    const workers = kids(master);
    const samples = [];
    const counts = { list: 0, call: 0, bad: 0 };
    const badSamples = [];
    let id = 0;
    const one = () => new Promise((resolve) => {
      const isCall = (id & 1) === 1;
      const myId = ++id;
      const body = JSON.stringify(isCall
        ? { jsonrpc: '2.0', id: myId, method: 'tools/call', params: { name: 'list_all_cloudflare_zones', arguments: { limit: 5 } } }
        : { jsonrpc: '2.0', id: myId, method: 'tools/list' });
      const req = http.request({ agent, host: u.hostname, port: u.port, path: u.pathname, method: 'POST',
        headers: { 'Content-Type': 'application/json', Accept: 'application/json, text/event-stream', 'MCP-Protocol-Version': '2025-06-18', 'Content-Length': Buffer.byteLength(body) } }, (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => {
          let j = null;
          try { j = JSON.parse(Buffer.concat(chunks).toString()); } catch { /* bad below */ }
          const good = res.statusCode === 200 && j && j.jsonrpc === '2.0' && j.id === myId && j.result && !j.error &&
            (isCall ? j.result.isError === false : Array.isArray(j.result.tools) && j.result.tools.length > 0);
          if (good) counts[isCall ? 'call' : 'list']++;
          else { counts.bad++; if (badSamples.length < 5) badSamples.push({ status: res.statusCode, body: Buffer.concat(chunks).toString().slice(0, 200) }); }
          resolve();
        });
      });
      req.on('error', (e) => { counts.bad++; if (badSamples.length < 5) badSamples.push({ error: e.message }); resolve(); });
      req.end(body);
    });
    const end = Date.now() + SECONDS * 1000;
    const loops = Array.from({ length: CONNS }, async () => { while (Date.now() < end) await one(); });
    const sampler = setInterval(() => samples.push({ t: Math.round((Date.now() - (end - SECONDS * 1000)) / 1000), rss: workers.map(rss) }), 5000);
    await Promise.all(loops);
    clearInterval(sampler);
    samples.push({ t: SECONDS, rss: workers.map(rss) });
    agent.destroy();
    const same = kids(master).length === workers.length && kids(master).every((p) => workers.includes(p));
    const base = samples.find((s) => s.t >= 10) || samples[0];
    const growth = workers.map((_, i) => Math.max(...samples.filter((s) => s.t >= base.t).map((s) => s.rss[i])) - base.rss[i]);
    const flat = growth.every((g) => g <= 1024);
    const total = counts.list + counts.call + counts.bad;
    console.log(`soak: ${SECONDS} s, ${CONNS} connections, ${WORKERS} workers: ${total} requests (${(total / SECONDS).toFixed(0)}/s): ` +
      `${counts.list} tools/list, ${counts.call} tools/call, ${counts.bad} bad`);
    console.log(`soak: worker RSS (KiB) by time: ${samples.map((s) => `${s.t}s ${s.rss.join('/')}`).join(', ')}`);
    console.log(`soak: growth after ${base.t} s: ${growth.join('/')} KiB (limit 1024); same workers throughout: ${same}`);
    if (badSamples.length) console.log(`soak: bad answers, first ones: ${JSON.stringify(badSamples)}`);
    ok = counts.bad === 0 && total > 0 && flat && same;
    console.log(ok ? 'soak: PASS' : 'soak: FAIL');
  } catch (e) {
    console.error(`soak: ${e.stack || e}`);
  } finally {
    stopStack(D);
    if (!process.env.KEEP_SOAK_DIR) fs.rmSync(dir, { recursive: true, force: true });
  }
  process.exitCode = ok ? 0 : 1;
})();
