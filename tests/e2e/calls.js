// tests/e2e/calls.js - one call of each core tool, with what Cloudflare
// must receive for it: [tool, arguments (or a function of earlier results),
// HTTP method, path (or a function), query check, body check, after].
// Used by 50-tools.t (simulator) and 62-prism.t (OpenAPI validation).
'use strict';
const { simId, ACME } = require('./lib');

function coreCalls() {
  const Z = simId('zone:example.com');
  const rec = simId('dns:example.com:a'), fwr = simId('fw:example.com:2');
  const rs = simId('rs:example.com:custom'), ars = simId('rs:acct:managed');
  const created = {};
  // [tool, arguments, expected method, expected path, query check, body check]
  const calls = [
    ['list_all_cloudflare_zones', { name: 'example.com' }, 'GET', '/zones', (q) => q.get('name') === 'example.com'],
    ['get_single_cloudflare_zone_by_id', { zone_id: Z }, 'GET', `/zones/${Z}`],
    ['list_all_cloudflare_accounts', { limit: 5 }, 'GET', '/accounts', (q) => q.get('per_page') === '5'],
    ['get_single_cloudflare_account_by_id', {}, 'GET', `/accounts/${ACME}`],
    ['list_all_cloudflare_account_members', { status: 'accepted' }, 'GET', `/accounts/${ACME}/members`, (q) => q.get('status') === 'accepted'],
    ['verify_cloudflare_api_token', {}, 'GET', '/user/tokens/verify'],
    ['list_all_cloudflare_audit_logs', { 'action.type': 'waf_rule_update', since: '2026-11-25T00:00:00Z' }, 'GET',
      `/accounts/${ACME}/audit_logs`, (q) => q.get('action.type') === 'waf_rule_update' && q.get('since') === '2026-11-25T00:00:00Z'],
    ['list_all_cloudflare_audit_logs_v2', { since: '2026-11-24', before: '2026-11-26', limit: 10 }, 'GET',
      `/accounts/${ACME}/logs/audit`, (q) => q.get('limit') === '10' && q.get('since') === '2026-11-24'],
    ['list_all_cloudflare_firewall_rules', { zone_id: Z, paused: false }, 'GET', `/zones/${Z}/firewall/rules`, (q) => q.get('paused') === 'false'],
    ['get_single_cloudflare_firewall_rule_by_id', { zone_id: Z, rule_id: fwr }, 'GET', `/zones/${Z}/firewall/rules/${fwr}`],
    ['list_all_cloudflare_rule_sets', { zone_id: Z }, 'GET', `/zones/${Z}/rulesets`],
    ['get_single_cloudflare_rule_set_by_id', { zone_id: Z, ruleset_id: rs }, 'GET', `/zones/${Z}/rulesets/${rs}`],
    ['list_all_cloudflare_account_rule_sets', {}, 'GET', `/accounts/${ACME}/rulesets`],
    ['get_single_cloudflare_account_rule_set_by_id', { ruleset_id: ars }, 'GET', `/accounts/${ACME}/rulesets/${ars}`],
    ['list_all_cloudflare_dns_records', { zone_id: Z, type: 'A' }, 'GET', `/zones/${Z}/dns_records`, (q) => q.get('type') === 'A'],
    ['get_single_cloudflare_dns_record_by_id', { zone_id: Z, dns_record_id: rec }, 'GET', `/zones/${Z}/dns_records/${rec}`],
    ['create_a_cloudflare_dns_record', { zone_id: Z, body: { type: 'A', name: 'new.example.com', content: '192.0.2.55', ttl: 300 } },
      'POST', `/zones/${Z}/dns_records`, null, (b) => b.type === 'A' && b.content === '192.0.2.55' && b.ttl === 300, (r) => { created.id = r.result.id; }],
    ['update_a_cloudflare_dns_record_by_id', () => ({ zone_id: Z, dns_record_id: created.id, body: { proxied: true } }),
      'PATCH', () => `/zones/${Z}/dns_records/${created.id}`, null, (b) => JSON.stringify(b) === '{"proxied":true}'],
    ['overwrite_a_cloudflare_dns_record_by_id', () => ({ zone_id: Z, dns_record_id: created.id, body: { type: 'TXT', name: 'new.example.com', content: 'hello' } }),
      'PUT', () => `/zones/${Z}/dns_records/${created.id}`, null, (b) => b.type === 'TXT'],
    ['delete_a_cloudflare_dns_record_by_id', () => ({ zone_id: Z, dns_record_id: created.id }), 'DELETE',
      () => `/zones/${Z}/dns_records/${created.id}`, null, (b) => b === null],
    ['list_all_cloudflare_zone_settings', { zone_id: Z }, 'GET', `/zones/${Z}/settings`],
    ['get_single_cloudflare_zone_setting_by_id', { zone_id: Z, setting_id: 'min_tls_version' }, 'GET', `/zones/${Z}/settings/min_tls_version`],
    ['list_all_cloudflare_page_rules', { zone_id: Z, status: 'active' }, 'GET', `/zones/${Z}/pagerules`, (q) => q.get('status') === 'active'],
    ['list_all_cloudflare_waf_overrides', { zone_id: Z }, 'GET', `/zones/${Z}/firewall/waf/overrides`],
    ['list_all_cloudflare_waf_packages', { zone_id: Z }, 'GET', `/zones/${Z}/firewall/waf/packages`],
  ];
  return calls;
}

module.exports = { coreCalls };
