// Overview: the cluster's totals (/api/v1/overview) and live charts, polled every 2 s; rates are computed here from the
// counters (a counter that went down, a node restarting, gives a gap, not a negative rate).
import { h, replace, fmt } from '../dom.js';
import { get } from '../api.js';
import { pageFrame, problem, partial } from '../ui.js';
import { LineChart } from '../chart.js';

const POLL_MS = 2000;

// The totals shown as cards, in this order, when the answer has them.
const CARDS = [
  ['nodes', 'Nodes', fmt.number],
  ['connections', 'Connections', fmt.number],
  ['sessions', 'Sessions', fmt.number],
  ['subscriptions', 'Subscriptions', fmt.number],
  ['topics', 'Topics', fmt.number],
  ['routes', 'Routes', fmt.number],
  ['retained', 'Retained', fmt.number],
  ['messages_received', 'Messages in', fmt.number],
  ['messages_sent', 'Messages out', fmt.number],
  ['messages_dropped', 'Messages dropped', fmt.number],
  ['bytes_received', 'Bytes in', fmt.bytes],
  ['bytes_sent', 'Bytes out', fmt.bytes],
];

export const overview = {
  title: 'Overview',
  render(main) {
    const body = pageFrame(main, 'Overview');
    const status = h('div', { class: 'status-line' });
    const cards = h('div', { class: 'cards' });
    const connections = new LineChart('Connections', '', [{ name: 'connections', color: '#1f6feb' }]);
    const rates = new LineChart('Message rate', 'msg/s', [{ name: 'in', color: '#1a7f37' }, { name: 'out', color: '#8250df' }]);
    const dropped = new LineChart('Dropped', 'msg/s', [{ name: 'dropped', color: '#cf222e' }]);
    body.append(status, cards, h('div', { class: 'charts' }, connections.element, rates.element, dropped.element));

    let previous = null;
    let timer = null;
    let stopped = false;
    async function poll() {
      // A hidden tab does not ask: the next poll's rate spans the gap.
      if (document.hidden) {
        if (!stopped) timer = setTimeout(poll, POLL_MS);
        return;
      }
      try {
        const o = await get('/overview');
        const now = Date.now();
        replace(cards, CARDS.filter(([key]) => key in o).map(([key, label, format]) =>
          h('div', { class: 'card stat', 'data-stat': key }, h('div', { class: 'stat-label', text: label }), h('div', { class: 'stat-value', text: format(o[key]) }))));
        replace(status, partial(o.nodes_not_answering ?? 0), h('span', { class: 'muted', text: `Updated ${new Date(now).toTimeString().slice(0, 8)} · every ${POLL_MS / 1000} s` }));
        const rate = (key) => {
          if (!previous || !(key in o)) return null;
          const dt = (now - previous.t) / 1000;
          const delta = o[key] - previous.o[key];
          return dt > 0 && delta >= 0 ? delta / dt : null;
        };
        connections.push(now, [o.connections ?? null]);
        rates.push(now, [rate('messages_received'), rate('messages_sent')]);
        dropped.push(now, [rate('messages_dropped')]);
        previous = { t: now, o };
      } catch (error) {
        replace(status, problem(error));
      }
      if (!stopped) timer = setTimeout(poll, POLL_MS);
    }
    poll();
    const redraw = () => { connections.draw(); rates.draw(); dropped.draw(); };
    window.addEventListener('resize', redraw);
    return () => { stopped = true; clearTimeout(timer); window.removeEventListener('resize', redraw); };
  },
};
