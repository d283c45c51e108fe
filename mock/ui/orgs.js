// Organizations: every org of the sandbox with its plan, rate limit, counts and keys (by
// level and hash prefix only: the sandbox keeps keys hashed and never shows one).
import {mock} from './api.js';
import {h, table, badge, form, input, select} from './dom.js';
import {state, loadOrgs, setOrg, rerender} from './app.js';

export async function orgsView() {
  const orgs = await loadOrgs();
  const cur = orgs.find((o) => o.id === state.org);
  return h('section', {},
    h('h1', {}, 'Organizations'),
    table([
      {title: 'Organization', cell: (o) => h('button', {type: 'button', class: 'linkish', 'data-org': o.id,
        onclick: () => { setOrg(o.id); rerender(); }}, o.name)},
      {title: 'Id', cell: (o) => h('code', {}, o.id)},
      {title: 'Plan', cell: (o) => badge(o.plan, 'plan')},
      {title: 'Rate limit', cell: (o) => `${o.rate_limit.toLocaleString('en')} / ${o.rate_window_seconds} s`},
      {title: 'Keys', cell: (o) => o.keys.map((k) => badge(k.level + (k.revoked ? ' (revoked)' : ''), k.revoked ? 'revoked' : 'key'))},
      {title: 'Agents', cell: (o) => o.counts.agents.toLocaleString('en')},
      {title: 'Transactions', cell: (o) => o.counts.transactions.toLocaleString('en')},
      {title: 'Alter agents', cell: (o) => o.counts.alter_agents},
      {title: 'Pending approvals', cell: (o) => o.counts.pending_approvals},
    ], orgs, {label: 'Organizations', rowAttrs: (o) => ({class: o.id === state.org ? 'selected' : ''}),
      empty: 'No organization: create one below'}),
    cur ? orgDetail(cur) : null,
    h('h2', {}, 'New organization'),
    form([input('name', 'Name', {placeholder: 'Sandbox Organization'}),
          select('plan', 'Plan', ['enterprise', 'growth', 'starter'], 'enterprise')],
      'Create', async (v) => {
        const o = await mock.post('/orgs', {name: v.name || undefined, plan: v.plan});
        setOrg(o.id);
        rerender();
      }));
}

function orgDetail(o) {
  return h('section', {class: 'card', 'aria-label': 'Selected organization'},
    h('h2', {}, o.name),
    h('dl', {class: 'fields'},
      h('dt', {}, 'Plan'), h('dd', {}, o.plan),
      h('dt', {}, 'Operator verified'), h('dd', {}, o.operator_verified ? 'yes' : 'no'),
      h('dt', {}, 'Max agents'), h('dd', {}, o.max_agents <= 0 ? 'no cap' : o.max_agents.toLocaleString('en')),
      h('dt', {}, 'Alsorn rate limit'), h('dd', {}, `${o.rate_limit.toLocaleString('en')} requests per ${o.rate_window_seconds} s per key`),
      h('dt', {}, 'Alter rate limit'), h('dd', {}, `${o.alter_rate_limit_rpm} requests per minute per key`),
      h('dt', {}, 'Alter app'), h('dd', {}, h('code', {}, o.alter.app_id))),
    h('h3', {}, 'Alsorn keys'),
    table([
      {title: 'Level', cell: (k) => k.level},
      {title: 'SHA-256 prefix', cell: (k) => h('code', {}, k.sha256_prefix + '…')},
      {title: 'State', cell: (k) => badge(k.revoked ? 'revoked' : 'active')},
    ], o.keys, {label: 'Alsorn keys'}),
    h('h3', {}, 'Alter app keys'),
    table([
      {title: 'Prefix', cell: (k) => h('code', {}, k.prefix + '…')},
      {title: 'Scopes', cell: (k) => k.scopes.join(', ')},
      {title: 'State', cell: (k) => badge(k.status)},
      {title: 'Last used', cell: (k) => k.last_used_at || 'never'},
    ], o.alter.app_keys, {label: 'Alter app keys'}),
    h('p', {class: 'note'}, 'Keys are stored hashed: the plaintext is shown once, when an org or key is created, and never here.'));
}
