// The dashboard's shell: login, the left navigation and a router over the URL's fragment (#/clients?clientid=x).
import { h, replace } from './dom.js';
import { session, login, logout, canWrite } from './api.js';
import { overview } from './pages/overview.js';
import { clients, client } from './pages/clients.js';
import { sessions, subscriptions, topics, retained, nodes } from './pages/mqtt.js';
import { users, acl, blacklist } from './pages/access.js';
import { trace, slow, alarms, topicMetrics } from './pages/diagnose.js';

const NAV = [
  ['Monitoring', [['overview', overview], ['nodes', nodes], ['clients', clients], ['sessions', sessions], ['subscriptions', subscriptions], ['topics', topics], ['retained', retained]]],
  ['Access control', [['users', users], ['acl', acl], ['blacklist', blacklist]]],
  ['Diagnose', [['trace', trace], ['slow-subscriptions', slow], ['topic-metrics', topicMetrics], ['alarms', alarms]]],
];
const PAGES = new Map(NAV.flatMap(([, items]) => items));

const root = document.getElementById('app');
let cleanup = null;

/** The fragment as {name, rest, params}: '#/clients/a%2Fb?x=1' → {name: 'clients', rest: 'a/b', params: {x: '1'}}. */
function parse() {
  const raw = location.hash.replace(/^#\/?/, '');
  const [path, search = ''] = raw.split('?');
  const slash = path.indexOf('/');
  const name = slash < 0 ? path : path.slice(0, slash);
  let rest = '';
  if (slash >= 0) {
    try { rest = decodeURIComponent(path.slice(slash + 1)); } catch { rest = path.slice(slash + 1); }
  }
  return { name: name || 'overview', rest, params: Object.fromEntries(new URLSearchParams(search)) };
}

function hashOf(name, params) {
  const q = new URLSearchParams(Object.entries(params).filter(([, v]) => v !== undefined && v !== null && v !== '')).toString();
  return `#/${name}${q ? `?${q}` : ''}`;
}

function render() {
  if (cleanup) { cleanup(); cleanup = null; }
  const route = parse();
  const s = session();
  if (route.name === 'login' || !s) {
    showLogin();
    return;
  }
  const page = route.name === 'clients' && route.rest ? client : PAGES.get(route.name);
  const main = h('main', { class: 'main', id: 'main' });
  replace(root, shell(s, route.name), main);
  root.className = 'layout';
  if (!page) {
    replace(main, h('div', { class: 'note error', text: `No page "${route.name}".` }));
    return;
  }
  const context = {
    ...route,
    navigate: (params) => { location.hash = hashOf(route.name, params); },
    go: (hash) => { location.hash = hash; },
  };
  try {
    cleanup = page.render(main, context) ?? null;
  } catch (error) {
    replace(main, h('div', { class: 'note error', role: 'alert', text: `This page failed: ${error.message}` }));
    throw error;
  }
}

function shell(s, current) {
  return h('aside', { class: 'sidebar' },
    h('div', { class: 'brand' }, h('img', { src: 'icon.svg', alt: '', width: 24, height: 24 }), h('span', { text: 'RobustMQ' })),
    h('nav', { 'aria-label': 'pages' }, NAV.map(([group, items]) => h('div', { class: 'nav-group' },
      h('div', { class: 'nav-title', text: group }),
      items.map(([name, page]) => h('a', { href: `#/${name}`, class: name === current ? 'active' : '', 'data-page': name, text: page.title }))))),
    h('div', { class: 'who' },
      h('div', {}, h('span', { class: 'user', text: s.username }), ' ', h('span', { class: `tag ${canWrite() ? 'tag-ok' : 'tag-off'}`, text: s.role })),
      h('button', { class: 'btn btn-small', id: 'logout', text: 'Log out', onclick: logout })));
}

function showLogin() {
  root.className = 'login-layout';
  document.title = 'Log in · RobustMQ';
  const message = h('div', { class: 'login-message', role: 'alert' });
  const username = h('input', { name: 'username', id: 'username', autocomplete: 'username', required: true, autofocus: true });
  const password = h('input', { name: 'password', id: 'password', type: 'password', autocomplete: 'current-password', required: true });
  const submit = h('button', { class: 'btn btn-primary', type: 'submit', text: 'Log in' });
  const form = h('form', { class: 'login card', onsubmit: async (e) => {
    e.preventDefault();
    submit.disabled = true;
    replace(message);
    try {
      await login(username.value, password.value);
      // Back to the page that asked for the login (a 401 there), or the overview.
      if (parse().name === 'login') location.hash = '#/overview';
      else render();
    } catch (error) {
      replace(message, error.message);
    } finally {
      submit.disabled = false;
    }
  } },
    h('div', { class: 'brand' }, h('img', { src: 'icon.svg', alt: '', width: 32, height: 32 }), h('span', { text: 'RobustMQ' })),
    h('h1', { text: 'Log in' }),
    h('label', {}, h('span', { text: 'Username' }), username),
    h('label', {}, h('span', { text: 'Password' }), password),
    message, submit,
    h('p', { class: 'muted', text: 'An admin account of the broker (first start: admin / public, from the node itself).' }));
  replace(root, form);
  username.focus();
}

window.addEventListener('hashchange', render);
render();
