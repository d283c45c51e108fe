// Alter views: agents and their keys, grants, pending approvals (Approve / Deny through the
// sandbox), and the audit log filtered by run or thread, shown as a tree of runs.
import {api, mock, query} from './api.js';
import {h, table, badge, time, form, input, errorBox} from './dom.js';
import {state, go, rerender} from './app.js';

const PAGE = 50;

export async function alterView(params) {
  const org = state.org;
  const offset = Number(params.get('offset') || 0);
  const run_id = params.get('run_id') || '', thread_id = params.get('thread_id') || '';
  const [agents, grants, approvals, audit] = await Promise.all([
    api(org, 'GET', '/sdk/agents' + query({limit: PAGE, offset, include_revoked: 'true'})),
    api(org, 'GET', '/sdk/grants?limit=100'),
    mock.get(`/orgs/${encodeURIComponent(org)}/alter/approvals`),
    api(org, 'GET', '/sdk/audit' + query({run_id, thread_id, limit: 1000})),
  ]);
  const keys = await Promise.all(agents.agents.map((a) =>
    api(org, 'GET', `/sdk/agents/${a.id}/keys`).then((k) => k.items).catch(() => [])));
  return h('section', {},
    h('h1', {}, 'Alter'),
    h('h2', {}, 'Approvals'),
    approvalsTable(approvals.data),
    h('h2', {}, 'Agents ', h('span', {class: 'count'}, `${agents.total} total`)),
    table([
      {title: 'Name', cell: (a) => a.name},
      {title: 'Type', cell: (a) => a.type},
      {title: 'Status', cell: (a) => badge(a.status)},
      {title: 'Scopes', cell: (a) => Object.entries(a.scopes).map(([p, s]) => `${p}: ${s.join(', ')}`).join('; ')},
      {title: 'Keys (state, last use)', cell: (a) => h('ul', {class: 'keys'},
        keys[agents.agents.indexOf(a)].map((k) => h('li', {},
          h('code', {}, k.key_prefix + '…'), ' ', badge(k.status), ' last used ', k.last_used_at ? time(k.last_used_at) : 'never')))},
      {title: 'Created', cell: (a) => time(a.created_at)},
    ], agents.agents, {label: 'Alter agents'}),
    agents.has_more || offset ? h('div', {class: 'pager'},
      h('button', {type: 'button', disabled: !offset, onclick: () => go('alter', {offset: Math.max(0, offset - PAGE)})}, '← Previous'),
      h('button', {type: 'button', disabled: !agents.has_more, onclick: () => go('alter', {offset: offset + PAGE})}, 'Next →')) : null,
    h('h2', {}, 'Grants'),
    table([
      {title: 'Grant', cell: (g) => h('code', {}, g.grant_id)},
      {title: 'Provider', cell: (g) => g.provider_id},
      {title: 'Account', cell: (g) => g.account_identifier},
      {title: 'Principal', cell: (g) => g.principal_type},
      {title: 'Scopes', cell: (g) => g.scopes.join(', ')},
      {title: 'Delegated to', cell: (g) => g.delegated_agent_ids.length},
      {title: 'Status', cell: (g) => badge(g.status)},
    ], grants.grants, {label: 'Grants'}),
    h('h2', {}, 'Audit log'),
    form([input('run_id', 'Run id', {value: run_id}), input('thread_id', 'Thread id', {value: thread_id})],
      'Filter', (v) => go('alter', v)),
    traceTree(audit.rows));
}

function approvalsTable(rows) {
  const msg = h('p', {role: 'status'});
  const decide = (a, verb) => async () => {
    try {
      await mock.post(`/alter/approvals/${a.approval_id}/${verb}`, {reason: `${verb === 'approve' ? 'Approved' : 'Denied'} in the dashboard`});
      rerender();
    } catch (err) { msg.replaceChildren(errorBox(err)); }
  };
  return h('div', {},
    table([
      {title: 'Approval', cell: (a) => h('code', {}, a.approval_id)},
      {title: 'Request', cell: (a) => `${a.request.method} ${a.request.url}`},
      {title: 'Agent', cell: (a) => h('code', {}, a.agent_id)},
      {title: 'Status', cell: (a) => badge(a.status)},
      {title: 'Expires', cell: (a) => time(a.expires_at)},
      {title: 'Decision', cell: (a) => a.status === 'pending' ? [
        h('button', {type: 'button', class: 'approve', onclick: decide(a, 'approve')}, 'Approve'), ' ',
        h('button', {type: 'button', class: 'deny', onclick: decide(a, 'deny')}, 'Deny')] : (a.decision_reason || '—')},
    ], rows, {label: 'Approvals', class: 'approvals', empty: 'No approval requested'}), msg);
}

// Rows grouped by run; a run whose parent_run_id names another run nests under it.
function traceTree(rows) {
  if (!rows.length) return h('p', {class: 'empty'}, 'No audit row matches');
  const runs = new Map();
  for (const r of rows) {
    const key = r.run_id || '(no run)';
    if (!runs.has(key)) runs.set(key, {id: key, thread: r.thread_id, parent: r.parent_run_id, rows: [], children: []});
    const run = runs.get(key);
    run.rows.push(r);
    if (r.parent_run_id) run.parent = r.parent_run_id;
  }
  const roots = [];
  for (const run of runs.values()) {
    const parent = run.parent && run.parent !== run.id && runs.get(run.parent);
    (parent ? parent.children : roots).push(run);
  }
  const node = (run) => h('li', {class: 'run'},
    h('details', {open: true},
      h('summary', {}, 'run ', h('code', {}, run.id), run.thread ? [' · thread ', h('code', {}, run.thread)] : '',
        ` · ${run.rows.length} call${run.rows.length === 1 ? '' : 's'}`),
      h('ul', {class: 'calls'}, run.rows.map((r) => h('li', {class: 'call'},
        time(r.created_at), ' ', h('strong', {}, r.action), ' ', badge(r.outcome), ` ${r.status_code} `,
        h('code', {}, `${r.method} ${r.path}`), ` by ${r.caller_type} ${r.caller_key_prefix}…`))),
      run.children.length ? h('ul', {class: 'tree'}, run.children.map(node)) : null));
  return h('ul', {class: 'tree', 'aria-label': 'Audit log by run'}, roots.map(node));
}
