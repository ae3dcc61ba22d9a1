#!/usr/bin/env node
// Issue 4: what the model and the HTTP client see when Cloudflare rate-limits,
// fails, hangs, resets or answers junk; each case sends exactly one upstream
// request (no retry, no backoff). Also result bounding (CFMCP_RESULT_MAX).
'use strict';
const { Tap, stackEnv, mintToken, post, sim } = require('./lib');

(async () => {
  const t = new Tap();
  const env = stackEnv(t);
  const tok = mintToken(env);
  const call = (args = { limit: 5 }) => post(env, tok, { jsonrpc: '2.0', id: 1, method: 'tools/call',
    params: { name: 'list_all_cloudflare_zones', arguments: args } }, { 'MCP-Protocol-Version': '2025-06-18' });
  const once = async (fault, args) => {
    await sim(env, 'reset', {});
    if (fault) await sim(env, 'fault', { match: '/zones', ...fault });
    const t0 = Date.now();
    const r = await call(args);
    return { r, res: r.json && r.json.result, ms: Date.now() - t0, log: await sim(env, 'log') };
  };

  // 429 in each header form: passed straight back, normalized.
  for (const [form, want] of [
    ['ietf', { limit: '1200', remaining: '0', reset: '30' }],      // Ratelimit + Ratelimit-Policy + Retry-After
    ['x', { limit: '1200', remaining: '0', reset: null }],         // x-ratelimit-* with an RFC 1123 reset date
    ['retry-only', { limit: null, remaining: null, reset: '30' }], // only Retry-After
  ]) {
    const { r, res, log } = await once({ kind: '429', form });
    t.is(log.length, 1, `429 (${form}): exactly one upstream request, no retry`);
    t.ok(r.status === 200 && res && res.isError === true && res.structuredContent.status === 429 &&
      res.structuredContent.errors[0].code === 971, `429 (${form}): isError result with status 429 and Cloudflare's error`, r.text);
    t.ok(/rate limit/i.test(res.content[0].text), `429 (${form}): the text tells the model it was rate-limited`);
    const h = (n) => r.headers.get(n);
    t.ok((want.limit === null || h('ratelimit-limit') === want.limit) && (want.remaining === null || h('ratelimit-remaining') === want.remaining),
      `429 (${form}): ratelimit-limit/remaining headers`, { limit: h('ratelimit-limit'), remaining: h('ratelimit-remaining') });
    if (want.reset) t.is(h('ratelimit-reset'), want.reset, `429 (${form}): ratelimit-reset ${want.reset}`);
    else t.ok(Number(h('ratelimit-reset')) > 0 && Number(h('ratelimit-reset')) <= 31, `429 (${form}): ratelimit-reset from the reset date (${h('ratelimit-reset')})`);
    t.ok(h('retry-after') === h('ratelimit-reset'), `429 (${form}): Retry-After on our answer`);
    t.ok(res.structuredContent.ratelimit && String(res.structuredContent.ratelimit.reset) === h('ratelimit-reset'),
      `429 (${form}): the same figures in the tool result`, res.structuredContent.ratelimit);
  }
  // Success answers carry the figures too.
  let o = await once(null);
  t.ok(o.r.headers.get('ratelimit-limit') === '1200' && o.res.structuredContent.ratelimit.limit === 1200,
    'a normal answer carries ratelimit-* headers and figures');

  for (const [kind, re] of [['500', /HTTP 500/], ['503', /HTTP 503/],
    ['malformed', /not a Cloudflare JSON envelope/], ['html', /HTTP 502.*not a Cloudflare JSON envelope/],
    ['huge', /larger than this server accepts/]]) {
    o = await once({ kind });
    t.ok(o.res && o.res.isError === true && re.test(o.res.content[0].text), `${kind}: isError result that says so`,
      o.r.text.slice(0, 300));
    t.is(o.log.length, 1, `${kind}: exactly one upstream request`);
  }
  // Connection reset. A write is sent once, never replayed (it runs on a
  // fresh connection). A read on a reused keep-alive connection that dies
  // before answering is replayed once by libcurl (the classic stale
  // keep-alive race); a reset on both attempts is reported.
  await sim(env, 'reset', {});
  await sim(env, 'fault', { match: '/zones/', kind: 'reset' });
  const w = await post(env, tok, { jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'create_a_cloudflare_dns_record',
    arguments: { zone_id: 'aad9930b9d65bfc3a47abe3e97198baf', body: { type: 'A', name: 'reset.example.com', content: '192.0.2.9' } } } });
  let wlog = await sim(env, 'log');
  t.ok(w.json.result.isError === true && /could not reach/i.test(w.json.result.content[0].text), 'reset on a write: isError result', w.text);
  t.is(wlog.length, 1, 'reset on a write: exactly one upstream request (never replayed)');
  o = await once({ kind: 'reset', times: 2 });
  t.ok(o.res && o.res.isError === true && /could not reach/i.test(o.res.content[0].text), 'reset on a read: isError result', o.r.text.slice(0, 200));
  t.ok(o.log.length === 1 || o.log.length === 2,
    `reset on a read: ${o.log.length} upstream request(s) (a reused connection is replayed at most once)`);
  o = await once({ kind: '500' });
  t.ok(o.res.structuredContent.errors[0].code === 10000 && o.res.structuredContent.status === 500,
    '5xx: status and Cloudflare error codes reach the model');
  o = await once({ kind: 'delay', delay_ms: 6000 });
  t.ok(o.res && o.res.isError === true && /did not answer in time/.test(o.res.content[0].text),
    `hang: bounded by the upstream timeout (${o.ms} ms), isError result`, o.r.text);
  t.is(o.log.length, 1, 'hang: exactly one upstream request');

  // Bounded results: 400 items of ~1 KiB do not fit 100 KB; the answer is cut, valid, and says so.
  o = await once({ kind: 'bigresult', items: 400 }, { limit: 50 });
  const sc = o.res && o.res.structuredContent;
  const text = o.res && o.res.content[0].text;
  t.ok(sc && sc.truncated === true && /omitted/.test(sc.note) && /smaller limit/.test(sc.note), 'big result: truncated with a note saying how to get the rest', sc && sc.note);
  t.ok(text.length <= 100 * 1024 && JSON.parse(text).result.length === sc.result.length && sc.result.length > 0 && sc.result.length < 400,
    `big result: text is valid JSON within 100 KB (${text.length} bytes, ${sc.result.length} items kept)`);
  t.ok(typeof sc.next_cursor === 'string', 'big result: next_cursor still offered');
  t.done();
})().catch((e) => (require('./lib').Tap.current || new (require('./lib').Tap)()).bail(e));
