// A few DOM helpers: elements are built from data with textContent, never from HTML
// strings, so nothing the sandbox stores (names, bodies) can inject markup.

export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else if (k === 'class') el.className = v;
    else el.setAttribute(k, v === true ? '' : v);
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children.flat(Infinity)) {
    if (c === undefined || c === null || c === false) continue;
    el.append(c instanceof Node ? c : String(c));
  }
}

export function table(columns, rows, opts = {}) {
  return h('div', {class: 'table-wrap'},
    h('table', {class: opts.class, 'aria-label': opts.label},
      h('thead', {}, h('tr', {}, columns.map((c) => h('th', {scope: 'col'}, c.title)))),
      h('tbody', {}, rows.length ? rows.map((r) => h('tr', opts.rowAttrs ? opts.rowAttrs(r) : {},
        columns.map((c) => h('td', {}, c.cell(r))))) :
        h('tr', {}, h('td', {colspan: columns.length, class: 'empty'}, opts.empty || 'Nothing here yet')))));
}

export function badge(text, kind) {
  return h('span', {class: `badge ${kind || String(text).toLowerCase().replace(/[^a-z]+/g, '-')}`}, text);
}

export function time(iso) {
  if (!iso) return '—';
  return h('time', {datetime: iso, title: iso}, iso.replace('T', ' ').replace('Z', ''));
}

export function link(href, text) {
  return h('a', {href}, text);
}

export function field(label, value) {
  return [h('dt', {}, label), h('dd', {}, value ?? '—')];
}

export function errorBox(err) {
  return h('p', {class: 'error', role: 'alert'}, String(err.message || err));
}

export function pager(page, totalPages, go) {
  return h('div', {class: 'pager'},
    h('button', {type: 'button', disabled: page <= 1, onclick: () => go(page - 1)}, '← Previous'),
    h('span', {}, `Page ${page} of ${Math.max(totalPages, 1)}`),
    h('button', {type: 'button', disabled: page >= totalPages, onclick: () => go(page + 1)}, 'Next →'));
}

export function form(fields, submitText, onsubmit) {
  const f = h('form', {class: 'inline-form'},
    fields, h('button', {type: 'submit'}, submitText));
  f.addEventListener('submit', (e) => {
    e.preventDefault();
    onsubmit(Object.fromEntries(new FormData(f).entries()), f);
  });
  return f;
}

export function input(name, label, attrs = {}) {
  return h('label', {}, label, h('input', {name, ...attrs}));
}

export function select(name, label, options, value) {
  return h('label', {}, label, h('select', {name},
    options.map((o) => h('option', {value: o, selected: o === value}, o || 'any'))));
}
