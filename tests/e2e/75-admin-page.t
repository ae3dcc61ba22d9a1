#!/usr/bin/env node
// Issue #15: the admin page at /admin/, in headless Chromium (Debian's
// chromium, driven by the pinned playwright-core), through whichever web
// server the stack has (lighttpd, then Apache in the second pass).
//
// The flow: a wrong key is refused with a clear message -> sign in (keyboard
// only) -> connect an account named <img src=x onerror=alert(1)> -> create a
// read-only MCP server expiring in 2 minutes (live preview, a refused scope)
// -> read its URL from the page and from the Copy button's clipboard text
// -> the MCP SDK client lists tools with it -> revoke it in the page -> the
// client's next request gets 404. Also paging, edit, API keys (create, shown
// once, revoke), removing the account, sign-out, the security headers, and on
// every page: no console error, no failed request, no CSP violation, no
// secret in a URL or the console, axe-core finds nothing serious or critical,
// nothing wider than 360 px; screenshots at desktop width and 360 px (light,
// and dark for one) go to $BUILD/test-output/admin-page/<server>/.
'use strict';
const fs = require('fs');
const os = require('os');
const path = require('path');
const { spawnSync } = require('child_process');
const { Tap, stackEnv, api, post, simId } = require('./lib');

const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

(async () => {
  const t = new Tap();
  const env = stackEnv(t);
  const server = env.STACK_SERVER || 'lighttpd';
  const base = `${env.CFMCP_BASE}/admin/`;
  const exe = process.env.CHROMIUM || ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => fs.existsSync(p));
  if (!exe) t.skipAll('chromium is not installed (deploy/deps.sh test installs it)');
  const { chromium } = require('playwright-core');
  const axeSource = fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
  const root = path.resolve(__dirname, '../..');
  const out = path.join(process.env.BUILD ? path.resolve(root, process.env.BUILD) : path.join(root, 'build'), 'test-output', 'admin-page', server);
  fs.rmSync(out, { recursive: true, force: true });
  fs.mkdirSync(out, { recursive: true });

  // Everything secret this test sees: none may appear in a URL, the console or a diagnostic.
  const secrets = new Set([env.ADMIN_KEY, env.SIM_TOKEN].filter(Boolean));
  const mask = (s) => { let x = String(s); for (const k of secrets) if (k) x = x.split(k).join('(secret)'); return x; };
  const ok = (cond, name, diag) => t.ok(cond, name, diag === undefined ? undefined : mask(typeof diag === 'string' ? diag : JSON.stringify(diag)));

  // ---- the headers, straight from the server ---------------------------------------------
  const head = (url, extra = []) => {
    const r = spawnSync('curl', ['-s', '-D', '-', '-o', '/dev/null', ...extra, url], { encoding: 'utf8' });
    const h = {};
    for (const l of r.stdout.split(/\r?\n/)) { const m = /^([\w-]+):\s*(.*)$/.exec(l); if (m) h[m[1].toLowerCase()] = m[2]; }
    h.status = Number((/^HTTP\/[\d.]+ (\d+)/m.exec(r.stdout) || [])[1]);
    return h;
  };
  let hd = head(base);
  const csp = hd['content-security-policy'] || '';
  ok(hd.status === 200 && /^text\/html/.test(hd['content-type']), `${server}: GET /admin/ -> 200 text/html`, hd);
  ok(["default-src 'self'", "frame-ancestors 'none'", "base-uri 'none'", "form-action 'self'"].every((d) => csp.includes(d)) &&
    !/unsafe-inline|unsafe-eval|\*/.test(csp), `${server}: CSP default-src 'self', frame-ancestors/base-uri 'none', form-action 'self', nothing unsafe`, csp);
  ok(hd['x-content-type-options'] === 'nosniff' && hd['referrer-policy'] === 'no-referrer' && hd['cache-control'] === 'no-cache' && hd.etag,
    `${server}: nosniff, Referrer-Policy no-referrer, Cache-Control no-cache with an ETag`, hd);
  hd = head(`${base}js/app.js`);
  ok(hd.status === 200 && /^text\/javascript/.test(hd['content-type']) && hd['content-security-policy'], `${server}: the JS modules are text/javascript, with the headers`, hd);
  hd = head(`${env.CFMCP_BASE}/admin`);
  ok(hd.status === 301 && /\/admin\/$/.test(hd.location || ''), `${server}: /admin redirects to /admin/`, hd);
  hd = head(`${base}nope.html`);
  ok(hd.status === 404, `${server}: a missing file under /admin/ -> 404`, hd);
  hd = head(`${base}js/`);
  ok(hd.status === 404 || hd.status === 403, `${server}: no directory listing (/admin/js/ -> ${hd.status})`, hd);
  hd = head(`${env.CFMCP_TLS_BASE}/admin/`, ['--cacert', env.CFMCP_CA]);
  ok(hd.status === 200 && /max-age=\d{7,}/.test(hd['strict-transport-security'] || '') && hd['content-security-policy'],
    `${server}: over TLS the page carries Strict-Transport-Security`, hd);
  hd = head(`${env.CFMCP_BASE}/integrated-account`);
  ok(hd['cache-control'] === 'no-store', `${server}: the API answers no-store`, hd);

  // ---- the browser ---------------------------------------------------------------------
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'cfmcp-chromium-'));
  let ctx;
  try {
    ctx = await chromium.launchPersistentContext(profile, {
      executablePath: exe, headless: true, args: CHROMIUM_ARGS, viewport: { width: 1280, height: 900 }, timeout: 60000,
    });
  } catch (e) {
    fs.rmSync(profile, { recursive: true, force: true });
    t.skipAll(`chromium cannot run here: ${String(e.message).split('\n')[0]}`);
  }
  await ctx.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: env.CFMCP_BASE });
  // Record CSP violations as the page sees them (an init script runs through
  // the DevTools protocol, outside the page's CSP).
  await ctx.addInitScript(() => {
    window.__csp = [];
    document.addEventListener('securitypolicyviolation', (e) => window.__csp.push(`${e.violatedDirective} ${e.blockedURI}`));
  });
  const page = ctx.pages()[0] || await ctx.newPage();
  page.setDefaultTimeout(15000);

  // What the page did: console, errors, requests. expect4xx: API answers a
  // step provokes on purpose (a wrong key, a scope that keeps nothing).
  const seen = { console: [], errors: [], failed: [], bad: [], dialogs: [], leaks: [] };
  let expect4xx = [];
  page.on('console', (m) => seen.console.push({ type: m.type(), text: m.text(), url: (m.location() || {}).url || '' }));
  page.on('pageerror', (e) => seen.errors.push(e.message));
  page.on('dialog', (d) => { seen.dialogs.push(d.message()); d.dismiss().catch(() => {}); });
  page.on('requestfailed', (r) => seen.failed.push(`${r.method()} ${r.url()} ${(r.failure() || {}).errorText}`));
  page.on('request', (r) => {
    const hs = r.headers();
    if ([...secrets].some((s) => r.url().includes(s))) seen.leaks.push(`a secret in a URL: ${r.method()} ${r.url()}`);
    if (hs.cookie) seen.leaks.push(`a cookie was sent: ${r.url()}`);
    if (hs.authorization && !/\/(integrated-account|api-key)/.test(r.url())) seen.leaks.push(`Authorization sent to ${r.url()}`);
    if (/\/admin\//.test(r.url()) && hs.authorization) seen.leaks.push(`Authorization on a static file ${r.url()}`);
  });
  page.on('response', (r) => {
    if (r.status() < 400) return;
    const i = expect4xx.findIndex(([st, re]) => st === r.status() && re.test(r.url()));
    if (i >= 0) expect4xx.splice(i, 1);
    else seen.bad.push(`${r.status()} ${r.request().method()} ${r.url()}`);
  });
  // Chromium prints "Failed to load resource: ... status of 4xx" for each
  // answer above; those of expected answers are not errors of the page.
  const consoleErrors = () => seen.console.filter((m) => m.type === 'error' &&
    !(/^Failed to load resource: the server responded with a status of (400|401)/.test(m.text) && /\/(integrated-account|api-key)/.test(m.url)));

  const shots = [];
  // Every view: axe-core, no overflow at 360 px, no CSP violation so far,
  // screenshots at desktop width and at 360 px.
  async function checkView(name, { dark = false } = {}) {
    await page.waitForTimeout(150);
    if (!(await page.evaluate(() => typeof window.axe === 'object'))) await page.evaluate(axeSource);
    const res = await page.evaluate(() => window.axe.run(document, { resultTypes: ['violations'] }));
    const serious = res.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
    ok(serious.length === 0, `${server} ${name}: axe-core finds no serious or critical violation`,
      serious.map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.slice(0, 3).map((n) => n.target.join(' ')) })));
    const csp = await page.evaluate(() => window.__csp.slice());
    ok(csp.length === 0, `${server} ${name}: no CSP violation`, csp);
    await page.screenshot({ path: path.join(out, `${name}-desktop.png`), fullPage: true });
    await page.setViewportSize({ width: 360, height: 780 });
    await page.waitForTimeout(100);
    const wide = await page.evaluate(() => document.documentElement.scrollWidth);
    ok(wide <= 360, `${server} ${name}: fits 360 px (scrollWidth ${wide})`);
    await page.screenshot({ path: path.join(out, `${name}-360.png`), fullPage: true });
    if (dark) {
      await page.emulateMedia({ colorScheme: 'dark' });
      const dres = await page.evaluate(() => window.axe.run(document, { resultTypes: ['violations'], runOnly: ['color-contrast'] }));
      ok(dres.violations.length === 0, `${server} ${name} (dark): colour contrast passes`, dres.violations.map((v) => v.nodes.slice(0, 3).map((n) => n.target.join(' '))));
      await page.screenshot({ path: path.join(out, `${name}-360-dark.png`), fullPage: true });
      await page.setViewportSize({ width: 1280, height: 900 });
      await page.screenshot({ path: path.join(out, `${name}-desktop-dark.png`), fullPage: true });
      await page.emulateMedia({ colorScheme: 'light' });
    }
    await page.setViewportSize({ width: 1280, height: 900 });
    shots.push(name);
  }
  const title = () => page.textContent('h1');
  const waitTitle = (re) => page.waitForFunction((src) => {
    const h = document.querySelector('h1');
    return h && new RegExp(src).test(h.textContent);
  }, re.source);

  // ---- sign in ---------------------------------------------------------------------------
  await page.goto(base);
  await waitTitle(/^Sign in$/);
  ok(page.url().endsWith('#/signin'), `${server}: signed out, the page opens on sign-in`, page.url());
  await checkView('signin');
  expect4xx.push([401, /\/integrated-account$/]);
  await page.fill('input[name=apikey]', 'definitely-not-a-key-0123456789abcdef');
  await page.click('button[type=submit]');
  await page.waitForSelector('.field-error:not([hidden])');
  const wrong = await page.textContent('.field-error');
  ok(/not valid/.test(wrong) && /unknown, revoked or expired/.test(wrong), `${server}: a wrong API key gets a clear message next to the field`, wrong);
  ok(await page.getAttribute('input[name=apikey]', 'aria-invalid') === 'true', `${server}: and the field is marked invalid`);
  ok(await page.evaluate(() => sessionStorage.length === 0), `${server}: nothing is stored for a wrong key`);
  await checkView('signin-wrong-key');

  // keyboard only: the field has focus after the error; type and press Enter
  await page.fill('input[name=apikey]', '');
  await page.focus('input[name=apikey]');
  await page.keyboard.type(env.ADMIN_KEY);
  await page.keyboard.press('Enter');
  await waitTitle(/^Accounts$/);
  const store = await page.evaluate(() => ({ s: Object.keys(sessionStorage), l: localStorage.length, c: document.cookie }));
  ok(store.s.includes('cfmcp.apiKey') && store.l === 0 && store.c === '' && !page.url().includes(env.ADMIN_KEY),
    `${server}: signed in (keyboard only); the key is in sessionStorage only (no localStorage, cookie or URL)`, store);
  await checkView('accounts', { dark: true });

  // ---- connect an account with a hostile name -------------------------------------------
  const hostile = `<img src=x onerror=alert(1)> ${process.pid}`;
  const connect = page.locator('form[aria-labelledby="connect-title"]');
  await connect.getByLabel('Name').fill(hostile);
  await connect.getByLabel('Cloudflare account id').fill('nothex');
  await connect.getByLabel('Cloudflare API token').fill(env.SIM_TOKEN);
  await connect.getByRole('button', { name: 'Connect account' }).click();
  const idErr = await connect.locator('.field-error:not([hidden])').first().textContent();
  ok(/32 hex digits/.test(idErr), `${server}: a bad Cloudflare account id is refused next to its field, before sending`, idErr);
  await connect.getByLabel('Cloudflare account id').fill(simId('account:acme'));
  await connect.getByRole('button', { name: 'Connect account' }).click();
  await page.waitForSelector('[role=tablist]');
  const h1 = await title();
  ok(h1 === hostile, `${server}: the hostile account name is shown as text in the heading`, h1);
  const accountId = /#\/accounts\/(ia_[0-9a-f]{16})$/.exec(page.url())[1];
  ok(await page.evaluate(() => document.querySelectorAll('img[src="x"], img[onerror]').length === 0) && seen.dialogs.length === 0,
    `${server}: no <img> was made from it and no script ran`);
  ok(await page.isVisible('text=No MCP server for this account yet.'), `${server}: the empty MCP server list says what to do`);
  await checkView('account-empty');

  // the tabs work with the keyboard (arrows)
  await page.focus('#tab-servers');
  await page.keyboard.press('ArrowRight');
  ok(await page.getAttribute('#tab-account', 'aria-selected') === 'true' && await page.isVisible('#panel-account') &&
    await page.evaluate(() => document.activeElement.id) === 'tab-account', `${server}: ArrowRight moves to the Account tab`);
  await checkView('account-tab');
  await page.keyboard.press('ArrowLeft');

  // ---- create a read-only MCP server expiring in 2 minutes -----------------------------
  await page.click('text=Create MCP server');
  await waitTitle(/^Create MCP server$/);
  await page.waitForSelector('.preview strong');
  const readPreview = await api(env, 'GET', `/integrated-account/${accountId}/tools?methods=read`);
  let pv = await page.textContent('.preview');
  ok(pv.includes(`${readPreview.json.count} of 25 tools`) && /tools\/list is [\d.]+ KB/.test(pv),
    `${server}: the live preview shows what read-only keeps (${readPreview.json.count} tools) and tools/list's size`, pv);
  // a scope that keeps nothing is refused before submitting, with the reason
  expect4xx.push([400, /\/tools\?/]);
  await page.check('input[name=access][value=custom]');
  await page.check('input[name=m][value=write]');
  await page.check('input[name=tag][value=audit]');
  await page.waitForFunction(() => /No tool matches/.test(document.querySelector('.preview').textContent));
  pv = await page.textContent('.preview');
  ok(/No tool matches/.test(pv) && await page.isDisabled('form.scope-form button[type=submit]'),
    `${server}: write AND tag audit keeps no tool: said in the preview, Create disabled`, pv);
  await checkView('create-refused');
  await page.uncheck('input[name=tag][value=audit]');
  await page.uncheck('input[name=m][value=write]');
  await page.check('input[name=access][value=read]');
  await page.waitForFunction((n) => document.querySelector('.preview') && document.querySelector('.preview').textContent.includes(`${n} of 25 tools`), readPreview.json.count);
  ok(await page.isEnabled('form.scope-form button[type=submit]'), `${server}: back to read-only, Create is enabled again`);
  const serverName = `<script>alert(2)</script> ${process.pid}`;
  await page.getByLabel('Name', { exact: true }).fill(serverName);
  await page.check('input[name=exp][value=at]');
  // 2 minutes ahead, in the browser's local time (datetime-local)
  const at = await page.evaluate(() => {
    const d = new Date(Date.now() + 120000);
    const p = (n) => String(n).padStart(2, '0');
    return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
  });
  await page.fill('input[type=datetime-local]', at);
  await page.getByLabel('Tool mode', { exact: true }).selectOption('tools');
  await checkView('create');
  const before = Math.floor(Date.now() / 1000);
  await page.click('form.scope-form button[type=submit]');
  await waitTitle(/^MCP server created$/);

  // ---- the URL, shown once ---------------------------------------------------------------
  const shownUrl = await page.inputValue('#new-url');
  const token = shownUrl.split('/').pop();
  secrets.add(token);
  ok(shownUrl === `${env.CFMCP_BASE}/mcp/${token}` && /^[A-Za-z0-9_-]{43}$/.test(token), `${server}: the page shows the new MCP URL`, shownUrl);
  await page.click('.secret-box button');
  await page.waitForSelector('text=Copied.');
  const clip = await page.evaluate(() => navigator.clipboard.readText());
  ok(clip === shownUrl, `${server}: the Copy button put exactly that URL on the clipboard`);
  const pre = await page.textContent('.code pre');
  const cfg = JSON.parse(pre);
  ok(cfg.mcpServers.cloudflare.args.includes(shownUrl), `${server}: the mcp-remote JSON block is filled in with the URL`);
  const body = await page.textContent('main');
  ok(/will not be shown again/.test(body) && /ChatGPT/.test(body) && /Claude/.test(body) && /No authentication/.test(body),
    `${server}: the note that it is shown once, and the ChatGPT and Claude steps`);
  const srvList = await api(env, 'GET', `/integrated-account/${accountId}/mcp`);
  const made = srvList.json.items.find((s) => s.name === serverName);
  const expAt = made && Date.parse(made.expires_at) / 1000;
  ok(made && made.config.methods.join() === 'read' && made.config.tags.length === 0 && expAt >= before + 110 && expAt <= before + 130,
    `${server}: the server was made read-only, expiring in 2 minutes`, made);
  ok(made && made.config.tool_mode === 'tools', `${server}: the tool mode chosen in the form was saved`, made && made.config);
  await checkView('created');

  // ---- an MCP client uses the URL ------------------------------------------------------------
  const { Client } = require('@modelcontextprotocol/sdk/client/index.js');
  const { StreamableHTTPClientTransport } = require('@modelcontextprotocol/sdk/client/streamableHttp.js');
  const client = new Client({ name: 'cfmcp-e2e-admin-page', version: '1.0.0' });
  await client.connect(new StreamableHTTPClientTransport(new URL(clip)));
  const names = [];
  let cursor;
  do {
    const r = await client.listTools(cursor ? { cursor } : {});
    names.push(...r.tools.map((x) => x.name));
    cursor = r.nextCursor;
  } while (cursor && names.length < 100);
  ok(names.length === readPreview.json.count && names.every((n) => /^(list_all|get_single)_/.test(n)),
    `${server}: the SDK client lists the ${names.length} read tools with the copied URL`, names);
  const zones = await client.callTool({ name: 'list_all_cloudflare_zones', arguments: {} });
  ok(!zones.isError && zones.structuredContent.result.length > 0, `${server}: and calls one, with the Cloudflare token typed into the page`);

  // ---- the list: paging -----------------------------------------------------------------------
  const extra = [];
  for (let i = 0; i < 10; i++) {
    const r = await api(env, 'POST', `/integrated-account/${accountId}/mcp`, { body: { name: `paging ${i}`, config: { methods: ['read'] } } });
    secrets.add(r.json.token);
    extra.push(r.json);
  }
  await page.click('text=Done: back to the MCP servers');
  await page.waitForSelector('table tbody tr');
  let rows = await page.locator('tbody tr').count();
  ok(rows === 10 && await page.isEnabled('text=Next →') && await page.isDisabled('text=← Previous'), `${server}: page 1 of the list holds 10 servers, Next enabled`, rows);
  // The list is in id order and an id starts with its creation second, so
  // the server made in the page is on page 1 but need not be the first row
  // (a paging one made in the same second sorts by its random part): find
  // it by its link. Its expiry text depends on how long the steps above
  // took; what is checked exactly is its stored expires_at (above).
  const mine = page.locator('tbody tr', { has: page.locator(`a[href="#/accounts/${accountId}/servers/${made.id}"]`) });
  const mineText = (await mine.count()) === 1 ? await mine.textContent() : null;
  ok(mineText !== null && (await mine.locator('td').first().textContent()) === serverName &&
     /^in ([12] min|[1-9][0-9]? s)$/.test(await mine.locator('td[data-label=Expires]').textContent()),
    `${server}: the hostile server name shows as text, expiring within 2 min`, mineText);
  ok(await page.evaluate(() => document.querySelectorAll('script:not([src])').length === 0) && seen.dialogs.length === 0, `${server}: no script element was made from it`);
  await checkView('servers', { dark: true });
  await page.click('text=Next →');
  await page.waitForSelector('text=Page 2');
  rows = await page.locator('tbody tr').count();
  ok(rows === 1 && await page.isDisabled('text=Next →'), `${server}: page 2 holds the 11th, Next disabled`, rows);
  await page.click('text=← Previous');
  await page.waitForSelector('text=Page 1');

  // ---- edit another one: rename and extend ---------------------------------------------------------
  // (one on page 1: the ten were made within a second or two, so their
  // order, by id, is partly random)
  const editHref = await page.locator('tbody tr').nth(1).locator('td a').first().getAttribute('href');
  const editId = editHref.split('/').pop();
  ok(extra.some((x) => x.id === editId), `${server}: page 1 shows one of the ten made by the API`, editHref);
  await page.click(`a[href="${editHref}"] >> text=Edit`);
  await waitTitle(/^Edit /);
  await page.waitForSelector('.preview strong');
  await checkView('edit');
  await page.getByLabel('Name', { exact: true }).fill('renamed in the page');
  await page.check('input[name=exp][value="24h"]');
  const t0 = Math.floor(Date.now() / 1000);
  await page.click('form.scope-form button[type=submit]');
  await page.waitForSelector('table tbody tr');
  const edited = (await api(env, 'GET', `/integrated-account/${accountId}/mcp/${editId}`)).json;
  const e24 = Date.parse(edited.expires_at) / 1000;
  ok(edited.name === 'renamed in the page' && e24 >= t0 + 86390 && e24 <= t0 + 86410, `${server}: Edit renamed it and set the expiry 24 h ahead`, edited);

  // ---- revoke in the page, the client's next request gets 404 --------------------------------
  const row = page.locator('tbody tr', { has: page.locator(`a[href="#/accounts/${accountId}/servers/${made.id}"]`) });
  await row.getByRole('button', { name: /^Revoke/ }).click();
  await page.waitForSelector('dialog[open]');
  // focus is checked once it settles (bounded): what had it is printed if it never does
  await page.waitForFunction(() => document.activeElement && document.activeElement.textContent === 'Cancel', null, { timeout: 5000 }).catch(() => {});
  const focused = await page.evaluate(() => document.activeElement ? `${document.activeElement.tagName} ${document.activeElement.textContent.slice(0, 40)}` : 'none');
  const dlgTitle = await page.textContent('dialog h2');
  ok(/Revoke/.test(dlgTitle) && focused === 'BUTTON Cancel',
    `${server}: Revoke asks first (focus on Cancel)`, { dialog: dlgTitle, focused });
  await checkView('revoke-dialog');
  await page.keyboard.press('Escape');
  await page.waitForSelector('dialog', { state: 'detached' });
  ok((await api(env, 'GET', `/integrated-account/${accountId}/mcp/${made.id}`)).status === 200, `${server}: Escape cancels: nothing revoked`);
  // still working right before the revoke (so the 404 below is the revoke, not the expiry)
  const still = await client.listTools();
  ok(still.tools.length > 0, `${server}: the URL still works just before the revoke`);
  await row.getByRole('button', { name: /^Revoke/ }).click();
  await page.click('dialog button.danger');
  await page.waitForSelector('dialog', { state: 'detached' });
  await page.waitForSelector('#toast.show');
  await row.waitFor({ state: 'detached' });
  ok(/Revoked/.test(await page.textContent('#toast')) && await row.count() === 0, `${server}: revoked: the row is gone, a message says so`);
  let err = null;
  try { await client.listTools(); } catch (e) { err = e; }
  ok(err && err.code === 404, `${server}: the SDK client's next request gets 404`, err && `${err.code} ${err.message}`);
  const raw = await post(env, token, { jsonrpc: '2.0', id: 1, method: 'tools/list' });
  ok(raw.status === 404, `${server}: a raw tools/list with the URL: 404`, raw.status);
  ok(Date.now() / 1000 < expAt, `${server}: all of it before the 2-minute expiry`);
  await client.close().catch(() => {});

  // ---- API keys ------------------------------------------------------------------------------
  await page.click('nav >> text=API keys');
  await waitTitle(/^API keys$/);
  await checkView('keys');
  await page.getByLabel('Name', { exact: true }).fill(`page key ${process.pid}`);
  await page.check('input[name=acc][value=some]');
  await page.check(`input[name=acc-id][value=${accountId}]`);
  await page.click('form[aria-labelledby=newkey] button[type=submit]');
  await waitTitle(/^API key created$/);
  const key = await page.inputValue('#new-key');
  secrets.add(key);
  await page.click('.secret-box button');
  await page.waitForSelector('text=Copied.');
  ok(await page.evaluate(() => navigator.clipboard.readText()) === key && key.length === 43, `${server}: the new API key is shown once, and Copy copies it`);
  ok((await api(env, 'GET', `/integrated-account/${accountId}`, { key })).status === 200 &&
    (await api(env, 'GET', `/integrated-account/${env.ACCOUNT_ID}`, { key })).status === 403, `${server}: it works, on that account only`);
  await checkView('key-created');
  await page.click('text=Done: back to the API keys');
  await waitTitle(/^API keys$/);
  const krow = page.locator('tbody tr', { hasText: `page key ${process.pid}` });
  await krow.getByRole('button', { name: /^Revoke/ }).click();
  await page.click('dialog button.danger');
  await page.waitForSelector('dialog', { state: 'detached' });
  await page.waitForFunction((n) => ![...document.querySelectorAll('tbody tr')].some((r) => r.textContent.includes(n)), `page key ${process.pid}`);
  ok((await api(env, 'GET', `/integrated-account/${accountId}`, { key })).status === 401, `${server}: revoked in the page: the key gets 401`);

  // ---- remove the account (its MCP servers go with it) ------------------------------------------
  await page.click('nav >> text=Accounts');
  await waitTitle(/^Accounts$/);
  const arow = page.locator('tbody tr', { has: page.locator(`a[href="#/accounts/${accountId}"]`) });
  ok((await arow.locator('td').first().textContent()) === hostile, `${server}: the accounts table shows the hostile name as text`);
  await arow.getByRole('button', { name: /^Remove/ }).click();
  ok(/MCP server URL of this account is revoked/.test(await page.textContent('dialog')), `${server}: Remove says its MCP servers go with it`);
  await page.click('dialog button.danger');
  await page.waitForSelector('dialog', { state: 'detached' });
  await page.waitForFunction((id) => !document.querySelector(`a[href="#/accounts/${id}"]`), accountId);
  ok((await api(env, 'GET', `/integrated-account/${accountId}`)).status === 404 &&
    (await api(env, 'GET', `/integrated-account/${accountId}/mcp/${extra[1].id}`)).status === 404, `${server}: the account and its servers are gone`);

  // ---- sign out -----------------------------------------------------------------------------
  await page.click('#signout');
  await waitTitle(/^Sign in$/);
  ok(await page.evaluate(() => sessionStorage.length === 0) && await page.isHidden('#nav'), `${server}: Sign out clears the key and shows sign-in`);

  // ---- over the whole run --------------------------------------------------------------------
  await sleep(200);
  const cspAll = await page.evaluate(() => window.__csp.slice());
  ok(cspAll.length === 0, `${server}: no CSP violation on any page`, cspAll);
  const pageConsoleErrors = consoleErrors();
  // the CSP is really enforced: an inline style attribute set now is refused (and seen)
  await page.evaluate(() => { const d = document.createElement('div'); d.setAttribute('style', 'color:red'); document.body.appendChild(d); });
  await page.evaluate(() => { const s = document.createElement('script'); s.textContent = 'window.__ran = 1'; document.body.appendChild(s); });
  await sleep(200);
  const probe = await page.evaluate(() => ({ csp: window.__csp.slice(), ran: window.__ran === 1 }));
  ok(probe.csp.some((v) => /^style-src/.test(v)) && probe.csp.some((v) => /^script-src/.test(v)) && !probe.ran,
    `${server}: control: the browser enforces that CSP (an inline style and an inline script are refused and reported)`, probe);
  ok(pageConsoleErrors.length === 0 && seen.errors.length === 0, `${server}: no console error and no script error on any page`,
    { console: pageConsoleErrors, errors: seen.errors });
  ok(seen.failed.length === 0 && seen.bad.length === 0 && expect4xx.length === 0, `${server}: no failed request; no 4xx/5xx but the two provoked`,
    { failed: seen.failed, unexpected: seen.bad, notSeen: expect4xx.map(String) });
  const logged = seen.console.filter((m) => [...secrets].some((s) => m.text.includes(s)) || /\/mcp\/[A-Za-z0-9_-]{20}/.test(m.text));
  ok(logged.length === 0, `${server}: the page never logged a key, token or MCP URL to the console`, logged.length);
  ok(seen.leaks.length === 0, `${server}: the key travelled only in Authorization, to the API only`, seen.leaks);
  ok(seen.dialogs.length === 0, `${server}: no alert() ever ran`, seen.dialogs);
  t.diag(`screenshots (${shots.length} views, desktop and 360 px): ${path.relative(root, out)}`);
  await ctx.close();
  fs.rmSync(profile, { recursive: true, force: true });
  t.done();
})().catch((e) => {
  const t = Tap.current || new Tap();
  t.ok(false, 'unexpected exception', String(e && e.stack || e).split(process.env.ADMIN_KEY || '\u0000').join('(secret)'));
  t.done();
  process.exit(1);
});
