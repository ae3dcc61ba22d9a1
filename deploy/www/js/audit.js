// audit.js - an account's audit trail (issue 16): the newest entries of
// GET /integrated-account/:id/audit, filtered by MCP server, tool, outcome
// and time, a page at a time with "Older" / "Newer". Read-only. Every value
// of an entry goes into the page as text (dom.js), never as HTML: an entry
// holds what clients sent (User-Agent, client name).
import { api, enc, q } from './api.js';
import { h, fill, field, uid } from './dom.js';
import { problem } from './ui.js';

const PAGE = 25;
const OUTCOMES = [['', 'Any outcome'], ['ok', 'ok'], ['tool_error', 'tool error'], ['refused', 'refused'],
  ['invalid', 'invalid arguments'], ['rate_limited', 'rate limited (429)'], ['upstream_error', 'upstream error']];
const ACTIONS = {
  'account.created': 'Account connected', 'account.removed': 'Account removed',
  'account.token_rotated': 'Cloudflare token rotated', 'account.rekeyed': 'Token re-encrypted (rekey)',
  'mcp_server.created': 'MCP server created', 'mcp_server.changed': 'MCP server changed',
  'mcp_server.revoked': 'MCP server revoked', 'api_key.created': 'API key created', 'api_key.revoked': 'API key revoked',
};

// "2026-05-01T10:00:00.123Z" -> local date and time to the second.
function stamp(iso) {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return String(iso || '—');
  return d.toLocaleString(undefined, { year: 'numeric', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', second: '2-digit' });
}

const str = (v) => (typeof v === 'string' || typeof v === 'number' ? String(v) : '');

// The cells of one entry.
function row(e, servers) {
  const call = e.kind === 'tool_call';
  const outcome = call ? str(e.outcome) : `HTTP ${str(e.http_status) || '—'}`;
  const bad = call ? e.outcome && e.outcome !== 'ok' : Number(e.http_status) >= 400;
  const mcp = str(e.mcp_id) || (!call && /^mcp_/.test(str(e.target)) ? str(e.target) : '');
  const mcpName = str(e.mcp_name) || servers.get(mcp) || '';
  const details = call
    ? [e.cf_method || e.cf_path ? h('code', null, `${str(e.cf_method)} ${str(e.cf_path)}`.trim()) : null,
      e.status !== undefined ? h('span', { class: 'by' }, `upstream ${str(e.status)}${e.latency_ms !== undefined ? `, ${str(e.latency_ms)} ms` : ''}`) : null,
      e.cf_ray ? h('span', { class: 'by' }, 'cf-ray ', h('code', null, str(e.cf_ray))) : null,
      e.request_id ? h('span', { class: 'by' }, `request ${str(e.request_id)}`) : null]
    : [e.target ? h('span', null, 'on ', h('code', null, str(e.target))) : null,
      h('span', { class: 'by' }, 'by ', h('code', null, str(e.actor) || '—'))];
  const client = [str(e.client_name), str(e.client_version)].filter(Boolean).join(' ');
  return h('tr', { 'data-id': str(e.id) },
    h('td', { 'data-label': 'Time', class: 'nowrap', title: str(e.time) }, h('time', { datetime: str(e.time) }, stamp(e.time))),
    h('td', { 'data-label': 'Event' }, call ? h('code', null, str(e.tool) || '—') : (ACTIONS[e.action] || str(e.action) || '—'),
      h('span', { class: 'by' }, call ? `tool call${e.class ? `, ${str(e.class)}` : ''}` : 'admin')),
    h('td', { 'data-label': 'Outcome' }, h('span', { class: bad ? 'warn' : null }, outcome)),
    h('td', { 'data-label': 'MCP server' }, mcp ? [mcpName ? h('span', null, mcpName) : null, h('code', { class: 'by' }, mcp)] : '—'),
    h('td', { 'data-label': 'Client', title: str(e.user_agent) || null }, client || str(e.user_agent) || '—'),
    h('td', { 'data-label': 'Details' }, details));
}

// The panel for accountId. servers: [{id, name}] of the account, for the
// MCP server filter's suggestions and the names of revoked ones' ids.
export function auditPanel(accountId, serverList) {
  const servers = new Map(serverList.map((s) => [s.id, s.name]));
  const listId = uid('mcp-ids');
  const mcp = field({ label: 'MCP server id', input: h('input', { type: 'text', name: 'mcp_id', list: listId, autocomplete: 'off', spellcheck: 'false', class: 'mono' }),
    hint: 'mcp_… (suggestions: this account\'s servers)' });
  const tool = field({ label: 'Tool', input: h('input', { type: 'text', name: 'tool', autocomplete: 'off', spellcheck: 'false', class: 'mono' }) });
  const outcome = field({ label: 'Outcome', input: h('select', { name: 'outcome' }, OUTCOMES.map(([v, l]) => h('option', { value: v }, l))) });
  const since = field({ label: 'Since (local time)', input: h('input', { type: 'datetime-local', name: 'since', step: '1' }) });
  const apply = h('button', { type: 'submit', class: 'primary' }, 'Apply filters');
  const reset = h('button', { type: 'reset' }, 'Clear');
  const form = h('form', { method: 'get', action: '#', novalidate: true, class: 'audit-filters', 'aria-label': 'Audit trail filters' },
    h('datalist', { id: listId }, serverList.map((s) => h('option', { value: s.id }, s.name))),
    mcp.wrap, tool.wrap, outcome.wrap, since.wrap, h('div', { class: 'actions' }, apply, reset));
  const status = h('p', { class: 'sr-only', role: 'status', 'aria-live': 'polite' });
  const body = h('div', { class: 'list-body' });
  let filters = {};
  let cursors = [null];
  let page = 0;

  const load = async () => {
    fill(body, h('p', { class: 'loading' }, 'Loading…'));
    let res;
    try {
      res = await api('GET', `/integrated-account/${enc(accountId)}/audit${q({ ...filters, limit: PAGE, cursor: cursors[page] })}`);
    } catch (err) {
      fill(body, problem(err));
      status.textContent = 'The audit trail could not be read.';
      return;
    }
    const items = Array.isArray(res.items) ? res.items : [];
    if (res.next_cursor) cursors[page + 1] = res.next_cursor;
    if (!items.length) {
      fill(body, h('div', { class: 'empty' }, h('p', null, h('strong', null,
        Object.keys(filters).length ? 'No entry matches these filters.' : 'Nothing recorded for this account yet.')),
      h('p', null, 'Tool calls through its MCP servers and changes made to it show here, newest first.')));
      status.textContent = 'No entries.';
      return;
    }
    const newer = h('button', { type: 'button', disabled: page === 0 }, '← Newer');
    const older = h('button', { type: 'button', disabled: !res.next_cursor }, 'Older →');
    newer.addEventListener('click', () => { page--; load(); });
    older.addEventListener('click', () => { page++; load(); });
    fill(body,
      h('div', { class: 'table-wrap' }, h('table', { class: 'audit' },
        h('caption', { class: 'sr-only' }, `Audit trail, newest first, page ${page + 1}`),
        h('thead', null, h('tr', null, ['Time', 'Event', 'Outcome', 'MCP server', 'Client', 'Details'].map((c) => h('th', { scope: 'col' }, c)))),
        h('tbody', null, items.map((e) => row(e, servers))))),
      h('div', { class: 'pager' }, newer, h('span', null, `Page ${page + 1}`), older));
    status.textContent = `Page ${page + 1}: ${items.length} entries.`;
  };

  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const f = {};
    const m = mcp.input.value.trim(), t = tool.input.value.trim();
    if (m) f.mcp_id = m;
    if (t) f.tool = t;
    if (outcome.input.value) f.outcome = outcome.input.value;
    if (since.input.value) {
      const d = new Date(since.input.value); // datetime-local: the browser's local time
      if (Number.isNaN(d.getTime())) {
        since.error('Pick a date and time.');
        since.input.focus();
        return;
      }
      f.since = d.toISOString();
    }
    since.error(null);
    filters = f;
    cursors = [null];
    page = 0;
    load();
  });
  form.addEventListener('reset', () => {
    since.error(null);
    filters = {};
    cursors = [null];
    page = 0;
    setTimeout(load, 0);
  });

  const panel = h('div', null,
    h('div', { class: 'panel-head' }, h('p', null, 'Who did what: every tool call through this account\'s MCP servers and every change to it, newest first. Arguments are never stored, only a hash.')),
    form, status, body);
  return { panel, load };
}
