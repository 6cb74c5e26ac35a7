// Diagnosis: packet traces, slow subscriptions, alarms and per-topic metrics.
import { h, replace, fmt } from '../dom.js';
import { get, put, post, del, text, segment, canWrite, NotAvailable } from '../api.js';
import { confirmDialog, formDialog, change, details, problem } from '../ui.js';
import { listPage, rowButton } from '../list.js';

const button = (label, onclick, kind = 'btn-primary') => h('button', { class: `btn ${kind}`, text: label, onclick });

async function download(name) {
  await change(async () => {
    const body = await text(`/trace/${segment(name)}/download`);
    const url = URL.createObjectURL(new Blob([body], { type: 'text/plain' }));
    const a = h('a', { href: url, download: `${name}.log` });
    document.body.appendChild(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
  });
}

export const trace = listPage({
  title: 'Trace',
  path: '/trace',
  intro: () => h('p', { class: 'muted', text: 'Every packet in and out of the matching clients, decoded and timestamped, on every node; download a trace\u2019s log.' }),
  empty: 'No traces.',
  columns: [
    { title: 'Name', value: (t) => t.name },
    { title: 'Type', value: (t) => t.type },
    { title: 'Matches', class: 'topic', value: (t) => fmt.text(t[t.type]) },
    { title: 'Status', value: (t) => h('span', { class: `tag tag-${t.status === 'running' ? 'ok' : t.status === 'waiting' ? 'warn' : 'off'}`, text: t.status }) },
    { title: 'Start', value: (t) => fmt.time(t.start_at) },
    { title: 'End', value: (t) => fmt.time(t.end_at) },
    { title: 'Log size', class: 'num', value: (t) => fmt.bytes(t.log_size) },
    { title: 'Log', value: (t) => rowButton('Download', () => download(t.name)) },
  ],
  tools: (reload) => [button('Start trace', async () => {
    const v = await formDialog('Start trace', [
      { name: 'name', label: 'Name', required: true },
      { name: 'type', label: 'Trace by', type: 'select', value: 'clientid', options: [['clientid', 'client id'], ['topic', 'topic filter'], ['ip_address', 'IP address']] },
      { name: 'value', label: 'Client id, topic filter or IP address', required: true },
      { name: 'duration_s', label: 'Duration in seconds', type: 'number', value: '600', min: 1 },
    ], 'Start');
    if (v && await change(() => post('/trace', { name: v.name, type: v.type, [v.type]: v.value, duration_s: v.duration_s ?? undefined }), `Trace ${v.name} started`)) reload();
  })],
  actions: (t, reload) => [
    t.status !== 'stopped' ? rowButton('Stop', async () => { if (await change(() => put(`/trace/${segment(t.name)}/stop`), `Trace ${t.name} stopped`)) reload(); }) : null,
    rowButton('Delete', async () => {
      if (await confirmDialog('Delete trace', `Delete trace "${t.name}" and its log?`, 'Delete')
        && await change(() => del(`/trace/${segment(t.name)}`), `Trace ${t.name} deleted`)) reload();
    }, 'btn-danger'),
  ],
});

/** The slow-subscription settings, shown above the list; an administrator may change them. */
function slowSettings(body, reload) {
  const box = h('section', { class: 'card settings' });
  body.insertBefore(box, body.querySelector('.results'));
  const show = () => get('/slow_subscriptions/settings').then((s) => {
    replace(box, h('h2', { text: 'Settings' }), details([
      ['Enabled', fmt.bool(s.enable)], ['Threshold', `${fmt.number(s.threshold_ms)} ms`],
      ['Top', fmt.number(s.top_k)], ['Expire interval', `${fmt.number(s.expire_interval_s)} s`],
    ]), canWrite() ? h('div', { class: 'actions-bar' }, button('Change settings', async () => {
      const v = await formDialog('Slow subscription settings', [
        { name: 'enable', label: 'Enabled', type: 'checkbox', value: s.enable },
        { name: 'threshold_ms', label: 'Threshold (ms)', type: 'number', value: String(s.threshold_ms), min: 1 },
        { name: 'top_k', label: 'Top K', type: 'number', value: String(s.top_k), min: 1 },
        { name: 'expire_interval_s', label: 'Expire interval (s)', type: 'number', value: String(s.expire_interval_s), min: 1 },
      ]);
      if (v && await change(() => put('/slow_subscriptions/settings', v), 'Settings saved')) { show(); reload(); }
    }, 'btn')) : null);
  }, (error) => (error instanceof NotAvailable ? box.remove() : replace(box, problem(error))));
  show();
}

export const slow = listPage({
  title: 'Slow subscriptions',
  path: '/slow_subscriptions',
  intro: () => h('p', { class: 'muted', text: 'Per subscriber and topic: the time from a message\u2019s arrival to its acknowledgement, worst first.' }),
  after: slowSettings,
  empty: 'No slow subscriptions.',
  columns: [
    { title: 'Client ID', value: (s) => h('a', { href: `#/clients/${segment(s.clientid)}`, text: s.clientid }) },
    { title: 'Topic', class: 'topic', value: (s) => s.topic },
    { title: 'Timespan', class: 'num', value: (s) => `${fmt.number(s.timespan)} ms` },
    { title: 'Node', value: (s) => fmt.text(s.node) },
    { title: 'Last update', value: (s) => fmt.time(s.last_update_time) },
  ],
  tools: (reload) => [button('Clear', async () => {
    if (await confirmDialog('Clear slow subscriptions', 'Clear the list of slow subscriptions on every node?', 'Clear')
      && await change(() => del('/slow_subscriptions'), 'Slow subscriptions cleared')) reload();
  }, 'btn-danger')],
});

export const alarms = listPage({
  title: 'Alarms',
  path: '/alarms',
  filters: [{ name: 'activated', label: 'Show', type: 'select', options: [['', 'all'], ['true', 'active'], ['false', 'deactivated']] }],
  empty: 'No alarms.',
  columns: [
    { title: 'Name', value: (a) => a.name },
    { title: 'Message', class: 'wrap', value: (a) => fmt.text(a.message) },
    { title: 'Details', class: 'payload', value: (a) => (a.details && typeof a.details === 'object' ? JSON.stringify(a.details) : fmt.text(a.details)) },
    { title: 'State', value: (a) => h('span', { class: `tag tag-${a.activated ? 'bad' : 'off'}`, text: a.activated ? 'active' : 'deactivated' }) },
    { title: 'Activated at', value: (a) => fmt.time(a.activated_at) },
    { title: 'Deactivated at', value: (a) => fmt.time(a.deactivated_at) },
    { title: 'Node', value: (a) => fmt.text(a.node) },
  ],
  tools: (reload) => [button('Clear deactivated', async () => {
    if (await confirmDialog('Clear alarms', 'Clear the deactivated alarms on every node?', 'Clear')
      && await change(() => del('/alarms'), 'Deactivated alarms cleared')) reload();
  }, 'btn')],
});

const metric = (t, key) => t.metrics?.[key];

export const topicMetrics = listPage({
  title: 'Topic metrics',
  path: '/topic_metrics',
  intro: () => h('p', { class: 'muted', text: 'Message counts and rates of the topics an operator registered.' }),
  empty: 'No topic is registered.',
  columns: [
    { title: 'Topic', class: 'topic', value: (t) => t.topic },
    { title: 'In', class: 'num', value: (t) => fmt.number(metric(t, 'messages.in.count')) },
    { title: 'Out', class: 'num', value: (t) => fmt.number(metric(t, 'messages.out.count')) },
    { title: 'Dropped', class: 'num', value: (t) => fmt.number(metric(t, 'messages.dropped.count')) },
    { title: 'In/s', class: 'num', value: (t) => fmt.rate(metric(t, 'messages.in.rate')) },
    { title: 'Out/s', class: 'num', value: (t) => fmt.rate(metric(t, 'messages.out.rate')) },
    { title: 'Since', value: (t) => fmt.time(t.create_time) },
  ],
  tools: (reload) => [button('Register topic', async () => {
    const v = await formDialog('Register topic', [{ name: 'topic', label: 'Topic', required: true }], 'Register');
    if (v && await change(() => post('/topic_metrics', { topic: v.topic }), `Topic ${v.topic} registered`)) reload();
  })],
  actions: (t, reload) => [rowButton('Delete', async () => {
    if (await confirmDialog('Unregister topic', `Stop counting "${t.topic}"?`, 'Delete')
      && await change(() => del(`/topic_metrics/${segment(t.topic)}`), `Topic ${t.topic} unregistered`)) reload();
  }, 'btn-danger')],
});
