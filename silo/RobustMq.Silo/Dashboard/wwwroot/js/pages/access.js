// Who gets in: the built-in users (/api/v1/users), the built-in ACL (/api/v1/acl) and the blacklist (/api/v1/blacklist).
import { h, fmt } from '../dom.js';
import { put, post, del, segment } from '../api.js';
import { confirmDialog, formDialog, change } from '../ui.js';
import { listPage, rowButton } from '../list.js';

const button = (label, onclick) => h('button', { class: 'btn btn-primary', text: label, onclick });

export const users = listPage({
  title: 'Users',
  path: '/users',
  intro: () => h('p', { class: 'muted', text: 'MQTT users of the built-in store (Auth:Sources builtin). A change applies to the next CONNECT.' }),
  empty: 'No users in the built-in store.',
  columns: [
    { title: 'Username', value: (u) => u.user_name },
    { title: 'Superuser', value: (u) => fmt.bool(u.superuser) },
  ],
  tools: (reload) => [button('New user', async () => {
    const v = await formDialog('New user', [
      { name: 'user_name', label: 'Username', required: true },
      { name: 'password', label: 'Password', type: 'password', required: true },
      { name: 'superuser', label: 'Superuser (skips the ACL)', type: 'checkbox', value: false },
    ], 'Create');
    if (v && await change(() => put(`/users/${segment(v.user_name)}`, { password: v.password, superuser: v.superuser }), `User ${v.user_name} saved`)) reload();
  })],
  actions: (u, reload) => [rowButton('Delete', async () => {
    if (await confirmDialog('Delete user', `Delete user "${u.user_name}"? Connected clients stay connected.`, 'Delete')
      && await change(() => del(`/users/${segment(u.user_name)}`), `User ${u.user_name} deleted`)) reload();
  }, 'btn-danger')],
});

/** The API path of an ACL subject: all, user/{name} or client/{id}. */
function subjectPath(who) {
  if (who === 'all') return '/acl/all';
  const slash = who.indexOf('/');
  const kind = who.slice(0, slash), name = who.slice(slash + 1);
  return `/acl/${kind === 'user' ? 'users' : 'clients'}/${segment(name)}`;
}

export const acl = listPage({
  title: 'ACL',
  path: '/acl',
  intro: () => h('p', { class: 'muted', text: 'Rules of the built-in ACL store (Acl:Sources builtin), by subject, in the order they are checked. Applied at once to connected clients.' }),
  empty: 'No ACL rules in the built-in store.',
  rows: (entries) => entries.flatMap((e) => (e.rules.length ? e.rules : [{}]).map((rule, i) => ({ who: e.who, index: i, rule, entry: e }))),
  columns: [
    { title: 'Subject', value: (r) => r.who },
    { title: '#', class: 'num', value: (r) => String(r.index + 1) },
    { title: 'Permission', value: (r) => h('span', { class: `tag tag-${r.rule.permission === 'allow' ? 'ok' : 'bad'}`, text: fmt.text(r.rule.permission) }) },
    { title: 'Action', value: (r) => fmt.text(r.rule.action) },
    { title: 'Topic', class: 'topic', value: (r) => fmt.text(r.rule.topic) },
    { title: 'QoS', value: (r) => (r.rule.qos ? r.rule.qos.join(', ') : 'any') },
    { title: 'Retain', value: (r) => (r.rule.retain === undefined || r.rule.retain === null ? 'any' : fmt.bool(r.rule.retain)) },
    { title: 'IP address', value: (r) => fmt.text(r.rule.ipaddr) },
  ],
  tools: (reload) => [button('Add rule', async () => {
    const v = await formDialog('Add ACL rule', [
      { name: 'kind', label: 'Subject', type: 'select', value: 'user', options: [['user', 'a user'], ['client', 'a client id'], ['all', 'every client']] },
      { name: 'name', label: 'User name or client id (not for every client)' },
      { name: 'permission', label: 'Permission', type: 'select', value: 'allow', options: [['allow', 'allow'], ['deny', 'deny']] },
      { name: 'action', label: 'Action', type: 'select', value: 'all', options: [['publish', 'publish'], ['subscribe', 'subscribe'], ['all', 'publish and subscribe']] },
      { name: 'topic', label: 'Topic filter', required: true },
    ], 'Add');
    if (!v) return;
    const who = v.kind === 'all' ? 'all' : `${v.kind}/${v.name}`;
    // One rule added in one call, after the subject's others: two admins adding at once both keep theirs.
    if (await change(() => post('/acl/rules', { who, permission: v.permission, action: v.action, topic: v.topic }), `Rule added for ${who}`)) reload();
  })],
  actions: (r, reload) => [
    ...(r.entry.rules.length ? [rowButton('Delete rule', async () => {
      if (await confirmDialog('Delete rule', `Delete rule ${r.index + 1} of ${r.who} (${r.rule.permission} ${r.rule.action} ${r.rule.topic})?`, 'Delete')
        && await change(() => del('/acl/rules', { who: r.who, ...r.rule }), `Rule of ${r.who} deleted`)) reload();
    }, 'btn-danger')] : []),
    ...(r.index === 0 ? [rowButton('Delete subject', async () => {
      if (await confirmDialog('Delete rules', `Delete all ${r.entry.rules.length} rule(s) of ${r.who}?`, 'Delete')
        && await change(() => del(subjectPath(r.who)), `Rules of ${r.who} deleted`)) reload();
    }, 'btn-danger')] : []),
  ],
});

export const blacklist = listPage({
  title: 'Blacklist',
  path: '/blacklist',
  intro: () => h('p', { class: 'muted', text: 'Banned client ids, user names and peer hosts (cluster-wide; a connected client that matches is disconnected).' }),
  empty: 'Nobody is banned.',
  columns: [
    { title: 'Kind', value: (b) => b.kind },
    { title: 'Value', class: 'topic', value: (b) => b.value },
    { title: 'Reason', class: 'wrap', value: (b) => fmt.text(b.reason) },
    { title: 'Until', value: (b) => (b.until_ms ? fmt.time(b.until_ms) : 'for ever') },
    { title: 'Created at', value: (b) => fmt.time(b.created_ms) },
  ],
  tools: (reload) => [button('New ban', async () => {
    const v = await formDialog('New ban', [
      { name: 'kind', label: 'Kind', type: 'select', value: 'clientid', options: [['clientid', 'client id'], ['username', 'user name'], ['peerhost', 'peer host (address or CIDR)'], ['clientid_re', 'client id (regular expression)'], ['username_re', 'user name (regular expression)']] },
      { name: 'value', label: 'Value', required: true },
      { name: 'reason', label: 'Reason' },
      { name: 'duration_s', label: 'Duration in seconds (empty: for ever)', type: 'number', min: 1 },
    ], 'Ban');
    if (v && await change(() => post('/blacklist', { kind: v.kind, value: v.value, reason: v.reason || null, duration_s: v.duration_s }), `${v.kind} ${v.value} banned`)) reload();
  })],
  actions: (b, reload) => [rowButton('Delete', async () => {
    if (await confirmDialog('Lift ban', `Lift the ban of ${b.kind} "${b.value}"?`, 'Lift')
      && await change(() => del(`/blacklist/${segment(b.kind)}/${segment(b.value)}`), `Ban of ${b.value} lifted`)) reload();
  }, 'btn-danger')],
});
