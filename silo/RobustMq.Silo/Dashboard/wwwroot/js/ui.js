// Shared pieces of the pages: tables, pager, filter bar, notes, dialogs and toasts.
import { h, replace } from './dom.js';
import { NotAvailable } from './api.js';

/** A page's frame: its title, an optional tool bar, and a body element to fill. */
export function pageFrame(main, title, ...tools) {
  const body = h('div', { class: 'page-body' });
  replace(main, h('header', { class: 'page-head' }, h('h1', { text: title }), h('div', { class: 'tools' }, ...tools)), body);
  document.title = `${title} · RobustMQ`;
  return body;
}

/**
 * A table: columns [{title, value: row => text|Node, class?}], rows; `empty` when there are none.
 * Values are text or nodes built with h(): never markup.
 */
export function table(columns, rows, empty = 'Nothing to show.') {
  if (rows.length === 0) return h('p', { class: 'empty', text: empty });
  return h('div', { class: 'table-wrap' },
    h('table', { class: 'grid' },
      h('thead', {}, h('tr', {}, columns.map((c) => h('th', { class: c.class, text: c.title })))),
      h('tbody', {}, rows.map((row) => h('tr', {}, columns.map((c) => h('td', { class: c.class }, c.value(row))))))));
}

/** Key/value pairs as a two-column table. */
export function details(pairs) {
  return h('table', { class: 'details' }, h('tbody', {}, pairs.map(([k, v]) => h('tr', {}, h('th', { text: k }), h('td', {}, v)))));
}

/** "page N of M" with previous/next, when the answer had meta. */
export function pager(meta, go) {
  if (!meta) return null;
  const pages = Math.max(1, Math.ceil((meta.count ?? 0) / (meta.limit || 1)));
  return h('nav', { class: 'pager', 'aria-label': 'pages' },
    h('button', { class: 'btn', disabled: meta.page <= 1, onclick: () => go(meta.page - 1), text: '‹ Previous' }),
    h('span', { text: `Page ${meta.page} of ${pages} · ${meta.count ?? 0} in all` }),
    h('button', { class: 'btn', disabled: meta.page >= pages, onclick: () => go(meta.page + 1), text: 'Next ›' }));
}

/**
 * A filter bar: fields [{name, label, type?: 'text'|'select', options?: [[value, label]]}], the current values,
 * and what to do with the new ones (Enter or the Search button).
 */
export function filterBar(fields, values, apply) {
  const inputs = {};
  const form = h('form', { class: 'filters', onsubmit: (e) => { e.preventDefault(); apply(Object.fromEntries(Object.entries(inputs).map(([k, el]) => [k, el.value.trim()]))); } },
    fields.map((f) => {
      const input = f.type === 'select'
        ? h('select', { name: f.name }, f.options.map(([v, label]) => h('option', { value: v, selected: (values[f.name] ?? '') === v, text: label })))
        : h('input', { name: f.name, type: 'search', placeholder: f.placeholder ?? f.label, value: values[f.name] ?? '' });
      inputs[f.name] = input;
      return h('label', {}, h('span', { text: f.label }), input);
    }),
    h('button', { class: 'btn btn-primary', type: 'submit', text: 'Search' }),
    h('button', { class: 'btn', type: 'button', text: 'Reset', onclick: () => apply({}) }));
  return form;
}

/** The note shown in place of a page's data when something went wrong: "not available" for a missing route. */
export function problem(error) {
  if (error instanceof NotAvailable) {
    return h('div', { class: 'note unavailable', role: 'note' },
      h('strong', { text: 'Not available on this broker. ' }),
      `This broker version does not serve ${error.path}.`);
  }
  return h('div', { class: 'note error', role: 'alert' }, h('strong', { text: 'Could not load: ' }), error?.message ?? String(error));
}

/** A warning when some nodes did not answer a cluster-wide question. */
export function partial(notAnswering) {
  return notAnswering > 0
    ? h('div', { class: 'note warn', role: 'status', text: `${notAnswering} node(s) did not answer: the list may be incomplete.` })
    : null;
}

let toastArea;
/** A short message in the corner; kind 'ok' or 'error'. */
export function toast(message, kind = 'ok') {
  toastArea ??= document.body.appendChild(h('div', { class: 'toasts', 'aria-live': 'polite' }));
  const el = h('div', { class: `toast toast-${kind}`, text: message });
  toastArea.appendChild(el);
  setTimeout(() => el.remove(), kind === 'error' ? 8000 : 4000);
}

/** A modal question; resolves true when confirmed. */
export function confirmDialog(title, message, confirmLabel = 'Confirm') {
  return new Promise((resolve) => {
    const dialog = h('dialog', { class: 'dialog', 'aria-labelledby': 'dialog-title' },
      h('form', { method: 'dialog' },
        h('h2', { id: 'dialog-title', text: title }),
        h('p', { text: message }),
        h('div', { class: 'dialog-actions' },
          h('button', { class: 'btn', value: 'cancel', text: 'Cancel' }),
          h('button', { class: 'btn btn-danger', value: 'ok', 'data-confirm': '', text: confirmLabel }))));
    dialog.addEventListener('close', () => { resolve(dialog.returnValue === 'ok'); dialog.remove(); });
    document.body.appendChild(dialog);
    dialog.showModal();
  });
}

/**
 * A modal form; fields [{name, label, type?: 'text'|'password'|'number'|'checkbox'|'select'|'textarea', options?,
 * required?, value?, placeholder?}]. Resolves the values (checkboxes as booleans, numbers as numbers or null) or null.
 */
export function formDialog(title, fields, submitLabel = 'Save') {
  return new Promise((resolve) => {
    const inputs = {};
    const rows = fields.map((f) => {
      let input;
      if (f.type === 'select') input = h('select', { name: f.name }, f.options.map(([v, label]) => h('option', { value: v, selected: f.value === v, text: label })));
      else if (f.type === 'textarea') input = h('textarea', { name: f.name, rows: 4, placeholder: f.placeholder, required: f.required, value: f.value });
      else input = h('input', { name: f.name, type: f.type ?? 'text', placeholder: f.placeholder, required: f.required, value: f.type === 'checkbox' ? undefined : f.value, checked: f.type === 'checkbox' && f.value, min: f.min });
      inputs[f.name] = { f, input };
      return h('label', { class: f.type === 'checkbox' ? 'check' : '' }, h('span', { text: f.label }), input);
    });
    let values = null;
    const form = h('form', { method: 'dialog', onsubmit: () => {
      values = Object.fromEntries(Object.entries(inputs).map(([k, { f, input }]) => [k,
        f.type === 'checkbox' ? input.checked : f.type === 'number' ? (input.value === '' ? null : Number(input.value)) : input.value.trim()]));
    } },
      h('h2', { text: title }), ...rows,
      h('div', { class: 'dialog-actions' },
        h('button', { class: 'btn', type: 'button', text: 'Cancel', onclick: () => dialog.close() }),
        h('button', { class: 'btn btn-primary', type: 'submit', 'data-confirm': '', text: submitLabel })));
    const dialog = h('dialog', { class: 'dialog' }, form);
    dialog.addEventListener('close', () => { resolve(values); dialog.remove(); });
    document.body.appendChild(dialog);
    dialog.showModal();
  });
}

/** Runs a change (a write), toasting its outcome; resolves true on success. */
export async function change(action, done) {
  try {
    await action();
    if (done) toast(done);
    return true;
  } catch (error) {
    toast(error.message, 'error');
    return false;
  }
}
