// A list page: filters in the URL's fragment, a table of one /api/v1 listing, paging, and per-row actions that only
// an administrator sees.
import { h, replace } from './dom.js';
import { get, listOf, canWrite } from './api.js';
import { pageFrame, table, pager, filterBar, problem, partial } from './ui.js';

/**
 * spec: {title, path, filters?: [...], columns: [...], actions?: (row, reload) => [buttons], tools?: (reload) => [buttons],
 * empty?, limit?, rows?: (rows) => rows shown, intro?: () => Node, after?: (body, reload) => void}
 */
export function listPage(spec) {
  return {
    title: spec.title,
    render(main, route) {
      const write = canWrite();
      const params = route.params;
      const results = h('div', { class: 'results' });
      const reload = () => load();
      const body = pageFrame(main, spec.title, ...(write && spec.tools ? spec.tools(reload) : []),
        h('button', { class: 'btn', text: 'Refresh', onclick: reload }));
      if (spec.intro) body.appendChild(spec.intro());
      if (spec.filters) {
        body.appendChild(filterBar(spec.filters, params, (values) => route.navigate({ ...values, page: '' })));
      }
      body.appendChild(results);
      if (spec.after) spec.after(body, reload);

      const columns = write && spec.actions
        ? [...spec.columns, { title: 'Actions', class: 'actions', value: (row) => h('div', { class: 'row-actions' }, spec.actions(row, reload)) }]
        : spec.columns;

      async function load() {
        replace(results, h('p', { class: 'loading', text: 'Loading…' }));
        const filterValues = Object.fromEntries((spec.filters ?? []).map((f) => [f.name, params[f.name]]));
        try {
          const answer = await get(spec.path, { ...filterValues, page: params.page, limit: spec.limit ?? 50 });
          const { rows, meta, notAnswering } = listOf(answer);
          replace(results, partial(notAnswering), table(columns, spec.rows ? spec.rows(rows) : rows, spec.empty), pager(meta, (page) => route.navigate({ ...params, page })));
        } catch (error) {
          replace(results, problem(error));
        }
      }
      load();
    },
  };
}

/** A small button for a table row. */
export function rowButton(label, onclick, kind = '') {
  return h('button', { class: `btn btn-small ${kind}`, text: label, onclick });
}
