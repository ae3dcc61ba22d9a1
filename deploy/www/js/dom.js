// dom.js - building the page without HTML strings. Everything user-supplied
// (names, ids, messages from the API) goes into the DOM as text nodes or
// attribute values, never through innerHTML, so a name like
// <img src=x onerror=alert(1)> shows as those characters.

// h('button', { class: 'primary', onclick: fn }, 'Save') -> <button>
// Attributes: on<event> functions become listeners; true sets a boolean
// attribute, false/null/undefined leave it out. Children: strings and
// numbers become text nodes; null/false are skipped; arrays are flattened.
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
    else if (k === 'value') el.value = v;
    else if (k === 'checked') el.checked = !!v;
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    if (Array.isArray(c)) append(el, c);
    else if (c instanceof Node) el.appendChild(c);
    else el.appendChild(document.createTextNode(String(c)));
  }
}

// Replace everything inside el.
export function fill(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

// A unique id for label/field pairs.
let seq = 0;
export const uid = (p) => `${p}-${++seq}`;

// "2026-12-31T23:59:59Z" -> a short local date and time; null -> fallback.
export function when(iso, fallback = '—') {
  if (!iso) return fallback;
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return String(iso);
  return d.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}

// A compact local time for tables: "Dec 2, 14:30" (the year when not this one).
export function whenShort(iso, fallback = '—') {
  if (!iso) return fallback;
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return String(iso);
  const opts = { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' };
  if (d.getFullYear() !== new Date().getFullYear()) opts.year = 'numeric';
  return d.toLocaleString(undefined, opts);
}

// Time left until iso, said the way a person would: "in 3 h 5 min", "expired".
export function expiresIn(iso, now = Date.now()) {
  if (!iso) return 'never';
  const s = Math.round((new Date(iso).getTime() - now) / 1000);
  if (!(s > 0)) return 'expired';
  if (s < 60) return `in ${s} s`;
  const m = Math.floor(s / 60), hr = Math.floor(m / 60), d = Math.floor(hr / 24);
  if (d >= 2) return `in ${d} days`;
  if (hr >= 1) return `in ${hr} h${m % 60 ? ` ${m % 60} min` : ''}`;
  return `in ${m} min`;
}

// 12345 -> "12.1 KB"
export function size(bytes) {
  if (bytes < 1024) return `${bytes} bytes`;
  return `${(bytes / 1024).toFixed(1)} KB`;
}

// A field with its label, hint and the place its error goes.
//   field({ label, input, hint }) -> { wrap, input, error(msg) }
export function field({ label, input, hint }) {
  const id = input.id || uid('f');
  input.id = id;
  const hintEl = hint ? h('p', { class: 'hint', id: `${id}-hint` }, hint) : null;
  const errEl = h('p', { class: 'field-error', id: `${id}-error`, hidden: true });
  input.setAttribute('aria-describedby', [hintEl && hintEl.id, errEl.id].filter(Boolean).join(' '));
  const wrap = h('div', { class: 'field' }, h('label', { for: id }, label), input, hintEl, errEl);
  return { wrap, input, error: (msg) => setError(input, errEl, msg) };
}

// A group of checkboxes or radios in a fieldset, with its own error slot.
export function group({ legend, hint, items, class: cls }) {
  const errEl = h('p', { class: 'field-error', id: uid('g-error'), hidden: true });
  const hintEl = hint ? h('p', { class: 'hint' }, hint) : null;
  const fs = h('fieldset', { class: cls ? `group ${cls}` : 'group', 'aria-describedby': errEl.id },
    h('legend', null, legend), hintEl, h('div', { class: 'choices' }, items), errEl);
  return { wrap: fs, error: (msg) => setError(fs, errEl, msg) };
}

// One checkbox or radio with its label.
export function choice({ type = 'checkbox', name, value, label, checked, onchange, note }) {
  const id = uid('c');
  const input = h('input', { type, name, value, id, checked, onchange });
  return h('div', { class: 'choice' }, input, h('label', { for: id }, label, note ? h('span', { class: 'note' }, note) : null));
}

function setError(input, errEl, msg) {
  if (msg) {
    errEl.textContent = msg;
    errEl.hidden = false;
    input.setAttribute('aria-invalid', 'true');
  } else {
    errEl.textContent = '';
    errEl.hidden = true;
    input.removeAttribute('aria-invalid');
  }
}
