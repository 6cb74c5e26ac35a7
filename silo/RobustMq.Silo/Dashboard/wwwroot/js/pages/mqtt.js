// Sessions, subscriptions, topics, retained messages and the cluster's nodes: thin lists over /api/v1.
import { h, fmt } from '../dom.js';
import { del, post, segment } from '../api.js';
import { confirmDialog, formDialog, change } from '../ui.js';
import { listPage, rowButton } from '../list.js';

const clientLink = (id) => h('a', { href: `#/clients/${segment(id)}`, text: id });

export const sessions = listPage({
  title: 'Sessions',
  path: '/sessions',
  filters: [
    { name: 'clientid', label: 'Client ID' },
    { name: 'connected', label: 'Connected', type: 'select', options: [['', 'any'], ['true', 'connected'], ['false', 'offline']] },
  ],
  empty: 'No session matches.',
  columns: [
    { title: 'Client ID', value: (s) => clientLink(s.clientid) },
    { title: 'Connected', value: (s) => fmt.bool(s.connected) },
    { title: 'Node', value: (s) => fmt.text(s.node) },
    { title: 'Created at', value: (s) => fmt.time(s.created_at) },
    { title: 'Expiry', class: 'num', value: (s) => `${fmt.number(s.expiry_interval)} s` },
    { title: 'Subscriptions', class: 'num', value: (s) => fmt.number(s.subscriptions_cnt) },
    { title: 'Queued', class: 'num', value: (s) => fmt.number(s.mqueue_len) },
    { title: 'Inflight', class: 'num', value: (s) => fmt.number(s.inflight_cnt) },
  ],
  actions: (s, reload) => [rowButton('Delete', async () => {
    if (await confirmDialog('Delete session', `End the session of "${s.clientid}"? A connected client is kicked; its subscriptions and queued messages are dropped.`, 'Delete')
      && await change(() => del(`/sessions/${segment(s.clientid)}`), `Session ${s.clientid} deleted`)) reload();
  }, 'btn-danger')],
});

export const subscriptions = listPage({
  title: 'Subscriptions',
  path: '/subscriptions',
  filters: [
    { name: 'clientid', label: 'Client ID' },
    { name: 'topic', label: 'Topic' },
    { name: 'qos', label: 'QoS', type: 'select', options: [['', 'any'], ['0', '0'], ['1', '1'], ['2', '2']] },
    { name: 'share_group', label: 'Share group' },
  ],
  empty: 'No subscription matches.',
  columns: [
    { title: 'Client ID', value: (s) => clientLink(s.clientid) },
    { title: 'Topic', class: 'topic', value: (s) => s.topic },
    { title: 'QoS', class: 'num', value: (s) => String(s.qos) },
    { title: 'No local', value: (s) => fmt.bool(s.nl === undefined ? undefined : Boolean(s.nl)) },
    { title: 'Retain as published', value: (s) => fmt.bool(s.rap === undefined ? undefined : Boolean(s.rap)) },
    { title: 'Retain handling', class: 'num', value: (s) => fmt.text(s.rh) },
    { title: 'Node', value: (s) => fmt.text(s.node) },
  ],
  tools: (reload) => [h('button', { class: 'btn btn-primary', text: 'Subscribe a client', onclick: async () => {
    const v = await formDialog('Subscribe a client', [
      { name: 'clientid', label: 'Client ID', required: true },
      { name: 'topic', label: 'Topic filter', required: true },
      { name: 'qos', label: 'QoS', type: 'select', value: '0', options: [['0', '0'], ['1', '1'], ['2', '2']] },
    ], 'Subscribe');
    if (v && await change(() => post(`/clients/${segment(v.clientid)}/subscribe`, { topic: v.topic, qos: Number(v.qos) }), `${v.clientid} subscribed to ${v.topic}`)) reload();
  } })],
  actions: (s, reload) => [rowButton('Unsubscribe', async () => {
    if (await confirmDialog('Unsubscribe', `Unsubscribe "${s.clientid}" from "${s.topic}"?`, 'Unsubscribe')
      && await change(() => post(`/clients/${segment(s.clientid)}/unsubscribe`, { topic: s.topic }), `${s.clientid} unsubscribed from ${s.topic}`)) reload();
  }, 'btn-danger')],
});

/** POST /publish: a message from the dashboard, as if a client had published it. */
async function publish(reload) {
  const v = await formDialog('Publish a message', [
    { name: 'topic', label: 'Topic', required: true },
    { name: 'payload', label: 'Payload (text)', type: 'textarea' },
    { name: 'qos', label: 'QoS', type: 'select', value: '0', options: [['0', '0'], ['1', '1'], ['2', '2']] },
    { name: 'retain', label: 'Retain', type: 'checkbox', value: false },
  ], 'Publish');
  if (v && await change(() => post('/publish', { topic: v.topic, payload: v.payload, payload_encoding: 'plain', qos: Number(v.qos), retain: v.retain }), `Published to ${v.topic}`)) reload();
}

export const topics = listPage({
  title: 'Topics',
  path: '/topics',
  filters: [{ name: 'topic', label: 'Topic' }],
  empty: 'No topic filter has subscribers.',
  columns: [
    { title: 'Topic', class: 'topic', value: (t) => t.topic },
    { title: 'Node', value: (t) => fmt.text(t.node) },
  ],
  tools: (reload) => [h('button', { class: 'btn btn-primary', text: 'Publish', onclick: () => publish(reload) })],
});

/** A retained payload as text when it is printable UTF-8, else its size. */
function payloadPreview(m) {
  try {
    const bytes = Uint8Array.from(atob(m.payload ?? ''), (c) => c.charCodeAt(0));
    const text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    if (/[\u0000-\u0008\u000e-\u001f]/.test(text)) return `(binary, ${fmt.bytes(bytes.length)})`;
    return text.length > 80 ? `${text.slice(0, 80)}…` : text;
  } catch {
    return `(binary, ${fmt.bytes(m.payload_size)})`;
  }
}

export const retained = listPage({
  title: 'Retained messages',
  path: '/retainer/messages',
  filters: [{ name: 'topic', label: 'Topic' }],
  empty: 'No retained message matches.',
  columns: [
    { title: 'Topic', class: 'topic', value: (m) => m.topic },
    { title: 'QoS', class: 'num', value: (m) => String(m.qos) },
    { title: 'Payload', class: 'payload', value: (m) => payloadPreview(m) },
    { title: 'Size', class: 'num', value: (m) => fmt.bytes(m.payload_size) },
    { title: 'Published at', value: (m) => fmt.time(m.publish_at) },
    { title: 'From', value: (m) => fmt.text(m.from_clientid) },
  ],
  tools: (reload) => [h('button', { class: 'btn btn-primary', text: 'Publish', onclick: () => publish(reload) })],
  actions: (m, reload) => [rowButton('Delete', async () => {
    if (await confirmDialog('Delete retained message', `Delete the retained message on "${m.topic}"?`, 'Delete')
      && await change(() => del(`/retainer/message/${segment(m.topic)}`), `Retained message on ${m.topic} deleted`)) reload();
  }, 'btn-danger')],
});

export const nodes = listPage({
  title: 'Cluster nodes',
  path: '/nodes',
  empty: 'No node answered.',
  columns: [
    { title: 'Node', value: (n) => n.node },
    { title: 'Connections', class: 'num', value: (n) => fmt.number(n.connections) },
    { title: 'Routes', class: 'num', value: (n) => fmt.number(n.routes) },
    { title: 'Messages in', class: 'num', value: (n) => fmt.number(n.messages_received) },
    { title: 'Messages out', class: 'num', value: (n) => fmt.number(n.messages_sent) },
    { title: 'Dropped', class: 'num', value: (n) => fmt.number(n.messages_dropped) },
    { title: 'Uptime', class: 'num', value: (n) => fmt.duration(n.uptime_s) },
  ],
});
