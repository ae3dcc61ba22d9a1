// keys.js - management API keys (for a "*" key): list, create (the key
// shown once), revoke.
import { api, enc } from './api.js';
import { h, fill, field, group, choice, when, whenShort, expiresIn } from './dom.js';
import { heading, problem, toast, confirmDialog, go, secretBox } from './ui.js';
import { placeError } from './accounts.js';

const EXPIRY = [['30d', '30 days', 30 * 86400], ['90d', '90 days', 90 * 86400], ['1y', '1 year', 365 * 86400], ['never', 'Never', 0]];

function createForm(accounts, onMade) {
  const name = field({ label: 'Name', input: h('input', { type: 'text', maxlength: '100', required: true, autocomplete: 'off' }),
    hint: 'Who or what uses it: “alice”, “deploy bot”.' });
  const scopeAll = choice({ type: 'radio', name: 'acc', value: '*', label: 'Every account (*)', note: 'may also connect accounts and manage API keys', checked: true, onchange: toggle });
  const scopeSome = choice({ type: 'radio', name: 'acc', value: 'some', label: 'Only these accounts', onchange: toggle, note: accounts.length ? null : 'none connected yet' });
  const list = h('div', { class: 'choices sub', hidden: true },
    accounts.map((a) => choice({ name: 'acc-id', value: a.id, label: a.name })));
  const acc = group({ legend: 'Allowed on', items: [scopeAll, scopeSome] });
  acc.wrap.querySelector('.choices').after(list);
  function toggle() {
    list.hidden = acc.wrap.querySelector('input[name="acc"]:checked').value !== 'some';
  }
  const exp = group({ legend: 'Expires', class: 'compact', items: EXPIRY.map(([k, l]) => choice({ type: 'radio', name: 'kexp', value: k, label: l, checked: k === '90d' })) });
  const general = h('div');
  const btn = h('button', { type: 'submit', class: 'primary' }, 'Create API key');
  const form = h('form', { method: 'post', action: '#', novalidate: true, class: 'card', 'aria-labelledby': 'newkey' },
    h('h2', { id: 'newkey' }, 'Create an API key'), general, name.wrap, acc.wrap, exp.wrap, h('div', { class: 'actions' }, btn));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    name.error(null);
    acc.error(null);
    fill(general);
    const body = { name: name.input.value.trim() };
    const some = acc.wrap.querySelector('input[name="acc"]:checked').value === 'some';
    body.accounts = some ? [...list.querySelectorAll('input:checked')].map((i) => i.value) : '*';
    const k = form.querySelector('input[name="kexp"]:checked').value;
    const secs = EXPIRY.find(([x]) => x === k)[2];
    if (secs) body.expires_at = Math.floor(Date.now() / 1000) + secs;
    let bad = false;
    if (!body.name) { name.error('Give the key a name.'); bad = true; }
    if (some && !body.accounts.length) { acc.error('Tick at least one account, or choose every account.'); bad = true; }
    if (bad) {
      const first = form.querySelector('[aria-invalid="true"]');
      (first.matches('fieldset') ? first.querySelector('input') : first).focus();
      return;
    }
    btn.disabled = true;
    try {
      onMade(await api('POST', '/api-key', body));
    } catch (err) {
      if (!placeError(err, { name, accounts: acc })) fill(general, problem(err));
    } finally {
      btn.disabled = false;
    }
  });
  return form;
}

function made(main, k) {
  fill(main, heading('API key created'),
    h('div', { class: 'callout', role: 'note' }, h('p', null, h('strong', null, 'Copy the key now: it will not be shown again.'),
      ' cfmcp keeps only a hash of it. Sign in here with it, or send it as Authorization: Bearer <key>.')),
    secretBox({ label: `API key “${k.name}”`, value: k.token, id: 'new-key' }),
    // a button, not a link: the address is #/keys already, so a link would not re-render
    h('div', { class: 'actions' }, h('button', { type: 'button', class: 'primary', onclick: () => go('#/keys') }, 'Done: back to the API keys')));
  document.title = 'API key created · cfmcp admin';
  document.getElementById('page-title').focus();
}

export async function keysView(main) {
  const [keys, accounts] = await Promise.all([api('GET', '/api-key'), api('GET', '/integrated-account')]);
  const names = new Map((accounts.items || []).map((a) => [a.id, a.name]));
  const items = keys.items || [];
  const revoke = (k) => confirmDialog({
    title: `Revoke the API key “${k.name}”?`,
    body: [h('p', null, 'Whoever uses it is refused from the next request, here and on MCP servers that require an API key. If it is the key you signed in with, you are signed out.')],
    confirm: 'Revoke API key',
    action: () => api('DELETE', `/api-key/${enc(k.id)}`),
  }).then((done) => {
    if (done) {
      toast(`Revoked the API key “${k.name}”.`);
      go('#/keys');
    }
  });
  fill(main, heading('API keys'),
    h('p', { class: 'lead' }, 'Keys for this page and the management API, and for MCP servers that require an API key.'),
    items.length ? h('div', { class: 'table-wrap' }, h('table', null,
      h('caption', { class: 'sr-only' }, 'API keys'),
      h('thead', null, h('tr', null, ['Name', 'Allowed on', 'Expires', 'Created', 'Created by'].map((c) => h('th', { scope: 'col' }, c)),
        h('th', { scope: 'col' }, h('span', { class: 'sr-only' }, 'Actions')))),
      h('tbody', null, items.map((k) => h('tr', null,
        h('td', { 'data-label': 'Name' }, k.name),
        h('td', { 'data-label': 'Allowed on' }, k.accounts === '*' ? 'every account (*)' : k.accounts.map((id) => names.get(id) || id).join(', ')),
        h('td', { 'data-label': 'Expires', title: k.expires_at ? when(k.expires_at) : null }, expiresIn(k.expires_at)),
        h('td', { 'data-label': 'Created', title: when(k.created_at) }, whenShort(k.created_at)),
        h('td', { 'data-label': 'Created by' }, h('code', null, k.created_by || '—')),
        h('td', { class: 'row-actions' }, h('button', { type: 'button', class: 'small danger', 'aria-label': `Revoke ${k.name}`,
          onclick: () => revoke(k) }, 'Revoke'))))))) :
      h('div', { class: 'empty' }, h('p', null, 'No API key. Create one below.')),
    createForm(accounts.items || [], (k) => made(main, k)));
  return 'API keys';
}
