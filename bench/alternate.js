// bench/alternate.js - one client, one request at a time, alternating
// between arms in short blocks: for comparisons smaller than the machine's
// own drift over a second or two (issue 16's audit trail on and off), which
// wrk's whole-second runs cannot resolve. Each block sends `block` requests
// on a kept-alive connection to one arm and records each latency; between
// blocks it sleeps `gapMs` (longer than CFMCP_AUDIT_FLUSH_MS, so work a
// block leaves behind lands in the gap, not in the next arm's block). The
// order of the arms rotates from round to round.
'use strict';
const http = require('http');

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function once(agent, arm) {
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    const u = new URL(arm.url);
    const req = http.request({ agent, host: u.hostname, port: u.port, path: u.pathname + u.search, method: arm.method || 'POST', headers: arm.headers || {} }, (res) => {
      let n = 0;
      res.on('data', (d) => { n += d.length; });
      res.on('end', () => resolve({ us: Number(process.hrtime.bigint() - t0) / 1000, status: res.statusCode, bytes: n }));
    });
    req.on('error', reject);
    if (arm.body) req.end(arm.body); else req.end();
  });
}

const median = (xs) => { const v = Float64Array.from(xs).sort(); const m = v.length >> 1; return v.length % 2 ? v[m] : (v[m - 1] + v[m]) / 2; };

// arms: { name: { url, method, headers, body } }. Returns, per arm, each
// round's block of latencies (lat, µs) and its median (blocks), the calls counted (n) and those
// of the warm-up rounds (warmN), and the count of non-200s. onBlock(name)
// is called before each block (the caller's own accounting).
async function alternate(arms, { rounds = 100, block = 50, gapMs = 120, warm = 2, onBlock = () => {} } = {}) {
  const names = Object.keys(arms);
  const agents = Object.fromEntries(names.map((n) => [n, new http.Agent({ keepAlive: true, maxSockets: 1 })]));
  const out = Object.fromEntries(names.map((n) => [n, { blocks: [], lat: [], bad: 0, n: 0, warmN: 0 }]));
  for (let r = -warm; r < rounds; r++) {
    const k = ((r % names.length) + names.length) % names.length;
    const order = names.slice(k).concat(names.slice(0, k));
    if (r % 2) order.reverse();
    for (const name of order) {
      const lat = [];
      onBlock(name);
      for (let i = 0; i < block; i++) {
        const x = await once(agents[name], arms[name]);
        if (x.status !== 200) out[name].bad++;
        lat.push(x.us);
      }
      if (r >= 0) { out[name].lat.push(lat); out[name].blocks.push(median(lat)); out[name].n += block; } else out[name].warmN += block;
      await sleep(gapMs);
    }
  }
  for (const a of Object.values(agents)) a.destroy();
  return out;
}

module.exports = { alternate, median };
