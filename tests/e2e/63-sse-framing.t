#!/usr/bin/env node
// bug_sse_multiline_frame (issue 11, bug 3): an upstream answer that
// pretty-prints puts raw line breaks into structuredContent; with an
// SSE-only Accept each line of the answer must be its own "data:" line, or
// the event splits and the client reads half a JSON document. Read through
// the real stack with the event-stream parser the MCP SDK clients use.
'use strict';
const { Tap, stackEnv, mintToken, post, sim } = require('./lib');
const { createParser } = require('eventsource-parser');

// The events a client sees in an event-stream body.
function events(text) {
  const out = [];
  const p = createParser({ onEvent: (e) => out.push(e) });
  p.feed(text);
  return out;
}

(async () => {
  const t = new Tap();
  const env = stackEnv(t);
  const tok = mintToken(env);
  const body = { jsonrpc: '2.0', id: 1, method: 'tools/call',
    params: { name: 'list_all_cloudflare_zones', arguments: { limit: 5 } } };
  const call = async (accept, fault) => {
    await sim(env, 'reset', {});
    if (fault) await sim(env, 'fault', { match: '/zones', ...fault });
    return post(env, tok, body, { 'MCP-Protocol-Version': '2025-06-18', Accept: accept });
  };

  // What the model should get: the compact upstream answer, as JSON.
  const plain = await call('application/json');
  // (ratelimit figures change from call to call: compare the rest)
  const same = (sc) => sc ? JSON.stringify({ result: sc.result, next_cursor: sc.next_cursor }) : 'none';
  const sc0 = plain.json && plain.json.result && plain.json.result.structuredContent;
  t.ok(sc0 && Array.isArray(sc0.result) && sc0.result.length > 0 && 'next_cursor' in sc0,
    'compact upstream, JSON answer: a zone list', plain.text.slice(0, 300));
  const want = same(sc0);

  for (const [eol, label] of [['\n', 'LF'], ['\r\n', 'CRLF'], ['\r', 'CR']]) {
    // The switch works: pretty-printed upstream bytes reach the answer raw.
    const j = await call('application/json', { kind: 'pretty', eol });
    t.ok(j.status === 200 && j.text.includes(eol === '\r' ? '\r' : '\n') && j.json &&
      same(j.json.result.structuredContent) === want,
      `pretty upstream (${label}), JSON answer: raw line breaks only as whitespace, same result`, j.text.slice(0, 300));

    const r = await call('text/event-stream', { kind: 'pretty', eol });
    t.is(r.headers.get('content-type'), 'text/event-stream', `bug_sse_multiline_frame (${label}): an event stream`);
    const ev = events(r.text);
    t.is(ev.length, 1, `bug_sse_multiline_frame (${label}): exactly one event`);
    let msg = null;
    try { msg = JSON.parse(ev[0].data); } catch { /* reported below */ }
    t.ok(msg && msg.id === 1 && msg.result && same(msg.result.structuredContent) === want,
      `bug_sse_multiline_frame (${label}): the event's data parses to the same tool result`, r.text.slice(0, 400));
    t.ok(r.text.split(/\r\n|\r|\n/).slice(0, -2).every((l) => l === 'event: message' || l.startsWith('data: ')),
      `bug_sse_multiline_frame (${label}): every line of the event is a field line`);
  }
  t.done();
})().catch((e) => (require('./lib').Tap.current || new (require('./lib').Tap)()).bail(e));
