// Small DOM helpers: elements, tables, pagers, messages and dialogs.

/** `el('a', {href: '#/x', class: 'b'}, 'text', child)`. Attributes that
 * are functions become event listeners (`onclick`). */
export function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (typeof v === 'function') e.addEventListener(k.replace(/^on/, ''), v);
    else if (v === true) e.setAttribute(k, '');
    else e.setAttribute(k, String(v));
  }
  append(e, children);
  return e;
}

function append(e, children) {
  for (const c of children.flat()) {
    if (c === undefined || c === null || c === false) continue;
    e.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
}

/** A labelled form field; `control` is an input or select. */
export function field(label, control, hint) {
  const id = control.id || `f-${Math.random().toString(36).slice(2, 9)}`;
  control.id = id;
  return el('div', { class: 'field' }, el('label', { for: id }, label), control, hint ? el('small', {}, hint) : null);
}

export function select(name, options, value) {
  const s = el('select', { name });
  for (const [v, text] of options) s.append(el('option', { value: v, selected: v === value }, text));
  return s;
}

export function input(name, value, attrs) {
  return el('input', { name, value: value ?? '', ...(attrs || {}) });
}

/** A table in a scrolling wrapper: `columns` are [header, cell(row)]. */
export function table(caption, columns, rows, empty = 'Nothing to show.') {
  const t = el('table', {}, el('caption', {}, caption));
  t.append(el('thead', {}, el('tr', {}, columns.map(([h]) => el('th', { scope: 'col' }, h)))));
  const body = el('tbody');
  if (rows.length === 0) {
    body.append(el('tr', {}, el('td', { colspan: columns.length, class: 'empty' }, empty)));
  }
  for (const r of rows) {
    body.append(el('tr', {}, columns.map(([h, cell]) => el('td', { 'data-label': h }, cell(r)))));
  }
  t.append(body);
  return el('div', { class: 'table-wrap' }, t);
}

/** "Page 2 of 5 · 43 orders" with previous and next buttons. */
export function pager(what, total, limit, offset, go) {
  const pages = Math.max(1, Math.ceil(total / limit));
  const page = Math.floor(offset / limit) + 1;
  return el(
    'nav',
    { class: 'pager', 'aria-label': `${what} pages` },
    el('button', { type: 'button', class: 'secondary', disabled: page <= 1, onclick: () => go(offset - limit) }, 'Previous page'),
    el('span', { class: 'page-of' }, `Page ${page} of ${pages} · ${total} ${what}`),
    el('button', { type: 'button', class: 'secondary', disabled: page >= pages, onclick: () => go(offset + limit) }, 'Next page'),
  );
}

/** A passing message ("Order X paid."). */
export function notice(text) {
  const n = document.getElementById('notice');
  n.textContent = text;
  hideAlert();
}

/** An error, in words, until the next action. */
export function alertError(err) {
  const a = document.getElementById('alert');
  a.textContent = err && err.message ? err.message : String(err);
  a.hidden = false;
  document.getElementById('notice').textContent = '';
}

export function hideAlert() {
  const a = document.getElementById('alert');
  a.hidden = true;
  a.textContent = '';
}

/** Runs `work` with the button disabled; errors go to the alert. */
export async function action(button, work) {
  if (button) button.disabled = true;
  hideAlert();
  try {
    return await work();
  } catch (e) {
    alertError(e);
    return undefined;
  } finally {
    if (button && button.isConnected) button.disabled = false;
  }
}

/** A modal dialog: resolves with the form's values when confirmed, or
 * null when dismissed. `fields` are nodes placed in the body. */
export function dialog(title, body, okText = 'OK') {
  const d = document.getElementById('dialog');
  const form = document.getElementById('dialog-form');
  document.getElementById('dialog-title').textContent = title;
  const b = document.getElementById('dialog-body');
  b.replaceChildren(...(Array.isArray(body) ? body : [body]).map((x) => (x instanceof Node ? x : el('p', {}, x))));
  document.getElementById('dialog-ok').textContent = okText;
  return new Promise((resolve) => {
    const done = () => {
      d.removeEventListener('close', done);
      if (d.returnValue !== 'ok') return resolve(null);
      resolve(Object.fromEntries(new FormData(form).entries()));
    };
    d.returnValue = '';
    d.addEventListener('close', done);
    d.showModal();
  });
}

/** Saves a Blob as a file via an object URL. */
export function saveBlob(blob, name) {
  const u = URL.createObjectURL(blob);
  const a = el('a', { href: u, download: name, hidden: true });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(u), 60000);
}

/** The hash route's query: `#/orders?status=unpaid` → URLSearchParams. */
export function routeQuery() {
  const h = window.location.hash;
  const i = h.indexOf('?');
  return new URLSearchParams(i < 0 ? '' : h.slice(i + 1));
}

/** Goes to `#/<path>?<query>` (keeping only non-empty values). */
export function go(path, query) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(query || {})) if (v !== undefined && v !== null && v !== '') q.set(k, v);
  const s = q.toString();
  const target = `#/${path}${s ? `?${s}` : ''}`;
  if (window.location.hash === target) window.dispatchEvent(new HashChangeEvent('hashchange'));
  else window.location.hash = target;
}

/** Money as the API gives it (a decimal string), with its currency. */
export function money(amount, currency) {
  if (amount === null || amount === undefined) return '—';
  return currency ? `${amount} ${currency}` : String(amount);
}

export function badge(text, kind) {
  return el('span', { class: `badge badge-${kind}` }, text);
}
