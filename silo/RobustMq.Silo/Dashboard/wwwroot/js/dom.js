// Building DOM nodes without HTML strings: every value goes in as text (createTextNode / textContent), never as markup.

/**
 * h('a', {href: '#/x', class: 'btn', onclick: fn}, 'text', childNode, [more], null)
 * Attributes named on* take functions (event listeners); `style` an object of CSS properties; `text`, `class` and
 * others are set as attributes.
 */
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs ?? {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith('on') && typeof value === 'function') el.addEventListener(key.slice(2), value);
    else if (key === 'text') el.textContent = String(value);
    else if (key === 'value') el.value = String(value);
    else if (key === 'checked') el.checked = Boolean(value);
    // Through CSSOM: the Content-Security-Policy refuses style attributes.
    else if (key === 'style') Object.assign(el.style, value);
    else el.setAttribute(key, value === true ? '' : String(value));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children) {
    if (child === undefined || child === null || child === false) continue;
    if (Array.isArray(child)) append(el, child);
    else if (child instanceof Node) el.appendChild(child);
    else el.appendChild(document.createTextNode(String(child)));
  }
}

/** Replaces an element's children. */
export function replace(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

/** An SVG element (namespaced), attributes as given. */
export function svg(tag, attrs, ...children) {
  const el = document.createElementNS('http://www.w3.org/2000/svg', tag);
  for (const [key, value] of Object.entries(attrs ?? {})) el.setAttribute(key, String(value));
  for (const child of children) if (child) el.appendChild(child instanceof Node ? child : document.createTextNode(String(child)));
  return el;
}

const numberFormat = new Intl.NumberFormat('en-US');
const rateFormat = new Intl.NumberFormat('en-US', { maximumFractionDigits: 1 });
const axisFormat = new Intl.NumberFormat('en-US', { maximumFractionDigits: 2 });

export const fmt = {
  number: (n) => (n === undefined || n === null ? '–' : numberFormat.format(n)),
  axis: (n) => axisFormat.format(n),
  rate: (n) => (n === undefined || n === null || Number.isNaN(n) ? '–' : rateFormat.format(n)),
  bool: (b) => (b === undefined || b === null ? '–' : b ? 'yes' : 'no'),
  text: (s) => (s === undefined || s === null || s === '' ? '–' : String(s)),
  /** An ISO date, epoch milliseconds or epoch seconds as local time. */
  time(value) {
    if (value === undefined || value === null || value === '') return '–';
    let date;
    if (typeof value === 'number') date = new Date(value < 1e11 ? value * 1000 : value);
    else date = new Date(value);
    if (Number.isNaN(date.getTime())) return String(value);
    // Local time as 2026-12-02 13:50:13: compact, sortable, the same in every locale.
    const two = (n) => String(n).padStart(2, '0');
    return `${date.getFullYear()}-${two(date.getMonth() + 1)}-${two(date.getDate())} ${two(date.getHours())}:${two(date.getMinutes())}:${two(date.getSeconds())}`;
  },
  duration(seconds) {
    if (seconds === undefined || seconds === null) return '–';
    const s = Math.floor(seconds);
    const d = Math.floor(s / 86400), hh = Math.floor((s % 86400) / 3600), mm = Math.floor((s % 3600) / 60), ss = s % 60;
    return d > 0 ? `${d}d ${hh}h ${mm}m` : hh > 0 ? `${hh}h ${mm}m ${ss}s` : mm > 0 ? `${mm}m ${ss}s` : `${ss}s`;
  },
  bytes(n) {
    if (n === undefined || n === null) return '–';
    const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
    let i = 0, v = n;
    while (v >= 1024 && i < units.length - 1) { v /= 1024; i++; }
    return `${i === 0 ? v : v.toFixed(1)} ${units[i]}`;
  },
  protocol: (v) => ({ 3: '3.1', 4: '3.1.1', 5: '5.0' })[v] ?? fmt.text(v),
};
