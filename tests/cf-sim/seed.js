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
      owner: { id: null, type: 'user', email: null },
      account: { id: acct.id, name: acct.name },
      permissions: ['#zone:read'], plan: { id: id('plan:free'), name: 'Free Website', price: 0, currency: 'USD' },
    });
  });
  return { accounts, zones, id };
}

module.exports = { build, id };
