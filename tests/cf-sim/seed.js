// Seeded Cloudflare data for the simulator: deterministic ids (32 hex)
// derived from names, so tests can compute them.
'use strict';
const crypto = require('crypto');

const id = (s) => crypto.createHash('md5').update(s).digest('hex');

function build() {
  const accounts = [
    { id: id('account:acme'), name: 'Acme Corp', type: 'standard', created_on: '2023-01-05T10:00:00Z',
      settings: { enforce_twofactor: true } },
    { id: id('account:globex'), name: 'Globex', type: 'enterprise', created_on: '2022-03-01T08:00:00Z',
      settings: { enforce_twofactor: false } },
  ];
  const zones = [];
  const names = ['example.com', 'example.net', 'shop.example.org', 'acme.dev'];
  for (let i = 0; i < 26; i++) names.push(`site${String(i).padStart(2, '0')}.example.io`);
  names.forEach((name, i) => {
    const acct = accounts[i % 5 === 4 ? 1 : 0];
    zones.push({
      id: id('zone:' + name), name, status: i % 7 === 6 ? 'pending' : 'active', paused: false, type: 'full',
      development_mode: 0, name_servers: ['ada.ns.cloudflare.com', 'bob.ns.cloudflare.com'],
      original_name_servers: null, original_registrar: null, original_dnshost: null,
      created_on: '2024-01-01T00:00:00Z', modified_on: '2024-06-01T00:00:00Z', activated_on: '2024-01-02T00:00:00Z',
      meta: { step: 2, custom_certificate_quota: 0, page_rule_quota: 3, phishing_detected: false },
      owner: { id: id('user:owner'), type: 'user', email: 'owner@acme.example' },
      account: { id: acct.id, name: acct.name },
      permissions: ['#zone:read'], plan: { id: id('plan:free'), name: 'Free Website', price: 0, currency: 'USD' },
    });
  });
  const acme = accounts[0];
  const zoneByName = (n) => zones.find((z) => z.name === n);

  // Audit logs: a day and a half of changes, newest first; ids are 32 hex.
  const now = Date.parse(process.env.CF_SIM_NOW || '2026-11-25T12:00:00Z');
  const actions = ['login', 'rec_add', 'waf_rule_update', 'change_setting', 'rec_del', 'waf_rule_update', 'add'];
  const actors = [['alice@acme.example', '198.51.100.7'], ['bob@acme.example', '203.0.113.9'], ['ci@acme.example', '192.0.2.44']];
  const auditLogs = [];
  for (let i = 0; i < 36; i++) {
    const [email, ip] = actors[i % 3];
    const when = new Date(now - i * 3600 * 1000).toISOString().replace('.000', '');
    const z = zones[i % 4];
    auditLogs.push({ id: id('audit:' + i), action: { type: actions[i % actions.length], result: true },
      actor: { id: id('user:' + email), email, ip, type: 'user' }, interface: i % 2 ? 'API' : 'UI',
      metadata: { zone_name: z.name }, newValue: '', oldValue: '', owner: { id: acme.id },
      resource: { id: id('res:' + i), type: actions[i % actions.length].startsWith('rec') ? 'DNS_record' : 'zone' }, when });
  }
  const auditLogsV2 = auditLogs.map((e) => ({ id: e.id, account: { id: acme.id, name: acme.name },
    action: { description: e.action.type, result: 'success', time: e.when,
      type: e.action.type.endsWith('add') ? 'create' : e.action.type.endsWith('del') ? 'delete' : 'update' },
    actor: { id: e.actor.id, context: 'dash', email: e.actor.email, ip_address: e.actor.ip, type: 'user' },
    raw: { method: 'PATCH', status_code: 200, uri: '/client/v4/zones' }, resource: { id: e.resource.id, product: 'dns', scope: {}, type: e.resource.type },
    zone: { id: zoneByName(e.metadata.zone_name).id, name: e.metadata.zone_name } }));

  // Firewall rules: example.com has a rate-limiting rule that example.net lacks (WAF diff workflow).
  const fw = (zone, n, action, description, paused, expr) => ({ id: id(`fw:${zone}:${n}`), action, description, paused,
    priority: n, products: [], ref: '', filter: { id: id(`flt:${zone}:${n}`), expression: expr, paused: false } });
  const firewallRules = {
    [zoneByName('example.com').id]: [
      fw('example.com', 1, 'block', 'Block known bad bots', false, '(cf.client.bot and not cf.verified_bot)'),
      fw('example.com', 2, 'challenge', 'Rate limit /login (20 req/min)', false, '(http.request.uri.path eq "/login")'),
      fw('example.com', 3, 'allow', 'Office IPs', true, '(ip.src in {198.51.100.0/24})')],
    [zoneByName('example.net').id]: [
      fw('example.net', 1, 'block', 'Block known bad bots', false, '(cf.client.bot and not cf.verified_bot)'),
      fw('example.net', 3, 'allow', 'Office IPs', false, '(ip.src in {198.51.100.0/24})')],
  };
  const ruleset = (scope, name, kind, phase, rules) => ({ id: id(`rs:${scope}:${name}`), name, description: name + ' ruleset',
    kind, phase, version: '3', last_updated: '2026-10-01T10:00:00Z', rules });
  const rulesets = {};
  for (const z of zones.slice(0, 4)) {
    rulesets[z.id] = [
      ruleset(z.name, 'custom', 'zone', 'http_request_firewall_custom', [{ id: id('r1' + z.name), action: 'block',
        expression: '(ip.geoip.country eq "XX")', description: 'Block XX', enabled: true, ref: id('ref1' + z.name), version: '1', last_updated: '2026-10-01T10:00:00Z' }]),
      ruleset(z.name, 'ratelimit', 'zone', 'http_ratelimit', [{ id: id('r2' + z.name), action: 'block',
        expression: '(http.request.uri.path eq "/api")', description: 'API rate limit', enabled: z.name === 'example.com',
        ref: id('ref2' + z.name), version: '1', last_updated: '2026-10-01T10:00:00Z', ratelimit: { characteristics: ['ip.src'], period: 60, requests_per_period: 100 } }])];
  }
  const accountRulesets = { [acme.id]: [ruleset('acct', 'managed', 'root', 'http_request_firewall_managed', [])] };
  const dnsRecords = {};
  for (const z of zones.slice(0, 4)) {
    dnsRecords[z.id] = [
      { id: id(`dns:${z.name}:a`), type: 'A', name: z.name, content: '192.0.2.1', proxied: true, proxiable: true, ttl: 1, comment: '', tags: [], created_on: '2024-01-01T00:00:00Z', modified_on: '2024-01-01T00:00:00Z' },
      { id: id(`dns:${z.name}:www`), type: 'CNAME', name: 'www.' + z.name, content: z.name, proxied: true, proxiable: true, ttl: 1, comment: '', tags: [], created_on: '2024-01-01T00:00:00Z', modified_on: '2024-01-01T00:00:00Z' },
      { id: id(`dns:${z.name}:mx`), type: 'MX', name: z.name, content: 'mx.' + z.name, priority: 10, proxied: false, proxiable: false, ttl: 3600, comment: '', tags: [], created_on: '2024-01-01T00:00:00Z', modified_on: '2024-01-01T00:00:00Z' }];
  }
  const settingNames = ['always_online', 'always_use_https', 'min_tls_version', 'ssl', 'security_level', 'development_mode', 'waf'];
  const settingValues = { always_online: 'on', always_use_https: 'on', min_tls_version: '1.2', ssl: 'strict', security_level: 'medium', development_mode: 'off', waf: 'off' };
  const pageRules = (z) => [
    { id: id(`pr:${z}:1`), targets: [{ target: 'url', constraint: { operator: 'matches', value: `*${z}/images/*` } }],
      actions: [{ id: 'cache_level', value: 'cache_everything' }], priority: 1, status: 'active', created_on: '2024-01-01T00:00:00Z', modified_on: '2024-01-01T00:00:00Z' },
    { id: id(`pr:${z}:2`), targets: [{ target: 'url', constraint: { operator: 'matches', value: `*${z}/old/*` } }],
      actions: [{ id: 'forwarding_url', value: { url: `https://${z}/new/$1`, status_code: 301 } }], priority: 2, status: 'disabled', created_on: '2024-01-01T00:00:00Z', modified_on: '2024-01-01T00:00:00Z' }];
  const members = [
    { id: id('m:alice'), status: 'accepted', user: { id: id('u:alice'), email: 'alice@acme.example', first_name: 'Alice', last_name: 'A', two_factor_authentication_enabled: true }, roles: [{ id: id('role:admin'), name: 'Administrator', description: 'Can access the full account', permissions: [] }] },
    { id: id('m:bob'), status: 'accepted', user: { id: id('u:bob'), email: 'bob@acme.example', first_name: 'Bob', last_name: 'B', two_factor_authentication_enabled: false }, roles: [{ id: id('role:ro'), name: 'Administrator Read Only', description: 'Can view the full account', permissions: [] }] },
    { id: id('m:carol'), status: 'pending', user: { id: id('u:carol'), email: 'carol@acme.example', first_name: 'Carol', last_name: 'C', two_factor_authentication_enabled: false }, roles: [] }];
  return { accounts, zones, id, auditLogs, auditLogsV2, firewallRules, rulesets, accountRulesets, dnsRecords,
    settingNames, settingValues, pageRules, members };
}

const DNS_TYPES = ['A', 'AAAA', 'CNAME', 'MX', 'NS', 'PTR', 'TXT', 'CAA', 'CERT', 'DNSKEY', 'DS', 'HTTPS', 'LOC', 'NAPTR', 'SMIMEA', 'SRV', 'SSHFP', 'SVCB', 'TLSA', 'URI'];
const DNS_CONTENT = ['A', 'AAAA', 'CNAME', 'MX', 'NS', 'PTR', 'TXT'];

// Routes for the rest of the 25 operations (OPERATIONS.md), with the
// argument checks Cloudflare applies, so tests see wrong requests fail.
function extraRoutes(routes, h) {
  const { data, envelope, failure, pagePaged, cursorPaged, HEX32 } = h;
  const zoneOf = (zid) => (HEX32.test(zid) ? data.zones.find((z) => z.id === zid) : null);
  const needZone = (zid) => (HEX32.test(zid) ? (zoneOf(zid) ? null : failure(404, 1001, 'Invalid zone identifier'))
    : failure(400, 7003, 'Could not route to /zones/..., perhaps your object identifier is invalid?'));
  const needAccount = (aid) => (HEX32.test(aid) && data.accounts.some((a) => a.id === aid) ? null
    : failure(HEX32.test(aid) ? 404 : 400, 1003, 'Invalid account identifier'));
  const unknownParams = (q, allowed) => {
    for (const k of q.keys()) if (!allowed.includes(k)) return failure(400, 1001, `unknown query parameter ${k}`);
    return null;
  };
  const inWindow = (when, q) => (!q.get('since') || when >= q.get('since')) && (!q.get('before') || when < q.get('before'));

  routes.push(['GET', /^\/accounts\/([^/]+)\/audit_logs$/, (m, q) => {
    const bad = needAccount(m[1]) || unknownParams(q, ['id', 'export', 'action.type', 'actor.ip', 'actor.email', 'since', 'before', 'zone.name', 'direction', 'hide_user_logs', 'page', 'per_page']);
    if (bad) return bad;
    let l = data.auditLogs.filter((e) => inWindow(e.when, q));
    if (q.get('action.type')) l = l.filter((e) => e.action.type === q.get('action.type'));
    if (q.get('actor.email')) l = l.filter((e) => e.actor.email === q.get('actor.email'));
    if (q.get('actor.ip')) l = l.filter((e) => e.actor.ip === q.get('actor.ip'));
    if (q.get('zone.name')) l = l.filter((e) => e.metadata.zone_name === q.get('zone.name'));
    if (q.get('direction') === 'asc') l = [...l].reverse();
    return pagePaged(l, q, 100, 1, 1000);
  }]);
  routes.push(['GET', /^\/accounts\/([^/]+)\/logs\/audit$/, (m, q) => {
    const bad = needAccount(m[1]);
    if (bad) return bad;
    if (!q.get('since') || !q.get('before')) return [400, { success: false, errors: [{ message: 'since and before are required' }], result: null }];
    let l = data.auditLogsV2.filter((e) => inWindow(e.action.time, q));
    if (q.get('action_type')) l = l.filter((e) => e.action.type === q.get('action_type'));
    if (q.get('actor_email')) l = l.filter((e) => e.actor.email === q.get('actor_email'));
    if (q.get('zone_name')) l = l.filter((e) => e.zone.name === q.get('zone_name'));
    return cursorPaged(l, q, 100);
  }]);
  routes.push(['GET', /^\/zones\/([^/]+)\/firewall\/rules$/, (m, q) => {
    const bad = needZone(m[1]) || unknownParams(q, ['description', 'action', 'id', 'paused', 'page', 'per_page']);
    if (bad) return bad;
    let l = data.firewallRules[m[1]] || [];
    if (q.has('paused')) l = l.filter((r) => String(r.paused) === q.get('paused'));
    if (q.get('action')) l = l.filter((r) => r.action === q.get('action'));
    return pagePaged(l, q, 25, 5, 100);
  }]);
  routes.push(['GET', /^\/zones\/([^/]+)\/firewall\/rules\/([^/]+)$/, (m) => {
    const bad = needZone(m[1]);
    if (bad) return bad;
    const r = (data.firewallRules[m[1]] || []).find((x) => x.id === m[2]);
    return r ? [200, envelope(r)] : failure(404, 10009, 'firewallrules.api.not_found');
  }]);
  routes.push(['GET', /^\/zones\/([^/]+)\/rulesets$/, (m, q) => needZone(m[1]) || unknownParams(q, ['cursor', 'per_page']) ||
    [200, envelope((data.rulesets[m[1]] || []).map(({ rules, ...rs }) => rs))]]);
  routes.push(['GET', /^\/zones\/([^/]+)\/rulesets\/([^/]+)$/, (m) => {
    const bad = needZone(m[1]);
    if (bad) return bad;
    const r = (data.rulesets[m[1]] || []).find((x) => x.id === m[2]);
    return r ? [200, envelope(r)] : failure(404, 10003, 'could not find ruleset');
  }]);
  routes.push(['GET', /^\/accounts\/([^/]+)\/rulesets$/, (m) => needAccount(m[1]) ||
    [200, envelope((data.accountRulesets[m[1]] || []).map(({ rules, ...rs }) => rs))]]);
  routes.push(['GET', /^\/accounts\/([^/]+)\/rulesets\/([^/]+)$/, (m) => {
    const bad = needAccount(m[1]);
    if (bad) return bad;
    const r = (data.accountRulesets[m[1]] || []).find((x) => x.id === m[2]);
    return r ? [200, envelope(r)] : failure(404, 10003, 'could not find ruleset');
  }]);
  const checkRecord = (b, partial) => {
    if (!b || typeof b !== 'object' || Array.isArray(b)) return failure(400, 9207, 'Request body is invalid.');
    if (!partial && (!b.type || !b.name)) return failure(400, 9005, 'type and name are required');
    if (b.type && !DNS_TYPES.includes(b.type)) return failure(400, 9000, 'DNS record type is invalid.');
    if (!partial && DNS_CONTENT.includes(b.type) && typeof b.content !== 'string') return failure(400, 9021, 'Content for the record is invalid.');
    if (!partial && !DNS_CONTENT.includes(b.type) && typeof b.data !== 'object') return failure(400, 9101, 'data is required');
    if (b.type === 'A' && b.content && !/^\d+\.\d+\.\d+\.\d+$/.test(b.content)) return failure(400, 9005, 'Content for A record must be a valid IPv4 address.');
    for (const k of Object.keys(b)) if (!['type', 'name', 'content', 'data', 'priority', 'ttl', 'proxied', 'comment', 'tags'].includes(k)) return failure(400, 9207, `unknown field ${k}`);
    return null;
  };
  routes.push(['GET', /^\/zones\/([^/]+)\/dns_records$/, (m, q) => {
    const bad = needZone(m[1]) || unknownParams(q, ['name', 'type', 'content', 'proxied', 'match', 'search', 'order', 'direction', 'page', 'per_page', 'comment', 'tag', 'tag_match']);
    if (bad) return bad;
    let l = data.dnsRecords[m[1]] || [];
    if (q.get('type')) l = l.filter((r) => r.type === q.get('type'));
    if (q.get('name')) l = l.filter((r) => r.name === q.get('name'));
    return pagePaged(l, q, 100, 1, 5000000);
  }]);
  routes.push(['POST', /^\/zones\/([^/]+)\/dns_records$/, (m, q, b) => {
    const bad = needZone(m[1]) || checkRecord(b, false);
    if (bad) return bad;
    const rec = { id: data.id('dns:new:' + JSON.stringify(b) + Math.random()), proxiable: true, proxied: false, ttl: 1, comment: '', tags: [], ...b,
      created_on: new Date().toISOString(), modified_on: new Date().toISOString() };
    (data.dnsRecords[m[1]] = data.dnsRecords[m[1]] || []).push(rec);
    return [200, envelope(rec)];
  }]);
  const recordRoute = (meth, fn) => routes.push([meth, /^\/zones\/([^/]+)\/dns_records\/([^/]+)$/, (m, q, b) => {
    const bad = needZone(m[1]);
    if (bad) return bad;
    if (!HEX32.test(m[2])) return failure(400, 7003, 'Invalid DNS record identifier');
    const list = data.dnsRecords[m[1]] || [];
    const i = list.findIndex((r) => r.id === m[2]);
    if (i < 0) return failure(404, 81044, 'Record does not exist.');
    return fn(list, i, b);
  }]);
  recordRoute('GET', (l, i) => [200, envelope(l[i])]);
  recordRoute('PATCH', (l, i, b) => checkRecord(b, true) || [200, envelope(Object.assign(l[i], b, { modified_on: new Date().toISOString() }))]);
  recordRoute('PUT', (l, i, b) => checkRecord(b, false) || [200, envelope(l[i] = { id: l[i].id, proxiable: true, ...b, modified_on: new Date().toISOString() })]);
  recordRoute('DELETE', (l, i, b) => (b ? failure(400, 9207, 'DELETE takes no body') : [200, envelope({ id: l.splice(i, 1)[0].id })]));
  routes.push(['GET', /^\/zones\/([^/]+)\/settings$/, (m) => needZone(m[1]) ||
    [200, envelope(data.settingNames.map((n) => ({ id: n, value: data.settingValues[n], editable: true, modified_on: null })))]]);
  routes.push(['GET', /^\/zones\/([^/]+)\/settings\/([^/]+)$/, (m) => needZone(m[1]) ||
    (data.settingNames.includes(m[2]) ? [200, envelope({ id: m[2], value: data.settingValues[m[2]], editable: true, modified_on: null })]
      : failure(404, 1003, 'Invalid or missing zone setting'))]);
  routes.push(['GET', /^\/zones\/([^/]+)\/pagerules$/, (m, q) => {
    const bad = needZone(m[1]) || unknownParams(q, ['order', 'direction', 'match', 'status']);
    if (bad) return bad;
    const status = q.get('status') || 'disabled'; // the schema's default, as OPERATIONS.md notes
    return [200, envelope(data.pageRules(zoneOf(m[1]).name).filter((r) => r.status === status))];
  }]);
  routes.push(['GET', /^\/zones\/([^/]+)\/firewall\/waf\/overrides$/, (m, q) => needZone(m[1]) ||
    pagePaged([{ id: data.id('wo:' + m[1]), description: 'Skip SQLi rule on /search', urls: [zoneOf(m[1]).name + '/search*'],
      priority: 1, groups: {}, rewrite_action: {}, rules: { 100015: 'disable' }, paused: false }], q, 50, 5, 100)]);
  routes.push(['GET', /^\/zones\/([^/]+)\/firewall\/waf\/packages$/, (m, q) => needZone(m[1]) ||
    pagePaged([{ id: data.id('wp:owasp'), name: 'OWASP ModSecurity Core Rule Set', description: 'OWASP CRS', detection_mode: 'anomaly',
      zone_id: m[1], sensitivity: 'high', action_mode: 'challenge' }], q, 50, 5, 100)]);
  routes.push(['GET', /^\/accounts\/([^/]+)\/members$/, (m, q) => {
    const bad = needAccount(m[1]);
    if (bad) return bad;
    let l = data.members;
    if (q.get('status')) l = l.filter((x) => x.status === q.get('status'));
    return pagePaged(l, q, 20, 5, 50);
  }]);
}

module.exports = { build, id, extraRoutes };
