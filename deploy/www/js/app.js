// app.js - the admin page: sign-in, the hash router, the frame around the
// views. Every action goes through the management REST API (api.js).
import { api, hooks, session, ApiError } from './api.js';
import { h, fill, field } from './dom.js';
import { go, heading, problem } from './ui.js';
import { accountsView } from './accounts.js';
import { serversView, createView, editView } from './servers.js';
import { keysView } from './keys.js';

const main = document.getElementById('main');
const nav = document.getElementById('nav');
const navKeys = document.getElementById('nav-keys');
let notice = null; // a message for the sign-in page (why the session ended)

function signOut(why) {
  session.end();
  notice = why || null;
  go('#/signin');
}

hooks.onUnauthorized = () => signOut('Your API key stopped working (revoked or expired). Sign in again.');
document.getElementById('signout').addEventListener('click', () => signOut('You are signed out.'));
document.querySelector('.skip').addEventListener('click', (e) => {
  e.preventDefault();
  main.focus();
});

function signinView() {
  const key = field({
    label: 'API key',
    input: h('input', { type: 'password', name: 'apikey', autocomplete: 'off', spellcheck: 'false', required: true }),
  });
  const hint = h('p', { class: 'hint', id: 'apikey-how' }, 'A management API key. ', h('code', null, 'cfmcp-admin apikey create NAME --accounts all'),
    ' prints one; ', h('code', null, 'make run'), ' says where its key is. It is kept in this browser tab only, until you sign out or close the tab.');
  key.input.setAttribute('aria-describedby', `${key.input.getAttribute('aria-describedby')} apikey-how`);
  key.wrap.insertBefore(hint, key.wrap.querySelector('.field-error'));
  const btn = h('button', { type: 'submit', class: 'primary' }, 'Sign in');
  const form = h('form', { method: 'post', action: '#', novalidate: true, class: 'card narrow' },
    notice ? h('p', { class: 'info', role: 'status' }, notice) : null,
    key.wrap, h('div', { class: 'actions' }, btn));
  notice = null;
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const k = key.input.value.trim();
    key.error(null);
    if (!k) {
      key.error('Paste your API key.');
      key.input.focus();
      return;
    }
    btn.disabled = true;
    btn.textContent = 'Signing in…';
    try {
      await api('GET', '/integrated-account', undefined, k);
      // a key for every account may manage API keys: ask, then remember
      let all = false;
      try {
        await api('GET', '/api-key', undefined, k);
        all = true;
      } catch (err) {
        if (!(err instanceof ApiError) || err.status !== 403) throw err;
      }
      session.start(k, all);
      key.input.value = '';
      go('#/accounts');
    } catch (err) {
      key.error(err instanceof ApiError && err.status === 401
        ? 'This API key is not valid: it is unknown, revoked or expired. Check that you pasted all of it.'
        : (err.message || 'Sign-in failed.'));
      key.input.focus();
    } finally {
      btn.disabled = false;
      btn.textContent = 'Sign in';
    }
  });
  fill(main, heading('Sign in'),
    h('p', { class: 'lead' }, 'Manage the Cloudflare accounts connected to this cfmcp server, their MCP server URLs and the API keys.'),
    form);
  return 'Sign in';
}

const routes = [
  [/^#\/signin$/, signinView, false],
  [/^#\/accounts$/, () => accountsView(main), true],
  [/^#\/accounts\/([a-z]{2,4}_[0-9a-f]{16})$/, (m) => serversView(main, m[1]), true],
  [/^#\/accounts\/([a-z]{2,4}_[0-9a-f]{16})\/audit$/, (m) => serversView(main, m[1], 'audit'), true],
  [/^#\/accounts\/([a-z]{2,4}_[0-9a-f]{16})\/new$/, (m) => createView(main, m[1]), true],
  [/^#\/accounts\/([a-z]{2,4}_[0-9a-f]{16})\/servers\/([a-z]{2,4}_[0-9a-f]{16})$/, (m) => editView(main, m[1], m[2]), true],
  [/^#\/keys$/, () => keysView(main), true],
];

let routing = 0;
async function route() {
  const mine = ++routing;
  const hash = location.hash || '#/accounts';
  const signedIn = !!session.key();
  nav.hidden = !signedIn;
  navKeys.hidden = !(signedIn && session.all());
  for (const a of nav.querySelectorAll('a')) {
    if (hash.startsWith(a.getAttribute('href'))) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
  const hit = routes.find(([re]) => re.test(hash));
  if (!signedIn && (!hit || hit[2])) {
    if (hash !== '#/signin') {
      location.replace('#/signin');
      return;
    }
  }
  if (!hit) {
    location.replace(signedIn ? '#/accounts' : '#/signin');
    return;
  }
  if (signedIn && hash === '#/signin') {
    location.replace('#/accounts');
    return;
  }
  fill(main, h('p', { class: 'loading' }, 'Loading…'));
  let title;
  try {
    title = await hit[1](hit[0].exec(hash));
  } catch (err) {
    if (mine !== routing) return;
    fill(main, heading('Something went wrong'), problem(err),
      h('p', null, h('a', { href: '#/accounts' }, 'Back to the accounts')));
    title = 'Error';
  }
  if (mine !== routing) return;
  document.title = `${title} · cfmcp admin`;
  const h1 = document.getElementById('page-title');
  if (h1) h1.focus();
}

window.addEventListener('hashchange', route);
route();
