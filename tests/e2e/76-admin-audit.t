#!/usr/bin/env node
// Issue 16: the admin page's audit trail (the account page's "Audit trail"
// tab, deploy/www/js/audit.js), in headless Chromium (driven as
// 75-admin-page.t drives it), through whichever web server the stack has,
// against entries seeded with XADD in the stream format: the newest page
// first, "Older"/"Newer" paging, the outcome and MCP server filters, a
// hostile User-Agent shown as text, axe-core, 360 px, no console error.
//
// The page reads GET /integrated-account/:id/audit (common/audit_read.c).
'use strict';
const fs = require('fs');
const os = require('os');
const path = require('path');
const crypto = require('crypto');
const { execFileSync } = require('child_process');
const { Tap, stackEnv, admin, api, ACME } = require('./lib');

const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];

(async () => {
  const t = new Tap();
  const env = stackEnv(t);
  const server = env.STACK_SERVER || 'lighttpd';
  const base = `${env.CFMCP_BASE}/admin/`;
  const exe = process.env.CHROMIUM || ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => fs.existsSync(p));
  if (!exe) t.skipAll('chromium is not installed (deploy/deps.sh test installs it)');
  const { chromium } = require('playwright-core');
  const axeSource = fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
  const secrets = [env.ADMIN_KEY, env.SIM_TOKEN].filter(Boolean);
  const mask = (s) => { let x = String(s); for (const k of secrets) x = x.split(k).join('(secret)'); return x; };
  const ok = (cond, name, diag) => t.ok(cond, `${server}: ${name}`, diag === undefined ? undefined : mask(typeof diag === 'string' ? diag : JSON.stringify(diag)));
  const rc = (...args) => execFileSync('redis-cli', ['-s', env.REDIS_SOCK, ...args], { encoding: 'utf8' }).trim();

  // ---- an account with 31 entries: its creation (by the CLI) and 30 seeded calls ----
  const tag = crypto.randomBytes(4).toString('hex');
  const o = admin(env, ['--json', 'account', 'add', `audit-page-${tag}`, '--cf-account-id', ACME], `page-cf-token-${tag}-0123456789\n`);
  const A = o.status === 0 ? JSON.parse(o.stdout).id : null;
  if (!A) t.bail(new Error(`account add failed: ${o.stderr}`));
  const M1 = 'mcp_00000000000000c1', M2 = 'mcp_00000000000000d2';
  const OUT = ['ok', 'tool_error', 'refused', 'invalid', 'rate_limited', 'upstream_error'];
  const hostile = '<img src=x onerror=alert(1)>';
  const t0 = Date.now() - 3600e3;
  const ids = []; // oldest first
  for (let i = 0; i < 30; i++) {
    const outcome = OUT[i % 6];
    const f = ['kind', 'tool_call', 't', String(t0 + i * 1000), 'mcp_id', i % 2 ? M2 : M1, 'mcp_name', i % 2 ? 'agent two' : 'ci bot',
      'tool', `tool_${i}`, 'class', 'read', 'cf_method', 'GET', 'cf_path', '/zones/{zone_id}', 'outcome', outcome,
      'client_name', i === 29 ? hostile : 'cfmcp-e2e', 'client_version', '1', 'user_agent', i === 29 ? `${hostile} agent` : 'node',
      'request_id', String(i)];
    if (['ok', 'tool_error', 'rate_limited'].includes(outcome)) f.push('status', outcome === 'ok' ? '200' : outcome === 'rate_limited' ? '429' : '404', 'latency_ms', '12');
    ids.push(rc('XADD', `cfmcp:audit:${A}`, 'MAXLEN', '~', '100000', '*', ...f));
  }
  const probe = await api(env, 'GET', `/integrated-account/${A}/audit?limit=1`);
  const apiThere = probe.status === 200;
  ok(apiThere && probe.json.items.length === 1 && probe.json.items[0].id === ids[29], 'the audit API answers with the seeded entries', probe.status);
  const needs = ok;

  // ---- the browser ------------------------------------------------------------------------
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'cfmcp-chromium-'));
  let ctx;
  try {
    ctx = await chromium.launchPersistentContext(profile, {
      executablePath: exe, headless: true, args: CHROMIUM_ARGS, viewport: { width: 1280, height: 900 }, timeout: 60000,
    });
  } catch (e) {
    fs.rmSync(profile, { recursive: true, force: true });
    admin(env, ['account', 'remove', A]);
    t.skipAll(`chromium cannot run here: ${String(e.message).split('\n')[0]}`);
  }
  await ctx.addInitScript(() => {
    window.__csp = [];
    document.addEventListener('securitypolicyviolation', (e) => window.__csp.push(`${e.violatedDirective} ${e.blockedURI}`));
  });
  const page = ctx.pages()[0] || await ctx.newPage();
  page.setDefaultTimeout(15000);
  const seen = { console: [], errors: [], dialogs: [], bad: [] };
  page.on('console', (m) => seen.console.push({ type: m.type(), text: m.text(), url: (m.location() || {}).url || '' }));
  page.on('pageerror', (e) => seen.errors.push(e.message));
  page.on('dialog', (d) => { seen.dialogs.push(d.message()); d.dismiss().catch(() => {}); });
  page.on('response', (r) => {
    if (r.status() >= 400 && !(!apiThere && r.status() === 404 && /\/audit\?/.test(r.url()))) seen.bad.push(`${r.status()} ${r.url()}`);
  });
  async function checkView(name) {
    await page.waitForTimeout(150);
    if (!(await page.evaluate(() => typeof window.axe === 'object'))) await page.evaluate(axeSource);
    const res = await page.evaluate(() => window.axe.run(document, { resultTypes: ['violations'] }));
    const serious = res.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
    ok(serious.length === 0, `${name}: axe-core finds no serious or critical violation`,
      serious.map((v) => ({ id: v.id, nodes: v.nodes.slice(0, 3).map((n) => n.target.join(' ')) })));
    await page.setViewportSize({ width: 360, height: 780 });
    await page.waitForTimeout(100);
    const wide = await page.evaluate(() => document.documentElement.scrollWidth);
    // on failure: the elements that reach past the viewport, to fix
    const past = wide <= 360 ? [] : await page.evaluate(() => [...document.querySelectorAll('body *')]
      .map((e) => ({ e, r: e.getBoundingClientRect() })).filter((x) => x.r.right > 360.5 && x.r.width > 0)
      .slice(-5).map((x) => `${x.e.tagName.toLowerCase()}${x.e.className ? '.' + String(x.e.className).replace(/ /g, '.') : ''} right ${x.r.right.toFixed(1)}: ${(x.e.textContent || '').slice(0, 40)}`));
    ok(wide <= 360, `${name}: fits 360 px (scrollWidth ${wide})`, past);
    await page.setViewportSize({ width: 1280, height: 900 });
  }
  // the panel after a load: a table, an empty note or an alert
  const settled = () => page.waitForFunction(() => {
    const p = document.getElementById('panel-audit');
    return p && !p.hidden && !p.querySelector('.loading') && p.querySelector('table.audit, .empty, .alert');
  });
  const rows = () => page.$$eval('#panel-audit table.audit tbody tr', (trs) => trs.map((r) => ({
    id: r.dataset.id, text: r.textContent, mcp: r.children[3].textContent, outcome: r.children[2].textContent })));

  // signed in as the page does it (75-admin-page.t covers the sign-in form)
  await page.goto(base);
  await page.evaluate((k) => { sessionStorage.setItem('cfmcp.apiKey', k); sessionStorage.setItem('cfmcp.allAccounts', '1'); }, env.ADMIN_KEY);
  await page.goto(`${base}#/accounts/${A}`);
  await page.waitForSelector('#tab-audit');
  // the route is done (title set, the heading focused, app.js) before the
  // test moves focus: else the heading takes it back between the arrows
  await page.waitForFunction(() => / · MCP servers · cfmcp admin$/.test(document.title));
  await page.focus('#tab-servers');
  await page.keyboard.press('ArrowRight');
  await page.keyboard.press('ArrowRight');
  ok(await page.getAttribute('#tab-audit', 'aria-selected') === 'true' && await page.evaluate(() => document.activeElement.id) === 'tab-audit',
    'the account page has an "Audit trail" tab, reached with the arrow keys');
  await settled();
  if (!apiThere) {
    const alert = await page.textContent('#panel-audit .alert').catch(() => null);
    ok(!!alert, 'without the audit API the panel says it could not read the trail (no broken page)', alert);
  }

  let r = await rows();
  needs(r.length === 25 && r[0].id === ids[29] && r[24].id === ids[5], 'the newest 25 entries first, newest at the top',
    r.map((x) => x.id));
  needs(r.length > 0 && r[0].text.includes(hostile) && r[0].text.includes('tool_29'), 'a hostile client name is shown as its characters', r[0]);
  ok(await page.evaluate(() => document.querySelectorAll('img[src="x"], img[onerror]').length === 0) && seen.dialogs.length === 0,
    'no element was made from an entry and no script ran');
  await checkView('audit-first-page');
  // bug_audit_time_overflows_narrow: the time cell did not wrap, and at
  // 360 px some times ("Dec 3, 2026, 06:29:33 AM") were 1 px too wide;
  // the widest a date of this form gets, whatever the clock says
  {
    await page.setViewportSize({ width: 360, height: 780 });
    const wide = await page.evaluate(() => {
      const el = document.querySelector('#panel-audit table.audit td time');
      el.textContent = 'Sep 28, 2026, 08:48:48 PM';
      return document.documentElement.scrollWidth;
    });
    ok(wide <= 360, `bug_audit_time_overflows_narrow: the widest date and time fits a 360 px card (scrollWidth ${wide})`);
    await page.setViewportSize({ width: 1280, height: 900 });
  }

  const older = page.locator('#panel-audit button', { hasText: 'Older' });
  if (apiThere) {
    await older.click();
    await settled();
    await page.waitForFunction((id) => !document.querySelector(`#panel-audit tr[data-id="${id}"]`), ids[29]);
  }
  r = await rows();
  needs(r.length === 6 && r[0].id === ids[4] && r[4].id === ids[0] && /connected/i.test(r[5].text),
    '"Older" shows the rest: the 5 oldest calls, then the account\'s creation', r.map((x) => x.id));
  needs(apiThere && await older.isDisabled(), '... and "Older" is disabled on the last page');
  if (apiThere) {
    await page.locator('#panel-audit button', { hasText: 'Newer' }).click();
    await page.waitForSelector(`#panel-audit tr[data-id="${ids[29]}"]`);
  }
  r = await rows();
  needs(r.length === 25 && r[0].id === ids[29], '"Newer" goes back to the newest page');

  await page.selectOption('#panel-audit select[name=outcome]', 'rate_limited');
  await page.click('#panel-audit button[type=submit]');
  await settled();
  if (apiThere) await page.waitForFunction(() => document.querySelectorAll('#panel-audit tbody tr').length === 5);
  r = await rows();
  needs(r.length === 5 && r.every((x) => /rate_limited/.test(x.outcome)), 'the outcome filter keeps only those calls', r.map((x) => x.outcome));
  await page.selectOption('#panel-audit select[name=outcome]', '');
  await page.fill('#panel-audit input[name=mcp_id]', M2);
  await page.click('#panel-audit button[type=submit]');
  await settled();
  if (apiThere) await page.waitForFunction(() => document.querySelectorAll('#panel-audit tbody tr').length === 15);
  r = await rows();
  needs(r.length === 15 && r.every((x) => x.mcp.includes(M2) && x.mcp.includes('agent two')), 'the MCP server filter keeps that server\'s calls, named', r.map((x) => x.mcp));
  await page.fill('#panel-audit input[name=tool]', 'no_such_tool');
  await page.click('#panel-audit button[type=submit]');
  await settled();
  if (apiThere) await page.waitForSelector('#panel-audit .empty');
  needs(apiThere && /No entry matches/.test(await page.textContent('#panel-audit')), 'a filter nothing passes says so');
  await checkView('audit-filtered');

  const cspAll = await page.evaluate(() => window.__csp.slice());
  ok(cspAll.length === 0, 'no CSP violation', cspAll);
  const errs = seen.console.filter((m) => m.type === 'error' && !(!apiThere && /status of 404/.test(m.text) && /\/audit\?/.test(m.url)));
  ok(errs.length === 0 && seen.errors.length === 0 && seen.bad.length === 0, 'no console error, no script error, no unexpected 4xx/5xx',
    { console: errs, errors: seen.errors, bad: seen.bad });
  await ctx.close();
  fs.rmSync(profile, { recursive: true, force: true });
  admin(env, ['account', 'remove', A]);
  t.done();
})().catch((e) => {
  const t = Tap.current || new Tap();
  t.ok(false, 'unexpected exception', String(e && e.stack || e).split(process.env.ADMIN_KEY || '\u0000').join('(secret)'));
  t.done();
  process.exit(1);
});
