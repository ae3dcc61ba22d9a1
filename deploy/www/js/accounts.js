// accounts.js - the integrated accounts: list, connect, rotate the
// Cloudflare token, remove.
import { api, enc, session, ApiError } from './api.js';
import { h, fill, field, when } from './dom.js';
import { heading, problem, toast, confirmDialog, go } from './ui.js';

// Put an API error next to the field it names (the API's messages start
// with the member: "name ...", "account_id ...", "api_token ..."); true
// when placed.
export function placeError(err, fields) {
  if (!(err instanceof ApiError)) return false;
  const m = /^(?:unknown field "?)?(?:config[.:] ?)?([a-z_]+)/.exec(err.message);
  const f = m && fields[m[1]];
  if (err.status === 409 && fields.name && /named/.test(err.message)) {
    fields.name.error(err.message);
    fields.name.input.focus();
    return true;
  }
  if (!f) return false;
  f.error(err.message);
  if (f.input) f.input.focus();
  return true;
}

function connectForm(onDone) {
  const name = field({ label: 'Name', input: h('input', { type: 'text', maxlength: '100', required: true, autocomplete: 'off' }),
    hint: 'How you call it here ("Acme production"). Unique.' });
  const acct = field({ label: 'Cloudflare account id', input: h('input', { type: 'text', required: true, autocomplete: 'off', spellcheck: 'false',
    pattern: '[0-9a-f]{32}', inputmode: 'text', class: 'mono' }),
  hint: '32 hex digits: Cloudflare dashboard → Account home → the ⋯ menu of the account → Copy account ID.' });
  const tok = field({ label: 'Cloudflare API token', input: h('input', { type: 'password', required: true, autocomplete: 'off', spellcheck: 'false' }),
    hint: 'Write-only: stored encrypted and never shown again. Give it the permissions the tools need (read-only to start).' });
  const general = h('div');
  const btn = h('button', { type: 'submit', class: 'primary' }, 'Connect account');
  const form = h('form', { method: 'post', action: '#', novalidate: true, class: 'card', 'aria-labelledby': 'connect-title' },
    h('h2', { id: 'connect-title' }, 'Connect an account'), general, name.wrap, acct.wrap, tok.wrap, h('div', { class: 'actions' }, btn));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    for (const f of [name, acct, tok]) f.error(null);
    fill(general);
    const body = { name: name.input.value.trim(), account_id: acct.input.value.trim().toLowerCase(), api_token: tok.input.value.trim() };
    let bad = false;
    if (!body.name) { name.error('Give the account a name.'); bad = true; }
    if (!/^[0-9a-f]{32}$/.test(body.account_id)) { acct.error('The Cloudflare account id is 32 hex digits (0-9, a-f).'); bad = true; }
    if (!body.api_token) { tok.error('Paste the Cloudflare API token.'); bad = true; }
    if (bad) {
      form.querySelector('[aria-invalid="true"]').focus();
      return;
    }
    btn.disabled = true;
    try {
      const a = await api('POST', '/integrated-account', body);
      tok.input.value = '';
      toast(`Connected “${a.name}”.`);
      onDone(a);
    } catch (err) {
      if (!placeError(err, { name, account_id: acct, api_token: tok })) fill(general, problem(err));
    } finally {
      btn.disabled = false;
    }
  });
  return form;
}

function rotateToken(a, reload) {
  const tok = field({ label: 'New Cloudflare API token', input: h('input', { type: 'password', autocomplete: 'off', spellcheck: 'false' }),
    hint: 'Replaces the stored one at once, for every MCP server of this account. Write-only.' });
  return confirmDialog({
    title: `Rotate the Cloudflare token of “${a.name}”`, body: [tok.wrap], confirm: 'Replace token', danger: false,
    initialFocus: tok.input,
    action: async () => {
      tok.error(null);
      const v = tok.input.value.trim();
      if (!v) {
        tok.error('Paste the new token.');
        tok.input.focus();
        return false;
      }
      try {
        await api('PATCH', `/integrated-account/${enc(a.id)}`, { api_token: v });
      } catch (err) {
        if (placeError(err, { api_token: tok })) return false;
        throw err;
      }
      tok.input.value = '';
      return true;
    },
  }).then((done) => {
    if (done) {
      toast(`The Cloudflare token of “${a.name}” was replaced.`);
      reload();
    }
  });
}

function removeAccount(a, reload) {
  return confirmDialog({
    title: `Remove “${a.name}”?`,
    body: [h('p', null, 'Its Cloudflare token is deleted, and ', h('strong', null, 'every MCP server URL of this account is revoked with it'),
      ': clients using them get errors from now on. This cannot be undone.')],
    confirm: 'Remove account and its MCP servers',
    action: () => api('DELETE', `/integrated-account/${enc(a.id)}`),
  }).then((done) => {
    if (done) {
      toast(`Removed “${a.name}” and its MCP servers.`);
      reload();
    }
  });
}

export async function accountsView(main) {
  const list = await api('GET', '/integrated-account');
  const reload = () => go('#/accounts');
  const items = list.items || [];
  const table = items.length ? h('div', { class: 'table-wrap' }, h('table', null,
    h('caption', { class: 'sr-only' }, 'Connected Cloudflare accounts'),
    h('thead', null, h('tr', null, h('th', { scope: 'col' }, 'Name'), h('th', { scope: 'col' }, 'Cloudflare account id'),
      h('th', { scope: 'col' }, 'Connected'), h('th', { scope: 'col' }, h('span', { class: 'sr-only' }, 'Actions')))),
    h('tbody', null, items.map((a) => h('tr', null,
      h('td', { 'data-label': 'Name' }, h('a', { href: `#/accounts/${a.id}` }, a.name)),
      h('td', { 'data-label': 'Cloudflare id' }, h('code', null, a.account_id)),
      h('td', { 'data-label': 'Connected' }, when(a.created_at)),
      h('td', { class: 'row-actions' },
        h('a', { class: 'button small', href: `#/accounts/${a.id}`, 'aria-label': `MCP servers of ${a.name}` }, 'MCP servers'),
        h('button', { type: 'button', class: 'small', 'aria-label': `Rotate token of ${a.name}`, onclick: () => rotateToken(a, reload) }, 'Rotate token'),
        h('button', { type: 'button', class: 'small danger', 'aria-label': `Remove ${a.name}`, onclick: () => removeAccount(a, reload) }, 'Remove'))))))) :
    h('div', { class: 'empty' },
      h('p', null, h('strong', null, 'No Cloudflare account is connected yet.')),
      session.all() ? h('p', null, 'Connect one with the form below: you need its account id and an API token made in the Cloudflare dashboard (My Profile → API Tokens).')
        : h('p', null, 'This API key is not allowed on any account. Ask whoever runs this server for a key for your account.'));
  fill(main, heading('Accounts'),
    h('p', { class: 'lead' }, 'The Cloudflare accounts connected to this server. Open one to create, copy, extend or revoke its MCP server URLs.'),
    table,
    session.all() ? connectForm((a) => go(`#/accounts/${a.id}`))
      : h('p', { class: 'hint' }, 'Only an API key for all accounts can connect new ones.'));
  return 'Accounts';
}
