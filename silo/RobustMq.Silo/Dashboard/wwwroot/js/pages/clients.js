// Clients: the connected clients of every node (/api/v1/clients), searched by client id, user name or peer host;
// a client's detail; kick (DELETE /api/v1/clients/{clientid}) after a confirmation.
import { h, replace, fmt } from '../dom.js';
import { get, del, segment, canWrite } from '../api.js';
import { pageFrame, details, problem, confirmDialog, change, table } from '../ui.js';
import { listPage, rowButton } from '../list.js';

async function kick(clientid, after) {
  if (await confirmDialog('Kick client', `Disconnect client "${clientid}"? It gets DISCONNECT 0x98 (administrative action) and may reconnect.`, 'Kick')) {
    if (await change(() => del(`/clients/${segment(clientid)}`), `Client ${clientid} kicked`)) after();
  }
}

export const clients = listPage({
  title: 'Clients',
  path: '/clients',
  filters: [
    { name: 'clientid', label: 'Client ID' },
    { name: 'username', label: 'Username' },
    { name: 'peerhost', label: 'Peer host' },
  ],
  empty: 'No connected client matches.',
  columns: [
    { title: 'Client ID', value: (c) => h('a', { href: `#/clients/${segment(c.clientid)}`, class: 'clientid', text: c.clientid }) },
    { title: 'Username', value: (c) => fmt.text(c.username) },
    { title: 'Peer', value: (c) => fmt.text(c.peername) },
    { title: 'Protocol', value: (c) => fmt.protocol(c.proto_ver) },
    { title: 'Keepalive', class: 'num', value: (c) => `${c.keepalive} s` },
    { title: 'Clean start', value: (c) => fmt.bool(c.clean_start) },
    { title: 'Connected at', value: (c) => fmt.time(c.connected_at) },
    { title: 'Node', value: (c) => fmt.text(c.node) },
  ],
  // The kick answers before the connection has closed: the row goes at once, the list is read again a moment later.
  actions: (c, reload) => [rowButton('Kick', (e) => {
    const row = e.currentTarget.closest('tr');
    kick(c.clientid, () => { row.remove(); setTimeout(reload, 1500); });
  }, 'btn-danger')],
});

/**
 * #/clients/{clientid}: one client (/api/v1/clients/{clientid}) and its subscriptions as its session holds them
 * (/api/v1/sessions/{clientid}); a client that is not connected shows its stored session, if it has one.
 */
export const client = {
  title: 'Client',
  render(main, route) {
    const clientid = route.rest;
    const body = pageFrame(main, `Client ${clientid}`, h('a', { class: 'btn', href: '#/clients', text: '‹ Clients' }));
    const info = h('div', {}, h('p', { class: 'loading', text: 'Loading…' }));
    const subs = h('div', {});
    body.append(info, h('h2', { text: 'Subscriptions' }), subs);
    const session = get(`/sessions/${segment(clientid)}`);
    session.then((s) => {
      replace(subs, table([
        { title: 'Topic', value: (r) => r.topic }, { title: 'QoS', value: (r) => String(r.qos) },
        { title: 'No Local', value: (r) => fmt.bool(r.nl === 1) }, { title: 'Node', value: (r) => fmt.text(r.node) },
      ], s.subscriptions || [], 'No subscriptions.'));
    }, (error) => replace(subs, error.status === 404 ? h('p', { class: 'empty', text: 'No session.' }) : problem(error)));
    get(`/clients/${segment(clientid)}`).then((c) => {
      replace(info, details([
        ['Client ID', c.clientid], ['Username', fmt.text(c.username)], ['Peer', fmt.text(c.peername)],
        ['Protocol', fmt.protocol(c.proto_ver)], ['Keepalive', `${c.keepalive} s`], ['Clean start', fmt.bool(c.clean_start)],
        ['Session expiry', `${c.expiry_interval} s`], ['Connected at', fmt.time(c.connected_at)], ['Node', fmt.text(c.node)],
      ]), canWrite() ? h('div', { class: 'actions-bar' }, h('button', { class: 'btn btn-danger', text: 'Kick', onclick: () => kick(clientid, () => route.go('#/clients')) })) : null);
    }, (error) => {
      if (error.status !== 404) {
        replace(info, problem(error));
        return;
      }

      // Not connected: its stored session, when it has one.
      session.then((s) => replace(info,
        h('div', { class: 'note', text: `Client "${clientid}" is not connected; its session is stored.` }),
        details([
          ['Client ID', s.clientid], ['Username', fmt.text(s.username)], ['Protocol', fmt.protocol(s.proto_ver)],
          ['Session expiry', `${s.expiry_interval} s`], ['Created at', fmt.time(s.created_at)], ['Persistent', fmt.bool(s.persistent)],
          ['Queued messages', String(s.mqueue_len ?? 0)], ['Subscriptions', String(s.subscriptions_cnt ?? 0)], ['Last node', fmt.text(s.node)],
        ])),
      () => replace(info, h('div', { class: 'note warn', text: `Client "${clientid}" is not connected and has no stored session.` })));
    });
  },
};
