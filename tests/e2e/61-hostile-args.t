#!/usr/bin/env node
// Issue 4: hostile values in every parameter of every tool. A parameter with
// a form (pattern, enum, non-string type) refuses them all and nothing is
// sent upstream. A free-text query value may hold ?, # or %2f, but only as
// data: it reaches Cloudflare as exactly that value, with no extra query
// parameter and the path unchanged. CR/LF, overlong strings, wrong types and
// unknown properties are refused everywhere. ".", "..", "%2e%2e" and ".%2e"
// (issue 11) are refused in a path; in a query value they are plain data.
'use strict';
const { Tap, stackEnv, mintToken, post, sim, simId } = require('./lib');

(async () => {
  const t = new Tap();
  const env = stackEnv(t);
  const tok = mintToken(env);
  let id = 1;
  const rpc = (method, params) => post(env, tok, { jsonrpc: '2.0', id: id++, method, params }, { 'MCP-Protocol-Version': '2025-06-18' });
  const tools = [];
  for (let cursor, i = 0; i < 50; i++) {
    const r = (await rpc('tools/list', cursor ? { cursor } : {})).json.result;
    tools.push(...r.tools);
    if (!(cursor = r.nextCursor)) break;
  }
  const Z = simId('zone:example.com');
  const valid = (name, s) => {
    if (name === 'setting_id') return 'ssl';
    if (name === 'since' || name === 'before') return name === 'since' ? '2026-11-24' : '2026-11-26';
    if (name === 'zone_id') return Z;
    if (name === 'body') return { type: 'A', name: 'h.example.com', content: '192.0.2.1' };
    if (s.pattern === '^[0-9a-f]{32}$') return simId('x');
    return undefined;
  };
  const hostile = [['path traversal', '../../user/tokens'], ['?', 'a?b=c'], ['#', 'a#b'], ['%2f', 'a%2fb'],
    ['CR/LF', 'a\r\nX-Injected: 1'], ['overlong', 'x'.repeat(5000)], ['number for a string', 12345], ['object', { a: 1 }],
    ['dot .', '.'], ['dot ..', '..'], ['dot %2e%2e', '%2e%2e'], ['dot .%2e', '.%2e']];
  let refusedCases = 0, literalCases = 0, bad = [];
  for (const tool of tools) {
    const props = tool.inputSchema.properties;
    const base = {};
    for (const req of tool.inputSchema.required || []) base[req] = valid(req, props[req]);
    for (const [pname, ps] of Object.entries(props)) {
      if (pname === 'limit' || pname === 'next_cursor') continue;
      const hasForm = ps.pattern || ps.enum || (ps.type && ps.type !== 'string');
      const isQuery = !new RegExp(`\\{${pname.replace(/\./g, '\\.')}\\}`).test(JSON.stringify(tool)) && pname !== 'body' &&
        !(tool.inputSchema.required || []).includes(pname) && !/_id$/.test(pname);
      for (const [hname, hv] of hostile) {
        await sim(env, 'reset', {});
        const r = await rpc('tools/call', { name: tool.name, arguments: { ...base, [pname]: hv } });
        const res = r.json && r.json.result;
        const log = await sim(env, 'log');
        const literalOk = isQuery && !hasForm && typeof hv === 'string' && !/[\r\n]/.test(hv) && hv.length <= 4096;
        if (literalOk) {
          literalCases++;
          const q = log.length === 1 ? new URLSearchParams(log[0].query) : null;
          if (!(res && res.isError === false && q && q.get(pname) === hv && [...q.keys()].filter((k) => k === pname).length === 1 &&
            !q.has('b') && !q.has('b=c') && log[0].path.indexOf('?') < 0))
            bad.push(`${tool.name}.${pname} ${hname}: not passed literally (${JSON.stringify(log[0] || null)})`);
        } else {
          // a dot value is never a path segment: refused, or (a query
          // parameter whose pattern admits dots) sent only as that value
          const dotData = hname.startsWith('dot ') && res && res.isError === false && log.length === 1 &&
            new URLSearchParams(log[0].query).get(pname) === hv;
          refusedCases++;
          if (!dotData && !(res && res.isError === true && /Invalid arguments/.test(res.content[0].text) && log.length === 0))
            bad.push(`${tool.name}.${pname} ${hname}: not refused (${log.length} upstream, ${r.text.slice(0, 160)})`);
        }
      }
    }
    // an unknown property, and the body with an unknown field
    await sim(env, 'reset', {});
    const u = (await rpc('tools/call', { name: tool.name, arguments: { ...base, 'zone_id/../x': 1 } })).json.result;
    if (!(u.isError && (await sim(env, 'log')).length === 0)) bad.push(`${tool.name}: unknown property not refused`);
    refusedCases++;
    if (props.body) {
      const b = (await rpc('tools/call', { name: tool.name, arguments: { ...base, body: { ...(base.body || {}), evil: true } } })).json.result;
      if (!(b.isError && (await sim(env, 'log')).length === 0)) bad.push(`${tool.name}: unknown body field not refused`);
      refusedCases++;
    }
  }
  // bug_url_too_long (issue 11), end to end at N and N+1: a dns_records
  // content whose percent-encoding brings the request target (path, '?',
  // query) to exactly CAP_URL_TARGET bytes reaches Cloudflare whole; one
  // byte more is a tool error naming content, with nothing sent. Before the
  // fix 4,096 "€" (36 KiB encoded) ended as HTTP 500 "out of memory".
  {
    const CAP = 15 * 1024; // common/caps.h CAP_URL_TARGET
    const call = async (content) => {
      await sim(env, 'reset', {});
      const r = await rpc('tools/call', { name: 'list_all_cloudflare_dns_records', arguments: { zone_id: Z, content } });
      return { r, res: r.json && r.json.result, log: await sim(env, 'log') };
    };
    const target = (e) => e.path.length + 1 + e.query.length;
    const big = await call('€'.repeat(4096));
    t.ok(big.r.status === 200 && big.res && big.res.isError === true && /content is too long/.test(big.res.content[0].text) &&
      big.log.length === 0, 'bug_url_too_long: 4,096 "€" in content -> isError naming content, nothing sent', big.r.text.slice(0, 300));
    const small = await call('a');
    if (t.ok(small.log.length === 1, 'bug_url_too_long: a short content is sent (to measure the fixed part)')) {
      const room = CAP - (target(small.log[0]) - 1); // "€" is 9 bytes encoded
      const n = (await call('€'.repeat(Math.floor(room / 9)) + 'a'.repeat(room % 9)));
      t.ok(n.res && n.res.isError === false && n.log.length === 1 && target(n.log[0]) === CAP,
        `bug_url_too_long: a request target of exactly ${CAP} bytes reaches Cloudflare`, { got: n.r.text.slice(0, 200), sent: n.log.map(target) });
      const n1 = (await call('€'.repeat(Math.floor(room / 9)) + 'a'.repeat(room % 9 + 1)));
      t.ok(n1.res && n1.res.isError === true && /shorten content/.test(n1.res.content[0].text) && n1.log.length === 0,
        `bug_url_too_long: ${CAP} + 1 bytes -> isError naming content, nothing sent`, n1.r.text.slice(0, 300));
    }
  }
  t.ok(refusedCases > 300, `${refusedCases} hostile cases that must be refused were tried`);
  t.ok(literalCases > 20, `${literalCases} free-text cases that must pass as literal data were tried`);
  t.is(bad.length, 0, 'every hostile argument was refused before anything was sent, or passed only as literal data');
  if (bad.length) t.diag(bad.slice(0, 30).join('\n'));
  t.done();
})().catch((e) => (require('./lib').Tap.current || new (require('./lib').Tap)()).bail(e));
