// Alsorn views: agents (list, search, detail with trust plot and audit chain),
// transactions (filters, detail, reverse) and webhook endpoints with their deliveries.
import {api, query} from './api.js';
import {h, table, badge, time, link, field, pager, form, input, select, errorBox} from './dom.js';
import {state, go, rerender} from './app.js';
import {trustPlot} from './plot.js';

const PAGE = 50;
const money = (v, cur) => `${Number(v).toLocaleString('en', {minimumFractionDigits: 2, maximumFractionDigits: 2})} ${cur || ''}`;
const assessment = (score) => score >= 900 ? 'Verified' : score >= 700 ? 'Trusted' : score >= 400 ? 'Caution' : 'High Risk';

export async function agentsView(params) {
  const page = Number(params.get('page') || 1);
  const search = params.get('search') || '', status = params.get('status') || '';
  const list = await api(state.org, 'GET', '/agents' + query({page, limit: PAGE, search, status}));
  const p = list.pagination;
  const filters = form([
    input('search', 'Search', {type: 'search', value: search, placeholder: 'name contains…'}),
    select('status', 'Status', ['', 'active', 'suspended', 'deleted'], status),
  ], 'Search', (v) => go('agents', {search: v.search, status: v.status}));
  return h('section', {},
    h('h1', {}, 'Agents ', h('span', {class: 'count', id: 'agents-total'}, `${p.total.toLocaleString('en')} total`)),
    filters,
    table([
      {title: 'Name', cell: (a) => link(`#/agents/${a.id}`, a.name)},
      {title: 'Id', cell: (a) => h('code', {}, a.id)},
      {title: 'Status', cell: (a) => badge(a.status)},
      {title: 'Environment', cell: (a) => a.environment},
      {title: 'Trust score', cell: (a) => h('span', {class: 'num'}, a.trust_record.score)},
      {title: 'Assessment', cell: (a) => badge(assessment(a.trust_record.score))},
      {title: 'Created', cell: (a) => time(a.created_at)},
    ], list.data, {label: 'Agents', class: 'agents', empty: 'No agent matches'}),
    pager(p.page, p.total_pages, (n) => go('agents', {search, status, page: n})));
}

export async function agentView(params, id) {
  const org = state.org;
  const [a, trust, history, txs, audit, verify] = await Promise.all([
    api(org, 'GET', `/agents/${id}`),
    api(org, 'GET', `/trust/${id}`),
    api(org, 'GET', `/trust/${id}/history?days=365`),
    api(org, 'GET', `/transactions?agent_id=${id}&limit=20`),
    api(org, 'GET', `/agents/${id}/audit?limit=50`),
    api(org, 'GET', `/agents/${id}/audit/verify`),
  ]);
  return h('section', {},
    h('p', {}, link('#/agents', '← Agents')),
    h('h1', {}, a.name, ' ', badge(a.status)),
    h('div', {class: 'grid'},
      h('dl', {class: 'fields card'},
        field('Id', h('code', {}, a.id)), field('Fingerprint', h('code', {class: 'wrap'}, a.fingerprint)),
        field('Environment', a.environment), field('Authorized actions', a.authorized_actions.join(', ')),
        field('Spending limit', money(a.spending_limit, a.currency)), field('Description', a.description),
        field('Created', time(a.created_at)), field('Updated', time(a.updated_at)),
        field('Suspended', time(a.suspended_at)), field('Deleted', time(a.deleted_at))),
      h('dl', {class: 'fields card'},
        field('Trust score', h('strong', {id: 'trust-score'}, trust.score)), field('Assessment', badge(trust.assessment)),
        field('Trend', trust.trend), field('Total tasks', trust.total_tasks), field('Disputes', trust.disputes),
        field('Completion rate', trust.components.completion_rate.value),
        field('Tenure (days)', trust.tenure_days), field('Operator verified', trust.operator_verified ? 'yes' : 'no'),
        field('Last evaluated', time(trust.last_evaluated)))),
    h('h2', {}, 'Trust history ', h('span', {class: 'count'}, `${history.length} snapshots, last 365 days`)),
    h('figure', {class: 'card'}, trustPlot(history)),
    h('h2', {}, 'Transactions ', h('span', {class: 'count'}, `${txs.total} total`),
      ' ', link(`#/transactions?agent_id=${id}`, 'all →')),
    txTable(txs.transactions),
    h('h2', {}, 'Audit chain ', verify.valid
      ? badge('verified', 'verified')
      : badge(`broken at entry ${verify.broken_at}`, 'broken'),
      h('span', {class: 'count'}, ` ${verify.length} entries, head ${(verify.head_hash || '').slice(0, 19)}…`)),
    h('div', {id: 'chain-status', 'data-valid': String(verify.valid)}),
    table([
      {title: 'When', cell: (e) => time(e.created_at)},
      {title: 'Action', cell: (e) => e.action},
      {title: 'Actor', cell: (e) => h('code', {}, e.actor_id)},
      {title: 'Payload', cell: (e) => h('code', {class: 'wrap'}, JSON.stringify(e.payload))},
      {title: 'Hash', cell: (e) => h('code', {title: e.payload_hash}, e.payload_hash.slice(7, 19) + '…')},
    ], audit.data, {label: 'Audit chain', class: verify.valid ? '' : 'chain-broken'}));
}

function txTable(rows) {
  return table([
    {title: 'Id', cell: (t) => link(`#/transactions/${t.id}`, t.id)},
    {title: 'Type', cell: (t) => t.type},
    {title: 'Agent', cell: (t) => link(`#/agents/${t.agent_id}`, t.agent_name || t.agent_id)},
    {title: 'Counterparty', cell: (t) => link(`#/agents/${t.counterparty_id}`, t.counterparty_id)},
    {title: 'Action', cell: (t) => t.action_type},
    {title: 'Amount', cell: (t) => h('span', {class: 'num'}, money(t.amount, t.currency))},
    {title: 'Status', cell: (t) => badge(t.status)},
    {title: 'Created', cell: (t) => time(t.created_at)},
  ], rows, {label: 'Transactions', empty: 'No transaction'});
}

const TX_FILTERS = ['agent_id', 'status', 'action_type', 'min_amount', 'max_amount', 'start_date', 'end_date'];

export async function transactionsView(params) {
  const f = Object.fromEntries(TX_FILTERS.map((k) => [k, params.get(k) || '']));
  const page = Number(params.get('page') || 1);
  const list = await api(state.org, 'GET', '/transactions' + query({...f, page, limit: PAGE}));
  const pages = Math.ceil(list.total / list.limit);
  return h('section', {},
    h('h1', {}, 'Transactions ', h('span', {class: 'count'}, `${list.total.toLocaleString('en')} matching`)),
    form([
      input('agent_id', 'Agent id', {value: f.agent_id}),
      select('status', 'Status', ['', 'completed', 'failed', 'reversed'], f.status),
      input('action_type', 'Action', {value: f.action_type}),
      input('min_amount', 'Min amount', {type: 'number', step: 'any', value: f.min_amount}),
      input('max_amount', 'Max amount', {type: 'number', step: 'any', value: f.max_amount}),
      input('start_date', 'From (RFC 3339)', {value: f.start_date, placeholder: '2026-01-01T00:00:00Z'}),
      input('end_date', 'Until', {value: f.end_date}),
    ], 'Filter', (v) => go('transactions', v)),
    txTable(list.transactions),
    pager(list.page, pages, (n) => go('transactions', {...f, page: n})));
}

export async function transactionView(params, id) {
  const t = await api(state.org, 'GET', `/transactions/${id}`);
  const ct = t.counterparty_trust || {};
  const e = t.audit_entry;
  const msg = h('p', {role: 'status'});
  const canReverse = t.status === 'completed' && t.type !== 'reversal';
  return h('section', {},
    h('p', {}, link('#/transactions', '← Transactions')),
    h('h1', {}, 'Transaction ', h('code', {}, t.id), ' ', badge(t.status)),
    h('div', {class: 'grid'},
      h('dl', {class: 'fields card'},
        field('Type', t.type), field('Agent', link(`#/agents/${t.agent_id}`, t.agent_name || t.agent_id)),
        field('Counterparty', link(`#/agents/${t.counterparty_id}`, t.counterparty_id)),
        field('Action', t.action_type), field('Amount', money(t.amount, t.currency)),
        field('Notes', t.notes), field('Created', time(t.created_at)), field('Reversed', time(t.reversed_at)),
        field('Reversal', t.reversal_id ? link(`#/transactions/${t.reversal_id}`, t.reversal_id) : null),
        field('Reversal reason', t.reversal_reason), field('Original', t.original_transaction_id
          ? link(`#/transactions/${t.original_transaction_id}`, t.original_transaction_id) : null),
        field('Error', t.error_code ? `${t.error_code}: ${t.error_message}` : null)),
      h('div', {},
        h('section', {class: 'card'},
          h('h2', {}, 'Counterparty trust'),
          h('dl', {class: 'fields'},
            field('Agent', ct.agent_name), field('Score', ct.score), field('Assessment', ct.assessment ? badge(ct.assessment) : null))),
        h('section', {class: 'card'},
          h('h2', {}, 'Audit entry'),
          h('dl', {class: 'fields'},
            e ? [field('Action', e.action), field('Entry', h('code', {}, e.id)),
                 field('Hash', h('code', {class: 'wrap'}, e.payload_hash)),
                 field('Previous', h('code', {class: 'wrap'}, e.previous_hash))] : field('Entry', null))))),
    canReverse ? form([input('reason', 'Reason', {placeholder: 'why it is reversed'})], 'Reverse', async (v) => {
      try {
        await api(state.org, 'POST', `/transactions/${id}/reverse`, v.reason ? {reason: v.reason} : {});
        rerender();
      } catch (err) { msg.replaceChildren(errorBox(err)); }
    }) : null, msg);
}

export async function webhooksView() {
  const {data} = await api(state.org, 'GET', '/webhooks');
  const cards = await Promise.all(data.map(async (w) => {
    const d = await api(state.org, 'GET', `/webhooks/${w.id}/deliveries?limit=100`);
    const out = h('p', {role: 'status', class: 'test-result'});
    return h('article', {class: 'card webhook', 'data-id': w.id},
      h('h2', {}, h('code', {}, w.url), ' ', badge(w.active ? 'active' : 'disabled')),
      h('p', {}, `Events: ${w.events.join(', ')} · consecutive failures: ${w.consecutive_failures}`),
      h('button', {type: 'button', onclick: async () => {
        try {
          const r = await api(state.org, 'POST', `/webhooks/${w.id}/test`);
          out.textContent = r.success ? `Test delivered: ${r.status_code} in ${r.duration_ms} ms`
            : `Test failed: ${r.status_code ?? 'no answer'} ${r.error ?? ''}`;
        } catch (err) { out.replaceChildren(errorBox(err)); }
      }}, 'Send test event'), out,
      h('h3', {}, 'Deliveries ', h('span', {class: 'count'}, `${d.pagination.total} attempts`)),
      timeline(d.data));
  }));
  return h('section', {}, h('h1', {}, 'Webhook endpoints'),
    cards.length ? cards : h('p', {}, 'No endpoint: register one with POST /webhooks.'));
}

// Attempts grouped by event, each event a row of attempts in order, with the next retry.
function timeline(attempts) {
  const byEvent = new Map();
  for (const a of attempts) {
    if (!byEvent.has(a.event_id)) byEvent.set(a.event_id, []);
    byEvent.get(a.event_id).push(a);
  }
  if (!byEvent.size) return h('p', {class: 'empty'}, 'No delivery yet');
  return h('ol', {class: 'timeline'}, [...byEvent].map(([id, list]) => {
    list.sort((x, y) => x.attempt - y.attempt);
    const last = list[list.length - 1];
    return h('li', {},
      h('div', {class: 'event'}, h('strong', {}, last.event), ' ', h('code', {}, id)),
      h('ol', {class: 'attempts'}, list.map((a) => h('li', {class: 'attempt ' + (a.status_code >= 200 && a.status_code < 300 ? 'ok' : 'fail')},
        `#${a.attempt} `, time(a.delivered_at), ' → ', a.status_code ?? 'no answer',
        a.error ? ` (${a.error})` : '', ` ${a.duration_ms} ms`))),
      last.next_retry_at ? h('div', {class: 'next-retry'}, 'Next retry: ', time(last.next_retry_at)) : null);
  }));
}
