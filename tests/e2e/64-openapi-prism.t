#!/usr/bin/env node
// Issue 12: every tool of the full catalogue (curated + generated from the
// vendored schemas/openapi/openapi.json) called once through the official
// MCP SDK client against `prism mock` standing in for Cloudflare. Arguments
// come from each tool's own inputSchema (its required arguments, valid
// values). Prism validates each request against the spec: 0 rejected.
//
// The copy Prism serves has its security relaxed to the API token: the 2024
// spec declares only api_email+api_key for ~1,100 operations that accept API
// tokens in practice, and Prism answers 401 to a Bearer token for those.
// Otherwise the copy changes only where Prism refuses what an operation's
// own text says it takes, each printed ("test spec adjustment") with its
// reason below. Collapsed bodies are filled from
// describe_cloudflare_operation's full schema. The spec is vendored, so this never skips
// (only without a running stack or without Prism installed, as 62-prism.t).
'use strict';
const fs = require('fs');
const os = require('os');
const path = require('path');
const { spawn, execFileSync } = require('child_process');
const { Tap, stackEnv } = require('./lib');

const root = path.resolve(__dirname, '..', '..');
const vendored = path.join(root, 'schemas', 'openapi', 'openapi.json');
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const HEX32 = '023e105f4ecef8ad9ca31a8372d0c353';
const UUID = 'f174e90a-fafe-4643-bbbc-4a0ed4fc8415';

// A value the schema accepts, from its own keywords (the required parts
// only); ajv (a Prism dependency) checks candidates where there is a choice
// (oneOf/anyOf branches, strings under pattern/format/length).
const Ajv = require('ajv');
const addFormats = require('ajv-formats');
const ajv = new Ajv({ strict: false, allErrors: false, validateSchema: false });
addFormats(ajv);
const valid = (s, v) => { try { return ajv.validate(s, v); } catch { return true; } };

// Two schemas a property must both match (allOf members and the schema
// around them may each say something of it: hyperdrive's origin is the
// base origin plus a required password).
const both = (a, b) => (a === undefined ? b : b === undefined ? a : { allOf: [a, b] });

// allOf folded into one schema (properties and required joined).
function flatten(s) {
  if (!s || typeof s !== 'object' || !Array.isArray(s.allOf)) return s;
  const out = { ...s };
  const rest = []; // a second anyOf (members may each have one) waits for its turn
  delete out.allOf;
  for (const br0 of s.allOf) {
    const br = flatten(br0);
    for (const [k, v] of Object.entries(br)) {
      if ((k === 'anyOf' || k === 'oneOf' || k === 'allOf') && out[k] !== undefined) rest.push({ [k]: v });
      else if (k === 'properties') {
        const p = { ...(out.properties || {}) };
        for (const [pk, pv] of Object.entries(v)) p[pk] = both(p[pk], pv);
        out.properties = p;
      } else if (k === 'required') out.required = [...(out.required || []), ...v];
      else if (out[k] === undefined) out[k] = v;
    }
  }
  if (rest.length) out.allOf = rest;
  return out;
}

// full: every property of an object, not only the required ones (to tell
// oneOf branches apart where none is required).
// deep: full for nested objects too (branches told apart only by an
// optional member's enum, deeper down: Sippy's source.provider).
function gen(s0, name, depth = 0, full = false, deep = false) {
  const s = flatten(s0);
  if (!s || typeof s !== 'object' || depth > 12) return 'x';
  if (s.const !== undefined) return s.const;
  if (Array.isArray(s.enum)) return s.enum.find((v) => v !== null);
  if (s.default !== undefined && s.default !== null && typeof s.default !== 'object' && valid(s, s.default)) return s.default;
  for (const k of ['oneOf', 'anyOf']) {
    if (!Array.isArray(s[k])) continue;
    const base = { ...s };
    delete base[k];
    // The server's schemas say anyOf where the spec says oneOf (README
    // "the oneOf rule"); Prism reads the spec's oneOf as "exactly one", so
    // a value one member alone accepts is preferred.
    const one = (v) => s[k].filter((br) => valid(br, v)).length === 1;
    let any;
    for (const [f, dp] of [[false, false], [true, false], [true, true]])
      for (const br0 of s[k]) {
        const br = flatten(br0);
        const props = { ...(base.properties || {}) };
        for (const [pk, pv] of Object.entries(br.properties || {})) props[pk] = both(props[pk], pv);
        const v = gen({ ...base, ...br, properties: props,
          required: [...(base.required || []), ...(br.required || [])] }, name, depth + 1, f, dp);
        if (valid(s, v)) {
          if (one(v)) return v;
          if (any === undefined) any = v;
        }
      }
    for (const c of STRINGS) if (valid(s, c) && one(c)) return c; // told apart by length or format
    if (any !== undefined) return any;
    for (const c of STRINGS) if (valid(s, c)) return c; // branches told apart by length or format
    return gen(s[k][0], name, depth + 1);
  }
  let type = Array.isArray(s.type) ? s.type.find((x) => x !== 'null') : s.type;
  if (!type) type = s.properties || (s.required && s.required.length) ? 'object' : s.items ? 'array' : 'string';
  if (type === 'integer' || type === 'number') {
    let v = s.minimum !== undefined ? s.minimum : s.exclusiveMinimum !== undefined ? s.exclusiveMinimum + 1 : 1;
    if (s.maximum !== undefined && v > s.maximum) v = s.maximum;
    return type === 'integer' ? Math.ceil(v) : v;
  }
  if (type === 'boolean') return true;
  if (type === 'array') {
    const n = Math.max(s.minItems || 0, 1);
    const out = [];
    for (let i = 0; i < n; i++) out.push(gen(s.items || { type: 'string' }, name, depth + 1));
    return out;
  }
  if (type === 'object') {
    const o = {};
    const keys = full ? Object.keys(s.properties || {}) : s.required || [];
    for (const k of keys) o[k] = gen((s.properties || {})[k], k, depth + 1, deep, deep);
    if (!full && !valid(s, o)) return gen(s, name, depth, true);
    return o;
  }
  return genString(s, name);
}

const STRINGS = [HEX32, UUID, 'example.com', 'abc', 'example', '1', '2024-01-01T00:00:00Z', '192.0.2.1', '192.0.2.0/24',
  'user@example.com', 'https://example.com/', 'a1', 'A', 'ab-c', '1.0', 'US', 'en', '2024-01-01', '/path', 'a.example.com',
  '00000000-0000-0000-0000-000000000000', '*.example.com', 'x'.repeat(36)];

function genString(s, name) {
  const byFormat = { uuid: UUID, 'date-time': '2024-01-01T00:00:00Z', date: '2024-01-01', email: 'user@example.com',
    ipv4: '192.0.2.1', ipv6: '2001:db8::1', uri: 'https://example.com/', url: 'https://example.com/', hostname: 'example.com' };
  const cands = [];
  if (byFormat[s.format]) cands.push(byFormat[s.format]);
  if (/(^|_)(id|identifier|tag)$/.test(name || '')) cands.push(HEX32);
  cands.push(...STRINGS);
  for (const c of cands) if (valid({ ...s, type: 'string' }, c)) return c;
  return 'a'.repeat(Math.max(s.minLength || 1, 1));
}

function argsFor(tool) {
  const is = tool.inputSchema || {};
  const a = {};
  for (const k of is.required || []) a[k] = gen((is.properties || {})[k], k);
  return a;
}

(async () => {
  const t = new Tap();
  const env = stackEnv(t);
  const node22 = path.join(root, 'tests', 'node_modules', 'node22', 'bin', 'node');
  const prismJs = path.join(root, 'tests', 'node_modules', '@stoplight', 'prism-cli', 'dist', 'index.js');
  if (!fs.existsSync(node22) || !fs.existsSync(prismJs)) t.skipAll('Prism or Node 22 not installed (npm ci in tests/)');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cfmcp-oaprism-'));
  // The relaxed copy: every operation (and the default) takes the API token.
  const spec = JSON.parse(fs.readFileSync(vendored, 'utf8'));
  spec.security = [{ api_token: [] }];
  for (const item of Object.values(spec.paths))
    for (const [m, op] of Object.entries(item))
      if (op && typeof op === 'object' && m !== 'parameters') op.security = [{ api_token: [] }];
  // Per-operation adjustments where Prism refuses what the spec's own text
  // says the operation takes (each printed):
  // - PUT /zones/{zone_id}/bot_management: the description says it updates
  //   Bot Fight Mode, Super Bot Fight Mode or Bot Management for
  //   Enterprise, but the body is a oneOf whose members extend each other
  //   (SBFM Biz = allOf[SBFM Pro, ...], every member = allOf[base, ...], no
  //   additionalProperties), so any body for one plan matches every member
  //   and Prism's "exactly one" refuses all of them (422 to {} and to
  //   {"fight_mode":true}); anyOf there, as the server reads every oneOf
  //   (README "the oneOf rule").
  const adjust = [['put', '/zones/{zone_id}/bot_management', (op) => {
    const js = op.requestBody.content['application/json'];
    const ref = js.schema.$ref;
    const b = ref ? spec.components.schemas[ref.replace('#/components/schemas/', '')] : js.schema;
    if (!b || !Array.isArray(b.oneOf)) return false;
    const { oneOf, ...rest } = b;
    js.schema = { ...rest, anyOf: oneOf }; // this operation's copy only
    return true;
  }, 'request body oneOf -> anyOf (members extend each other: every body matches them all)']];
  // - the DNS record create, overwrite and edit: the 2024 file's request
  //   body there is its response schema: it requires id, proxiable,
  //   created_on and modified_on, which Cloudflare assigns, and PATCH
  //   requires the whole record. openapi-core.json (vendored, 62-prism.t)
  //   carries the fix made when it was cut from this file
  //   (info.x-cfmcp-trimmed): its request schemas, used for these three.
  const core = JSON.parse(fs.readFileSync(path.join(root, 'schemas', 'openapi', 'openapi-core.json'), 'utf8'));
  const dnsBody = (name) => (op) => {
    const js = op.requestBody && op.requestBody.content && op.requestBody.content['application/json'];
    if (!js || js.schema.$ref !== '#/components/schemas/dns-records_dns-record' || !core.components.schemas[name]) return false;
    spec.components.schemas[name] = core.components.schemas[name];
    js.schema = { $ref: `#/components/schemas/${name}` };
    return true;
  };
  const dnsWhy = 'request body dns-records_dns-record (the response schema: id and server-set fields required) -> ';
  adjust.push(['post', '/zones/{zone_id}/dns_records', dnsBody('cfmcp_dns-record-request'), dnsWhy + 'openapi-core.json cfmcp_dns-record-request (the record without its read-only fields)'],
    ['put', '/zones/{zone_id}/dns_records/{dns_record_id}', dnsBody('cfmcp_dns-record-request'), dnsWhy + 'openapi-core.json cfmcp_dns-record-request'],
    ['patch', '/zones/{zone_id}/dns_records/{dns_record_id}', dnsBody('cfmcp_dns-record-patch'), dnsWhy + 'openapi-core.json cfmcp_dns-record-patch (a partial record, as the live API takes)']);
  // - the curated audit logs v2 route, which the 2024-08 file lacks: the
  //   project's hand-written overlay (schemas/openapi/SOURCE) adds it
  const overlay = JSON.parse(fs.readFileSync(path.join(root, 'schemas', 'openapi', 'overlay-audit-logs-v2.json'), 'utf8'));
  for (const [p, item] of Object.entries(overlay.paths)) {
    if (spec.paths[p]) { t.diag(`test spec adjustment: ${p}: NOT APPLIED (the spec has it now: drop the overlay)`); continue; }
    for (const op of Object.values(item)) if (op && typeof op === 'object') op.security = [{ api_token: [] }];
    spec.paths[p] = item;
    t.diag(`test spec adjustment: ${Object.keys(item).map((m) => m.toUpperCase()).join(', ')} ${p}: added from overlay-audit-logs-v2.json (hand-written; absent from the 2024-08 file)`);
  }
  Object.assign(spec.components.schemas, overlay.components.schemas);
  for (const [m, p, f, why] of adjust) {
    const done = spec.paths[p] && spec.paths[p][m] && f(spec.paths[p][m]);
    t.diag(`test spec adjustment: ${m.toUpperCase()} ${p}: ${why}${done ? '' : ' (NOT APPLIED: the spec changed)'}`);
  }
  const relaxed = path.join(dir, 'openapi-token.json');
  fs.writeFileSync(relaxed, JSON.stringify(spec));
  let port = Number(execFileSync('node', ['-e',
    "const s=require('net').createServer();s.listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})"], { encoding: 'utf8' }));
  const prismLogPath = path.join(dir, 'prism.log');
  const prismLog = fs.openSync(prismLogPath, 'w');
  // OAPRISM_PORT: a prism mock already running (a quicker loop by hand)
  // readonly-preload.js: a narrow fix of a Prism bug (readOnly members of
  // oneOf/anyOf/allOf still required in requests); the file says why.
  const preload = path.join(__dirname, 'prism', 'readonly-preload.js');
  const prism = process.env.OAPRISM_PORT ? null : spawn(node22, ['-r', preload, prismJs, 'mock', '-h', '127.0.0.1', '-p', String(port), relaxed],
    { stdio: ['ignore', prismLog, prismLog] });
  if (!prism) port = Number(process.env.OAPRISM_PORT);
  const stackSh = (cmd, extra) => execFileSync('sh', ['-c', `. "$ROOT/tests/lib/stack.sh" && ${cmd}`],
    { env: { ...process.env, ROOT: root, ...extra }, encoding: 'utf8' });
  const d2 = path.join(dir, 'stack');
  fs.mkdirSync(d2);
  try {
    let up = false;
    for (let i = 0; i < 1200 && !up; i++) {
      try { await fetch(`http://127.0.0.1:${port}/user/tokens/verify`, { headers: { Authorization: `Bearer ${env.SIM_TOKEN}` } }); up = true; }
      catch { await sleep(100); }
    }
    if (!t.ok(up, 'prism mock of the vendored spec (security relaxed to the API token) is up'))
      t.diag(fs.readFileSync(prismLogPath, 'utf8').slice(-2000));
    // A second stack: the full catalogue, Prism as its upstream.
    // The account id is 32 decimal digits: a Cloudflare account id is 32
    // hex digits, and the 2024 spec types account_id as an integer for the
    // Workers AI operations (/accounts/{account_id}/ai/...), so Prism
    // refuses a hex one there; this id is valid under both readings.
    stackSh('stack_start "$D2" >/dev/null', { D2: d2, STACK_UPSTREAM_URL: `http://127.0.0.1:${port}`,
      STACK_CF_ACCOUNT_ID: '10203040506070809000102030405060',
      STACK_CF_TOKEN: env.SIM_TOKEN, STACK_WORKERS: '4', CFMCP_OPENAPI: vendored, CFMCP_TOOLS_PAGE_SIZE: '200', CFMCP_UPSTREAM_TIMEOUT_MS: '20000' });
    const env2 = {};
    for (const line of fs.readFileSync(path.join(d2, 'env'), 'utf8').split('\n')) {
      const m = /^(\w+)='(.*)'$/.exec(line);
      if (m) env2[m[1]] = m[2];
    }
    const token = stackSh('stack_mint_token', env2).trim();
    // tool_mode tools: auto (the default) serves a scope this size in
    // discovery mode (README "Discovery mode: tool_mode"); this test calls
    // every tool by its own name.
    execFileSync('redis-cli', ['-s', env2.REDIS_SOCK, 'HSET',
      `cfmcp:mcp:${require('crypto').createHash('sha256').update(token).digest('hex')}`, 'tool_mode', 'tools']);
    const { Client } = require('@modelcontextprotocol/sdk/client/index.js');
    const { StreamableHTTPClientTransport } = require('@modelcontextprotocol/sdk/client/streamableHttp.js');
    const connect = async () => {
      const c = new Client({ name: 'cfmcp-e2e-openapi-prism', version: '1.0.0' });
      await c.connect(new StreamableHTTPClientTransport(new URL(`${env2.CFMCP_BASE}/mcp/${token}`)));
      return c;
    };
    const lister = await connect();
    const tools = [];
    let cursor;
    do {
      const r = await lister.listTools(cursor ? { cursor } : {});
      tools.push(...r.tools);
      cursor = r.nextCursor;
    } while (cursor);
    await lister.close();
    t.ok(tools.length >= 1420, `tools/list of a default-scope token pages through the full catalogue (${tools.length} tools)`);
    // By hand: OAPRISM_TOOLS=FILE writes the listed tools; OAPRISM_ONLY=RE
    // calls only the tools whose name matches (the counts then fail).
    if (process.env.OAPRISM_TOOLS) fs.writeFileSync(process.env.OAPRISM_TOOLS, JSON.stringify(tools));
    if (process.env.OAPRISM_ONLY) tools.splice(0, tools.length, ...tools.filter((x) => new RegExp(process.env.OAPRISM_ONLY).test(x.name)));

    // A collapsed body (tools/list keeps each tool's schema small) is
    // filled from describe_cloudflare_operation's full schema, as a model
    // is told to: a second token in discovery mode (auto, the default).
    const dtoken = stackSh('stack_mint_token', env2).trim();
    const describer = new Client({ name: 'cfmcp-e2e-openapi-prism-describe', version: '1.0.0' });
    await describer.connect(new StreamableHTTPClientTransport(new URL(`${env2.CFMCP_BASE}/mcp/${dtoken}`)));
    const NOTE = /describe_cloudflare_operation gives its full shape/g;
    const notes = (x) => (JSON.stringify(x).match(NOTE) || []).length;
    const collapsed = tools.filter((x) => notes(x.inputSchema) > 0);
    let described = 0, whole = 0, fullBytes = 0;
    for (const tool of collapsed) {
      const r = await describer.callTool({ name: 'describe_cloudflare_operation', arguments: { name: tool.name } });
      const d = r.structuredContent || JSON.parse(r.content[0].text);
      // deeper than OPENAPI_FULL_MAX_DEPTH stays collapsed (README), so
      // "uncollapsed" is: fewer notes, or more of the schema than
      // tools/list shows (a note short of 9 levels becomes many below)
      const [dn, ln] = [JSON.stringify(d && d.inputSchema), JSON.stringify(tool.inputSchema)];
      if (!r.isError && d && d.inputSchema && (notes(d.inputSchema) < notes(tool.inputSchema) || dn.length > ln.length)) {
        described++;
        if (!notes(d.inputSchema)) whole++;
        tool.inputSchema = d.inputSchema;
        fullBytes = Math.max(fullBytes, JSON.stringify(d.inputSchema).length);
      }
    }
    // Where each tool goes (describe's method and path): a curated tool
    // whose route the 2024 file lacks cannot be validated by Prism (it
    // answers 404 "no path matched"); it is called and counted apart.
    const tmpl = (p) => p.replace(/\{[^}]*\}/g, '{}');
    const specRoutes = new Set();
    for (const [p, item] of Object.entries(spec.paths))
      for (const m of Object.keys(item)) specRoutes.add(`${m.toUpperCase()} ${tmpl(p)}`);
    const noRoute = new Set();
    for (const tool of tools) {
      const r = await describer.callTool({ name: 'describe_cloudflare_operation', arguments: { name: tool.name } });
      const d = r.structuredContent || {};
      if (d.method && d.path && !specRoutes.has(`${d.method} ${tmpl(d.path)}`)) {
        noRoute.add(tool.name);
        t.diag(`not in the vendored spec, so not validated by Prism: ${tool.name} (${d.method} ${d.path})`);
      }
    }
    await describer.close();
    t.ok(described === collapsed.length && collapsed.length > 0, 'describe_cloudflare_operation uncollapses the body of every ' +
      `tool tools/list collapses (${described} of ${collapsed.length}; ${whole} with nothing left collapsed; largest ${fullBytes} bytes)`);

    // Every tool once, 6 clients in parallel.
    const counts = { called: 0, accepted: 0, rejected: 0, refused_locally: 0, malformed: 0, unvalidated: 0 };
    const bad = [];
    let next = 0;
    const worker = async () => {
      const c = await connect();
      while (next < tools.length) {
        const tool = tools[next++];
        const args = argsFor(tool);
        let res;
        counts.called++;
        try { res = await c.callTool({ name: tool.name, arguments: args }); } catch (e) {
          counts.malformed++;
          bad.push({ name: tool.name, why: 'not a tool result: ' + String(e).slice(0, 200) });
          continue;
        }
        const okShape = res && Array.isArray(res.content) && res.content.length > 0 &&
          res.content.every((x) => x.type === 'text' && typeof x.text === 'string');
        if (!okShape) {
          counts.malformed++;
          bad.push({ name: tool.name, why: 'malformed result', res: JSON.stringify(res).slice(0, 300) });
          continue;
        }
        const st = res.structuredContent && res.structuredContent.status;
        if (noRoute.has(tool.name)) {
          counts.unvalidated++;
        } else if (res.isError && (st === 422 || st === 400 || st === 401 || st === 403 || st === 404 || st === 405)) {
          counts.rejected++;
          bad.push({ name: tool.name, why: `Prism answered ${st}`, args, text: res.content[0].text.slice(0, 300) });
        } else if (res.isError && st === undefined && !/Cloudflare answered/.test(res.content[0].text)) {
          counts.refused_locally++;
          bad.push({ name: tool.name, why: 'refused by the server', args, text: res.content[0].text.slice(0, 300) });
        } else {
          counts.accepted++;
        }
      }
      await c.close();
    };
    await Promise.all(Array.from({ length: 6 }, worker));
    t.diag(`called ${counts.called}, accepted ${counts.accepted}, rejected by Prism ${counts.rejected}, ` +
      `refused by the server ${counts.refused_locally}, malformed ${counts.malformed}, ` +
      `not validated (route not in the spec) ${counts.unvalidated}, skipped 0`);
    t.ok(counts.called === tools.length, `every tool called once (${counts.called})`);
    t.ok(counts.malformed === 0, 'every answer is a well-formed tool result', bad.filter((b) => /result/.test(b.why)).slice(0, 20));
    // The acceptance goal: 0 and 0, both plain assertions.
    t.ok(counts.rejected === 0, `Prism rejected no request (${counts.rejected})`,
      bad.filter((b) => /Prism/.test(b.why)).map((b) => b.name));
    t.ok(counts.refused_locally === 0, `the server refused no argument set generated from its own schema (${counts.refused_locally})`,
      bad.filter((b) => /server/.test(b.why)).map((b) => `${b.name}: ${b.text.replace(/^.*?: /, '').slice(0, 120)}`));
    t.ok(noRoute.size === 0, `every tool's route is in the spec Prism serves (${noRoute.size} missing: ${[...noRoute].join(', ')})`);
    t.ok(counts.accepted >= 1400, `at least 1,400 of the calls accepted (${counts.accepted})`);
    if (process.env.OAPRISM_DUMP) fs.writeFileSync(process.env.OAPRISM_DUMP, JSON.stringify(bad, null, 1));
  } finally {
    try { stackSh('stack_stop "$D2"', { D2: d2 }); } catch { /* already down */ }
    if (prism) prism.kill('SIGTERM');
    fs.rmSync(dir, { recursive: true, force: true });
  }
  t.done();
})().catch((e) => (require('./lib').Tap.current || new (require('./lib').Tap)()).bail(e));
