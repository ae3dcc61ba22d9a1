// ui.js - pieces every view uses: headings, alerts, the toast, navigation,
// the confirmation dialog and the copy button.
import { ApiError } from './api.js';
import { h } from './dom.js';

// Go to a view; the same hash again re-renders it.
export function go(hash) {
  if (location.hash === hash) window.dispatchEvent(new HashChangeEvent('hashchange'));
  else location.hash = hash;
}

// A view's heading: focused after each navigation so keyboard and screen
// reader users start at the top of the new content.
export function heading(text) {
  return h('h1', { tabindex: '-1', id: 'page-title' }, text);
}

// A failure the view cannot place next to a field.
export function problem(err) {
  const msg = err instanceof ApiError ? err.message : 'Something went wrong in the page; reload it and try again.';
  return h('div', { class: 'alert', role: 'alert' }, msg);
}

// A short confirmation, read out by screen readers, shown for a few seconds.
let toastTimer;
export function toast(msg) {
  const el = document.getElementById('toast');
  el.textContent = msg;
  el.classList.add('show');
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => el.classList.remove('show'), 6000);
}

// A modal confirmation (<dialog>: focus kept inside, Esc cancels).
// Resolves to true when the person confirms. action() runs before the
// dialog closes; an error it throws is shown in the dialog, and false
// keeps the dialog open without a message (a field error was placed).
export function confirmDialog({ title, body, confirm, danger = true, action, initialFocus }) {
  return new Promise((resolve) => {
    const err = h('p', { class: 'field-error', role: 'alert', hidden: true });
    const yes = h('button', { type: 'button', class: danger ? 'danger' : 'primary' }, confirm);
    const no = h('button', { type: 'button' }, 'Cancel');
    const titleId = `dlg-${Date.now()}`;
    const dlg = h('dialog', { 'aria-labelledby': titleId },
      h('h2', { id: titleId }, title), ...(Array.isArray(body) ? body : [body]), err,
      h('div', { class: 'actions' }, no, yes));
    const close = (v) => {
      dlg.close();
      dlg.remove();
      resolve(v);
    };
    no.addEventListener('click', () => close(false));
    dlg.addEventListener('cancel', (e) => {
      e.preventDefault();
      close(false);
    });
    yes.addEventListener('click', async () => {
      yes.disabled = no.disabled = true;
      try {
        // action() returning false keeps the dialog open (it said why)
        if (action && (await action()) === false) {
          yes.disabled = no.disabled = false;
          return;
        }
        close(true);
      } catch (e) {
        err.textContent = e instanceof ApiError ? e.message : 'That did not work; try again.';
        err.hidden = false;
        yes.disabled = no.disabled = false;
      }
    });
    document.body.appendChild(dlg);
    dlg.showModal();
    (initialFocus || no).focus();
  });
}

// A read-only box with a secret shown once, and a Copy button.
export function secretBox({ label, value, id }) {
  const input = h('input', { type: 'text', readonly: true, value, id, class: 'secret', spellcheck: 'false', autocomplete: 'off' });
  const status = h('span', { class: 'copied', role: 'status' });
  const btn = h('button', { type: 'button', class: 'primary' }, 'Copy');
  btn.addEventListener('click', async () => {
    try {
      await navigator.clipboard.writeText(value);
      status.textContent = 'Copied.';
    } catch {
      // no clipboard permission: select it so Ctrl+C works
      input.focus();
      input.select();
      status.textContent = 'Press Ctrl+C (⌘C) to copy the selected text.';
    }
  });
  input.addEventListener('focus', () => input.select());
  return h('div', { class: 'secret-box' }, h('label', { for: id }, label),
    h('div', { class: 'secret-row' }, input, btn), status);
}

// A block of text (instructions, JSON) with its own Copy button.
export function codeBlock(text, label) {
  const status = h('span', { class: 'copied', role: 'status' });
  const btn = h('button', { type: 'button', class: 'small' }, `Copy ${label}`);
  btn.addEventListener('click', async () => {
    try {
      await navigator.clipboard.writeText(text);
      status.textContent = 'Copied.';
    } catch {
      status.textContent = 'Select the text and copy it.';
    }
  });
  return h('div', { class: 'code' }, h('pre', { tabindex: '0', 'aria-label': label }, text), h('div', { class: 'code-actions' }, btn, status));
}
