// servers.js - an account's MCP servers: the list (paged), create (with a
// live preview of what the scope keeps), the URL shown once, edit, revoke.
import { api, enc, q, session, ApiError } from './api.js';
import { h, fill, field, group, choice, when, whenShort, expiresIn, size, uid } from './dom.js';
import { heading, problem, toast, confirmDialog, go, secretBox, codeBlock } from './ui.js';
import { placeError } from './accounts.js';
import { auditPanel } from './audit.js';

const PAGE = 10;          // MCP servers per page
const MIN_AHEAD = 60;     // seconds: the API refuses an expiry sooner (README)
const PRESETS = [['1h', '1 hour', 3600], ['24h', '24 hours', 86400], ['7d', '7 days', 7 * 86400],
  ['30d', '30 days', 30 * 86400], ['never', 'Never', 0], ['at', 'On a date…', null]];
const ACCESS = [
  ['read', 'Read only', ['read'], 'list and get tools: nothing can be changed'],
  ['readwrite', 'Read and write', ['read', 'write'], 'also create, update and delete'],
  ['all', 'Everything', [], 'every tool, custom methods (verify, overwrite, …) included'],
  ['custom', 'Choose…', null, 'classes, methods or single tools'],
];

const words = (a) => (a && a.length ? a.join(', ') : 'all');

function crumbs(account, last) {
  return h('nav', { 'aria-label': 'Breadcrumb', class: 'crumbs' }, h('ol', null,
    h('li', null, h('a', { href: '#/accounts' }, 'Accounts')),
    h('li', null, last ? h('a', { href: `#/accounts/${account.id}` }, account.name) : h('span', { 'aria-current': 'page' }, account.name)),
    last ? h('li', null, h('span', { 'aria-current': 'page' }, last)) : null));
}

// ---- the list --------------------------------------------------------------

// The account page: tabs "MCP servers" (the list), "Account" and "Audit
// trail" (audit.js; read when first opened). tab: the one to open with.
export async function serversView(main, accountId, tab = 'servers') {
  const [account, keys] = await Promise.all([api('GET', `/integrated-account/${enc(accountId)}`),
    session.all() ? api('GET', '/api-key').catch(() => null) : null]);
  const keyNames = new Map(((keys && keys.items) || []).map((k) => [`apikey:${k.id}`, k.name]));
  // "apikey:ak_…" said as the key's name when it is known; "cli:root" as is
  const by = (s) => (keyNames.has(s) ? h('span', { title: `API key ${s.slice(7)}` }, keyNames.get(s)) : h('code', null, s || '—'));
  const cursors = [null]; // cursors[i]: the cursor of page i
  let page = 0;
  const body = h('div', { class: 'list-body' });

  const load = async () => {
    fill(body, h('p', { class: 'loading' }, 'Loading…'));
    let res;
    try {
      res = await api('GET', `/integrated-account/${enc(accountId)}/mcp${q({ limit: PAGE, cursor: cursors[page] })}`);
    } catch (err) {
      fill(body, problem(err));
      return;
    }
    if (res.next_cursor) cursors[page + 1] = res.next_cursor;
    const items = res.items || [];
    if (!items.length && page === 0) {
      fill(body, h('div', { class: 'empty' },
        h('p', null, h('strong', null, 'No MCP server for this account yet.')),
        h('p', null, 'Create one: give it a name, choose what it may do and when it expires, then copy its URL into ChatGPT, Claude or another MCP client.')));
      return;
    }
    const prev = h('button', { type: 'button', disabled: page === 0 }, '← Previous');
    const next = h('button', { type: 'button', disabled: !res.next_cursor }, 'Next →');
    prev.addEventListener('click', () => { page--; load(); });
    next.addEventListener('click', () => { page++; load(); });
    fill(body,
      h('div', { class: 'table-wrap' }, h('table', null,
        h('caption', { class: 'sr-only' }, `MCP servers of ${account.name}, page ${page + 1}`),
        h('thead', null, h('tr', null, ['Name', 'Methods', 'Tags', 'Needs API key', 'Tool mode', 'Expires', 'Created']
          .map((c) => h('th', { scope: 'col' }, c)), h('th', { scope: 'col' }, h('span', { class: 'sr-only' }, 'Actions')))),
        h('tbody', null, items.map((s) => h('tr', null,
          h('td', { 'data-label': 'Name' }, h('a', { href: `#/accounts/${accountId}/servers/${s.id}` }, s.name)),
          h('td', { 'data-label': 'Methods' }, words(s.config.methods)),
          h('td', { 'data-label': 'Tags' }, words(s.config.tags)),
          h('td', { 'data-label': 'Needs API key' }, s.config.require_api_token_auth ? 'yes' : 'no'),
          h('td', { 'data-label': 'Tool mode' }, s.config.tool_mode || 'auto'),
          h('td', { 'data-label': 'Expires', class: 'nowrap', title: s.expires_at ? when(s.expires_at) : null }, expiresIn(s.expires_at)),
          h('td', { 'data-label': 'Created', title: when(s.created_at) },
            h('span', { class: 'nowrap' }, whenShort(s.created_at)), h('span', { class: 'by' }, 'by ', by(s.created_by))),
          h('td', { class: 'row-actions' },
            h('a', { class: 'button small', href: `#/accounts/${accountId}/servers/${s.id}`, 'aria-label': `Edit ${s.name}` }, 'Edit'),
            h('button', { type: 'button', class: 'small danger', 'aria-label': `Revoke ${s.name}`,
              onclick: () => revoke(accountId, s, load) }, 'Revoke'))))))),
      h('div', { class: 'pager' }, prev, h('span', { 'aria-live': 'polite' }, `Page ${page + 1}`), next));
    if (!items.length && page > 0) {
      page--;
      load();
    }
  };

  // Tabs (WAI-ARIA tabs pattern: arrows move between them).
  const tabs = [['servers', 'MCP servers'], ['account', 'Account'], ['audit', 'Audit trail']];
  const panels = {};
  const buttons = tabs.map(([key, label], i) => h('button', {
    type: 'button', role: 'tab', id: `tab-${key}`, 'aria-controls': `panel-${key}`,
    'aria-selected': i === 0 ? 'true' : 'false', tabindex: i === 0 ? '0' : '-1',
  }, label));
  let audit = null;
  const openAudit = async () => {
    if (audit) return;
    // the account's servers name the ids in entries and suggest filters
    const list = await api('GET', `/integrated-account/${enc(accountId)}/mcp${q({ limit: 100 })}`).catch(() => ({ items: [] }));
    audit = auditPanel(accountId, (list.items || []).map((s) => ({ id: s.id, name: s.name })));
    fill(panels.audit, audit.panel);
    await audit.load();
  };
  const show = (i) => {
    buttons.forEach((b, j) => {
      b.setAttribute('aria-selected', i === j ? 'true' : 'false');
      b.tabIndex = i === j ? 0 : -1;
      panels[tabs[j][0]].hidden = i !== j;
    });
    if (tabs[i][0] === 'audit') return openAudit();
    return null;
  };
  const select = (i) => {
    const p = show(i);
    buttons[i].focus();
    return p;
  };
  buttons.forEach((b, i) => {
    b.addEventListener('click', () => select(i));
    b.addEventListener('keydown', (e) => {
      const n = { ArrowRight: 1, ArrowLeft: -1 }[e.key];
      if (n) select((i + n + tabs.length) % tabs.length);
      if (e.key === 'Home') select(0);
      if (e.key === 'End') select(tabs.length - 1);
    });
  });
  panels.servers = h('section', { role: 'tabpanel', id: 'panel-servers', 'aria-labelledby': 'tab-servers', tabindex: '0' },
    h('div', { class: 'panel-head' },
      h('p', null, 'Each MCP server is a URL with a scope (the tools it offers) and an optional expiry.'),
      h('a', { class: 'button primary', href: `#/accounts/${accountId}/new` }, 'Create MCP server')),
    body);
  panels.account = h('section', { role: 'tabpanel', id: 'panel-account', 'aria-labelledby': 'tab-account', tabindex: '0', hidden: true },
    h('dl', { class: 'facts' },
      h('dt', null, 'Name'), h('dd', null, account.name),
      h('dt', null, 'Cloudflare account id'), h('dd', null, h('code', null, account.account_id)),
      h('dt', null, 'Cloudflare API token'), h('dd', null, account.has_api_token ? 'stored, encrypted (never shown)' : 'none'),
      h('dt', null, 'Connected'), h('dd', null, when(account.created_at)),
      h('dt', null, 'Connected by'), h('dd', null, h('code', null, account.created_by || '—'))),
    h('p', null, 'Rotate the token or remove the account from the ', h('a', { href: '#/accounts' }, 'accounts list'), '.'));
  panels.audit = h('section', { role: 'tabpanel', id: 'panel-audit', 'aria-labelledby': 'tab-audit', tabindex: '0', hidden: true },
    h('p', { class: 'loading' }, 'Loading…'));

  fill(main, crumbs(account), heading(account.name),
    h('div', { role: 'tablist', 'aria-label': 'Account', class: 'tabs' }, buttons),
    panels.servers, panels.account, panels.audit);
  await load();
  const start = tabs.findIndex(([k]) => k === tab);
  if (start > 0) await show(start);
  return `${account.name} · MCP servers`;
}

function revoke(accountId, s, reload) {
  return confirmDialog({
    title: `Revoke “${s.name}”?`,
    body: [h('p', null, 'Its URL stops working at once: every client using it gets “not found” from its next request. This cannot be undone; create a new one if you need it again.')],
    confirm: 'Revoke MCP server',
    action: () => api('DELETE', `/integrated-account/${enc(accountId)}/mcp/${enc(s.id)}`),
  }).then((done) => {
    if (done) {
      toast(`Revoked “${s.name}”. Its URL no longer works.`);
      reload();
    }
    return done;
  });
}

// ---- the scope form (create and edit) ------------------------------------------

// Name, methods, tags, API-key requirement and expiry, with a live preview
// from GET .../tools. initial: an MCP server (edit) or null (create).
function scopeForm({ accountId, catalogue, initial, submitLabel, onSubmit }) {
  const all = catalogue.tools;
  const tagCount = new Map();
  for (const t of all) for (const g of t.tags) tagCount.set(g, (tagCount.get(g) || 0) + 1);
  const methodKeys = [...new Set(all.map((t) => t.method))].sort();

  const name = field({ label: 'Name', input: h('input', { type: 'text', maxlength: '100', required: true, autocomplete: 'off',
    value: initial ? initial.name : '' }), hint: 'Say who or what uses it: “ChatGPT – DNS audit”.' });

  // methods: a preset, or a choice of classes, methods and tools
  const im = initial ? initial.config.methods : ['read'];
  const same = (a, b) => a.length === b.length && a.every((x) => b.includes(x));
  const start = (ACCESS.find(([, , w]) => w && same(w, im)) || ACCESS[3])[0];
  const custom = h('div', { class: 'custom-methods', hidden: start !== 'custom' });
  const pick = (label, list, note) => group({
    legend: label, class: 'compact',
    items: list.map((w) => choice({ name: 'm', value: w, label: w, checked: start === 'custom' && im.includes(w), note: note && note(w), onchange: changed })),
  });
  const classes = pick('Classes', ['read', 'write', 'custom'], (w) => ({ read: 'list + get', write: 'create + update + delete', custom: 'the rest' }[w]));
  const methods = pick('Methods', methodKeys.filter((w) => !['read', 'write', 'custom'].includes(w)));
  const toolPick = pick('Single tools', all.map((t) => t.name));
  fill(custom, classes.wrap, methods.wrap, h('details', null, h('summary', null, `Single tools (${all.length})`), toolPick.wrap));
  const access = group({
    legend: 'What it may do',
    items: ACCESS.map(([key, label, , note]) => choice({ type: 'radio', name: 'access', value: key, label, note, checked: key === start, onchange: changed })),
  });
  access.wrap.querySelector('.choices').after(custom);

  const tags = group({
    legend: 'Tags', class: 'compact',
    hint: 'None ticked: every tag. Ticked: only tools with at least one of them (and the methods above).',
    items: [...tagCount.keys()].sort().map((g) => choice({ name: 'tag', value: g, label: g, note: `${tagCount.get(g)} tool${tagCount.get(g) === 1 ? '' : 's'}`,
      checked: initial ? initial.config.tags.includes(g) : false, onchange: changed })),
  });

  const reqId = uid('req');
  const req = h('div', { class: 'field' }, h('div', { class: 'choice' },
    h('input', { type: 'checkbox', id: reqId, checked: initial ? initial.config.require_api_token_auth : false, 'aria-describedby': `${reqId}-hint` }),
    h('label', { for: reqId }, 'Require an API key too')),
  h('p', { class: 'hint', id: `${reqId}-hint` }, 'Clients must also send Authorization: Bearer <API key>. ChatGPT and Claude’s custom connectors cannot send it: leave this off for them.'));

  // tool mode (README "tool_mode"): how tools/list presents the scope
  const modeId = uid('mode');
  const modeNow = initial ? (initial.config.tool_mode || 'auto') : 'auto';
  const mode = h('div', { class: 'field' },
    h('label', { for: modeId }, 'Tool mode'),
    h('select', { id: modeId, 'aria-describedby': `${modeId}-hint` },
      [['auto', 'Auto'], ['tools', 'Tools'], ['discovery', 'Discovery']]
        .map(([v, l]) => h('option', { value: v, selected: v === modeNow }, l))),
    h('p', { class: 'hint', id: `${modeId}-hint` }, 'Tools: one tool per operation. Discovery: three tools (search, describe, call), for clients that cap the number of tools. Auto: tools up to 100 operations, else discovery. The scope holds either way.'));

  // expiry
  const presets = initial
    ? [['keep', initial.expires_at ? `Keep (${expiresIn(initial.expires_at)})` : 'Keep (never expires)', undefined],
      ...PRESETS.map(([k, l, s]) => [k, s ? `${l} from now` : k === 'never' ? 'Never (remove the expiry)' : l, s])]
    : PRESETS;
  const at = h('input', { type: 'datetime-local', step: '1', id: uid('at'), 'aria-label': 'Expiry date and time (local)' });
  const atHint = h('p', { class: 'hint', id: `${at.id}-hint` }, `Your local time. At least ${MIN_AHEAD} seconds from now (the server refuses anything sooner).`);
  at.setAttribute('aria-describedby', atHint.id);
  const atWrap = h('div', { class: 'at', hidden: true }, at, atHint);
  const expiry = group({
    legend: 'Expires', class: 'compact',
    items: presets.map(([k, l]) => choice({ type: 'radio', name: 'exp', value: k, label: l, checked: k === (initial ? 'keep' : '7d'),
      onchange: () => { atWrap.hidden = expiryKey() !== 'at'; if (!atWrap.hidden) at.focus(); } })),
  });
  expiry.wrap.querySelector('.choices').after(atWrap);
  at.addEventListener('change', () => expiry.error(null));
  const expiryKey = () => (expiry.wrap.querySelector('input[name="exp"]:checked') || {}).value;

  // the live preview
  const preview = h('div', { class: 'preview', 'aria-live': 'polite', id: uid('preview') });
  const general = h('div');
  const btn = h('button', { type: 'submit', class: 'primary' }, submitLabel);
  let seq = 0, timer, refused = null;

  function methodWords() {
    const a = (access.wrap.querySelector('input[name="access"]:checked') || {}).value;
    custom.hidden = a !== 'custom';
    if (a !== 'custom') return ACCESS.find(([k]) => k === a)[2];
    return [...custom.querySelectorAll('input[name="m"]:checked')].map((i) => i.value);
  }
  const tagWords = () => [...tags.wrap.querySelectorAll('input[name="tag"]:checked')].map((i) => i.value);

  async function update() {
    const mine = ++seq;
    const m = methodWords(), t = tagWords();
    access.error(null);
    if (m.length === 0 && !custom.hidden) {
      refused = 'Tick at least one class, method or tool.';
      fill(preview, h('p', { class: 'bad' }, refused));
      btn.disabled = true;
      return;
    }
    fill(preview, h('p', { class: 'muted' }, 'Counting tools…'));
    try {
      const r = await api('GET', `/integrated-account/${enc(accountId)}/tools${q({ methods: m.join(','), tags: t.join(',') })}`);
      if (mine !== seq) return;
      refused = null;
      btn.disabled = false;
      fill(preview,
        h('p', null, h('strong', null, `${r.count} of ${all.length} tools`), ` · tools/list is ${size(r.bytes)}`),
        h('details', null, h('summary', null, 'Which tools'),
          h('ul', { class: 'tool-list' }, r.tools.map((x) => h('li', null, h('code', null, x.name), h('span', { class: `cls ${x.class}` }, x.class))))));
    } catch (err) {
      if (mine !== seq) return;
      if (err instanceof ApiError && err.status === 400) {
        refused = /no tool matches/.test(err.message)
          ? 'No tool matches these methods and tags together: nothing would be callable. Widen the methods or the tags.'
          : err.message;
        btn.disabled = true;
        fill(preview, h('p', { class: 'bad', role: 'alert' }, refused));
      } else {
        fill(preview, problem(err));
      }
    }
  }
  function changed() {
    clearTimeout(timer);
    timer = setTimeout(update, 150);
  }

  const form = h('form', { method: 'post', action: '#', novalidate: true, class: 'card scope-form' },
    general, name.wrap, access.wrap, tags.wrap,
    h('section', { class: 'preview-box', 'aria-label': 'Preview' }, h('h2', null, 'Preview'), preview),
    req, mode, expiry.wrap, h('div', { class: 'actions' }, btn,
      h('a', { class: 'button', href: `#/accounts/${accountId}` }, 'Cancel')));

  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    for (const f of [name, access, tags, expiry]) f.error(null);
    fill(general);
    const body = { name: name.input.value.trim(), config: { methods: methodWords(), tags: tagWords(),
      require_api_token_auth: form.querySelector(`#${reqId}`).checked,
      tool_mode: form.querySelector(`#${modeId}`).value } };
    let bad = false;
    if (!body.name) { name.error('Give it a name.'); bad = true; }
    if (refused) { access.error(refused); bad = true; }
    const k = expiryKey();
    if (k === 'at') {
      const t = at.value ? new Date(at.value) : null;
      if (!t || Number.isNaN(t.getTime())) { expiry.error('Pick a date and time.'); bad = true; }
      else if (t.getTime() < Date.now() + MIN_AHEAD * 1000) { expiry.error(`Pick a time at least ${MIN_AHEAD} seconds from now.`); bad = true; }
      else body.expires_at = t.toISOString().replace(/\.\d{3}Z$/, 'Z');
    } else if (k === 'never') {
      body.expires_at = null;
    } else if (k !== 'keep') {
      body.expires_at = Math.floor(Date.now() / 1000) + PRESETS.find(([p]) => p === k)[2];
    }
    if (bad) {
      const first = form.querySelector('[aria-invalid="true"]');
      if (first) (first.matches('fieldset') ? first.querySelector('input') || first : first).focus();
      return;
    }
    btn.disabled = true;
    try {
      await onSubmit(body);
    } catch (err) {
      if (err instanceof ApiError && /^expires_at/.test(err.message)) expiry.error(err.message);
      else if (err instanceof ApiError && /^config(\.methods|:)/.test(err.message)) access.error(err.message);
      else if (err instanceof ApiError && /^config\.tags/.test(err.message)) tags.error(err.message);
      else if (!placeError(err, { name })) fill(general, problem(err));
      const first = form.querySelector('[aria-invalid="true"]');
      if (first && first !== document.activeElement) (first.matches('fieldset') ? first.querySelector('input') : first).focus();
    } finally {
      btn.disabled = !!refused;
    }
  });
  update();
  return form;
}

// ---- create ------------------------------------------------------------------

export async function createView(main, accountId) {
  const [account, catalogue] = await Promise.all([
    api('GET', `/integrated-account/${enc(accountId)}`),
    api('GET', `/integrated-account/${enc(accountId)}/tools`),
  ]);
  const form = scopeForm({
    accountId, catalogue, initial: null, submitLabel: 'Create MCP server',
    onSubmit: async (body) => {
      const made = await api('POST', `/integrated-account/${enc(accountId)}/mcp`, body);
      created(main, account, made);
    },
  });
  fill(main, crumbs(account, 'Create MCP server'), heading('Create MCP server'),
    h('p', { class: 'lead' }, `A new URL for ${account.name}. Its scope decides which tools a client sees and may call.`), form);
  return `Create MCP server · ${account.name}`;
}

// The URL, shown this once, and how to give it to each client.
function created(main, account, s) {
  const url = s.url;
  const needsKey = s.config.require_api_token_auth;
  const mcpRemote = {
    mcpServers: {
      cloudflare: needsKey
        ? { command: 'npx', args: ['-y', 'mcp-remote', url, '--transport', 'http-only', '--header', 'Authorization: Bearer ${CFMCP_API_TOKEN}'],
          env: { CFMCP_API_TOKEN: '<API key>' } }
        : { command: 'npx', args: ['-y', 'mcp-remote', url, '--transport', 'http-only'] },
    },
  };
  const noHeaders = needsKey ? h('p', { class: 'warn' }, 'This URL requires an API key, which this client cannot send: use mcp-remote below, or make a URL without that requirement.') : null;
  fill(main, crumbs(account, 'MCP server created'), heading('MCP server created'),
    h('div', { class: 'callout', role: 'note' },
      h('p', null, h('strong', null, 'Copy the URL now: it will not be shown again.'),
        ' cfmcp keeps only a hash of it. Whoever has it can use these tools',
        s.expires_at ? ` until ${when(s.expires_at)}` : '', ', so treat it like a password.')),
    secretBox({ label: 'MCP server URL', value: url, id: 'new-url' }),
    h('dl', { class: 'facts' },
      h('dt', null, 'Name'), h('dd', null, s.name),
      h('dt', null, 'Methods'), h('dd', null, words(s.config.methods)),
      h('dt', null, 'Tags'), h('dd', null, words(s.config.tags)),
      h('dt', null, 'API key required'), h('dd', null, needsKey ? 'yes' : 'no'),
      h('dt', null, 'Expires'), h('dd', null, s.expires_at ? `${when(s.expires_at)} (${expiresIn(s.expires_at)})` : 'never')),
    h('h2', null, 'Connect a client'),
    h('section', { class: 'client', 'aria-labelledby': 'c-chatgpt' },
      h('h3', { id: 'c-chatgpt' }, 'ChatGPT'), noHeaders,
      h('ol', null,
        h('li', null, 'Settings → Apps → Advanced settings → turn on ', h('em', null, 'Developer mode'), '.'),
        h('li', null, h('em', null, 'Create app'), ': Name “Cloudflare”, MCP Server URL: the URL above.'),
        h('li', null, 'Authentication: ', h('strong', null, 'No authentication'), '. Tick “I trust this application” → Create.'))),
    h('section', { class: 'client', 'aria-labelledby': 'c-claude' },
      h('h3', { id: 'c-claude' }, 'Claude (claude.ai, Claude Desktop connectors)'), noHeaders,
      h('ol', null,
        h('li', null, 'Settings → Connectors → ', h('em', null, 'Add custom connector'), '.'),
        h('li', null, 'Name “Cloudflare”, Remote MCP server URL: the URL above; leave the OAuth fields empty → Add.'))),
    h('section', { class: 'client', 'aria-labelledby': 'c-remote' },
      h('h3', { id: 'c-remote' }, 'Claude Desktop or Cursor through mcp-remote'),
      h('p', null, 'In claude_desktop_config.json (Claude Desktop) or ~/.cursor/mcp.json (Cursor):'),
      codeBlock(JSON.stringify(mcpRemote, null, 2), 'JSON'),
      needsKey ? h('p', { class: 'hint' }, 'Replace <API key> with an API key allowed on this account.') : null),
    h('div', { class: 'actions' }, h('a', { class: 'button primary', href: `#/accounts/${account.id}` }, 'Done: back to the MCP servers')));
  document.title = `MCP server created · ${account.name} · cfmcp admin`;
  document.getElementById('page-title').focus();
}

// ---- edit ----------------------------------------------------------------------

export async function editView(main, accountId, id) {
  const [account, s, catalogue] = await Promise.all([
    api('GET', `/integrated-account/${enc(accountId)}`),
    api('GET', `/integrated-account/${enc(accountId)}/mcp/${enc(id)}`),
    api('GET', `/integrated-account/${enc(accountId)}/tools`),
  ]);
  const form = scopeForm({
    accountId, catalogue, initial: s, submitLabel: 'Save changes',
    onSubmit: async (body) => {
      const saved = await api('PATCH', `/integrated-account/${enc(accountId)}/mcp/${enc(id)}`, body);
      toast(`Saved “${saved.name}”.`);
      go(`#/accounts/${accountId}`);
    },
  });
  const revokeBtn = h('button', { type: 'button', class: 'danger' }, 'Revoke this MCP server');
  revokeBtn.addEventListener('click', async () => {
    if (await revoke(accountId, s, () => {})) go(`#/accounts/${accountId}`);
  });
  fill(main, crumbs(account, s.name), heading(`Edit “${s.name}”`),
    h('p', { class: 'lead' }, 'The URL stays the same; a new scope or expiry applies from the next request. ',
      s.expires_at ? `It expires ${expiresIn(s.expires_at)} (${when(s.expires_at)}).` : 'It never expires.'),
    form,
    h('section', { class: 'card danger-zone', 'aria-labelledby': 'dz' }, h('h2', { id: 'dz' }, 'Revoke'),
      h('p', null, 'Revoking stops the URL at once, for every client using it.'), revokeBtn));
  return `Edit ${s.name}`;
}
