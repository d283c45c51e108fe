// Sandbox views: the request journal (live), the SDK report, and the controls (clock,
// faults, data generator, org reset, state snapshot) — each through the /_mock/ API.
import {mock, query, download} from './api.js';
import {h, table, badge, time, form, input, select, errorBox} from './dom.js';
import {state, go, onLeave, rerender, refreshClock, loadOrgs, offsetText} from './app.js';

const POLL_MS = 1000;

function statusMatches(status, filter) {
  if (!filter) return true;
  if (/^[1-5]xx$/.test(filter)) return status !== null && Math.floor(status / 100) === Number(filter[0]);
  if (filter === 'dropped') return status === null;
  return String(status) === filter;
}

export async function journalView(params) {
  const f = {path: params.get('path') || '', status: params.get('status') || '', org: params.get('org') ?? 'current'};
  const tbody = h('tbody', {});
  const info = h('span', {class: 'count', role: 'status'});
  const seen = new Set();
  let stopped = false, timer = 0;

  const entryRows = (e) => {
    const detail = h('tr', {class: 'detail', hidden: true}, h('td', {colspan: 7},
      h('div', {class: 'grid'},
        h('div', {}, h('h3', {}, 'Request headers'), h('pre', {}, Object.entries(e.headers).map(([k, v]) => `${k}: ${v}`).join('\n'))),
        h('div', {}, h('h3', {}, `Request body (${e.body_bytes} bytes${e.body_truncated ? ', truncated' : ''})`),
          h('pre', {class: 'body'}, e.body ?? '(none)')),
        h('div', {}, h('h3', {}, `Response body (${e.response_bytes} bytes${e.response_truncated ? ', truncated' : ''})`),
          h('pre', {class: 'response'}, e.response_body ?? '(none)')))));
    const row = h('tr', {class: 'entry new', 'data-request-id': e.request_id},
      h('td', {}, time(e.at)), h('td', {}, e.method),
      h('td', {}, h('button', {type: 'button', class: 'linkish', 'aria-expanded': 'false', onclick: (ev) => {
        detail.hidden = !detail.hidden;
        ev.currentTarget.setAttribute('aria-expanded', String(!detail.hidden));
      }}, e.path + (e.query ? '?' + e.query : ''))),
      h('td', {}, e.status === null ? badge('dropped', 'fail') : badge(String(e.status), e.status < 400 ? 'ok' : 'fail')),
      h('td', {class: 'num'}, e.duration_ms.toFixed(1) + ' ms'),
      h('td', {}, e.org_id ? h('code', {}, e.org_id) : '—'),
      h('td', {}, [e.fault ? badge('fault: ' + e.fault, 'fail') : null, e.idempotent_replayed ? badge('replayed') : null]));
    setTimeout(() => row.classList.remove('new'), 1500);
    return [row, detail];
  };

  async function poll() {
    try {
      const org = f.org === 'current' ? state.org : f.org === 'any' ? '' : f.org;
      const {data, capacity} = await mock.get('/requests' + query({limit: 200, org_id: org, path_prefix: f.path}));
      const fresh = data.filter((e) => !seen.has(e.request_id) && statusMatches(e.status, f.status));
      fresh.forEach((e) => seen.add(e.request_id));
      if (fresh.length) tbody.prepend(...fresh.flatMap(entryRows));
      info.textContent = `${seen.size} shown · journal keeps the last ${capacity} · live, every ${POLL_MS / 1000} s`;
    } catch (err) {
      info.replaceChildren(errorBox(err));
    }
    if (!stopped) timer = setTimeout(poll, POLL_MS);
  }
  onLeave(() => { stopped = true; clearTimeout(timer); });
  await poll();

  return h('section', {},
    h('h1', {}, 'Request journal ', info),
    form([
      input('path', 'Path starts with', {value: f.path, placeholder: '/agents'}),
      select('status', 'Status', ['', '2xx', '4xx', '5xx', 'dropped', '200', '201', '401', '404', '422', '429', '503'], f.status),
      select('org', 'Organization', ['current', 'any'], f.org),
    ], 'Filter', (v) => go('journal', v)),
    h('div', {class: 'table-wrap'}, h('table', {class: 'journal', 'aria-label': 'Request journal'},
      h('thead', {}, h('tr', {}, ['When', 'Method', 'Path', 'Status', 'Duration', 'Organization', 'Notes'].map((t) => h('th', {scope: 'col'}, t)))),
      tbody)),
    h('p', {class: 'note'}, 'Secrets in headers are masked by the journal. Select a path to see the request.'));
}

export async function reportView() {
  const rep = await mock.get('/report' + query({org_id: state.org}));
  const routes = rep.coverage.routes;
  const statuses = [...new Set(routes.flatMap((r) => Object.keys(r.statuses)))].sort();
  const v = rep.violations;
  return h('section', {},
    h('h1', {}, 'Report ', h('span', {class: 'count'},
      `${rep.coverage.routes_exercised} of ${rep.coverage.routes_total} routes exercised`)),
    table([
      {title: 'API', cell: (r) => r.api},
      {title: 'Route', cell: (r) => h('code', {}, `${r.method} ${r.path}`)},
      {title: 'Calls', cell: (r) => h('span', {class: 'num'}, r.calls)},
      ...statuses.map((s) => ({title: s, cell: (r) => r.statuses[s] ? h('span', {class: 'num status-' + s[0]}, r.statuses[s]) : ''})),
    ], routes, {label: 'Routes by status', class: 'report'}),
    h('h2', {}, 'SDK violations ', h('span', {class: 'count'}, `${v.total} total`)),
    table([{title: 'Kind', cell: ([k]) => k}, {title: 'Count', cell: ([, n]) => n}],
      Object.entries(v.by_kind), {label: 'Violations by kind'}),
    h('h3', {}, 'Most recent'),
    table([
      {title: 'When', cell: (x) => time(x.at)},
      {title: 'Kind', cell: (x) => badge(x.kind, 'fail')},
      {title: 'Request', cell: (x) => h('code', {}, `${x.method} ${x.path}`)},
      {title: 'Detail', cell: (x) => x.detail},
      {title: 'Request id', cell: (x) => h('code', {}, x.request_id)},
    ], v.recent, {label: 'Recent violations', empty: 'No violation'}));
}

export async function sandboxView() {
  const clock = await refreshClock();
  const {data: faults} = await mock.get('/faults');
  const msg = h('p', {role: 'status'});
  const act = (fn) => async (...args) => {
    try {
      msg.textContent = '';
      await fn(...args);
      rerender();
    } catch (err) { msg.replaceChildren(errorBox(err)); }
  };
  const advance = (s) => act(() => mock.post('/clock', {advance_seconds: s}));
  let armed = false;
  const resetBtn = h('button', {type: 'button', class: 'danger', onclick: act(async () => {
    if (!armed) {
      armed = true;
      resetBtn.textContent = `Click again to empty ${state.org}`;
      throw new Error('Resetting removes every agent, transaction and webhook of this organization.');
    }
    await mock.post('/reset', {org_id: state.org});
    await loadOrgs();
  })}, 'Reset this organization');

  return h('section', {},
    h('h1', {}, 'Sandbox controls'), msg,
    h('section', {class: 'card'},
      h('h2', {}, 'Clock'),
      h('p', {}, 'Now: ', h('strong', {id: 'clock-now'}, clock.now), ` (${offsetText(clock.offset_seconds)} from real time)`),
      h('div', {class: 'buttons'},
        h('button', {type: 'button', onclick: advance(3600)}, '+1 hour'),
        h('button', {type: 'button', onclick: advance(86400)}, '+1 day'),
        h('button', {type: 'button', onclick: advance(7 * 86400)}, '+7 days'),
        h('button', {type: 'button', onclick: act(() => mock.post('/clock', {reset: true}))}, 'Back to real time')),
      form([input('advance_seconds', 'Advance by (s)', {type: 'number', required: true})], 'Advance',
        act((v) => mock.post('/clock', {advance_seconds: Number(v.advance_seconds)}))),
      form([input('set', 'Set to (RFC 3339)', {required: true, placeholder: '2030-01-01T00:00:00Z'})], 'Set',
        act((v) => mock.post('/clock', {set: v.set})))),
    h('section', {class: 'card'},
      h('h2', {}, 'Fault rules'),
      table([
        {title: 'Id', cell: (x) => h('code', {}, x.id)},
        {title: 'Action', cell: (x) => x.action},
        {title: 'Match', cell: (x) => `${x.method} ${x.path_prefix}*`},
        {title: 'Detail', cell: (x) => x.action === 'latency' ? `${x.latency_ms} ms` : x.status ? String(x.status) : ''},
        {title: 'Probability', cell: (x) => x.probability},
        {title: 'Fired / remaining', cell: (x) => `${x.fired} / ${x.remaining ?? '∞'}`},
        {title: 'Org', cell: (x) => x.org_id || 'any'},
        {title: '', cell: (x) => h('button', {type: 'button', onclick: act(() => mock.del(`/faults/${x.id}`))}, 'Remove')},
      ], faults, {label: 'Fault rules', empty: 'No fault rule'}),
      form([
        select('action', 'Action', ['error', 'latency', 'reset', 'rate_limit'], 'error'),
        select('method', 'Method', ['*', 'GET', 'POST', 'PATCH', 'DELETE'], '*'),
        input('path_prefix', 'Path prefix', {value: '/', required: true}),
        input('status', 'Status', {type: 'number', value: '503'}),
        input('latency_ms', 'Latency (ms)', {type: 'number'}),
        input('probability', 'Probability', {type: 'number', step: 'any', value: '1'}),
        input('count', 'Count', {type: 'number'}),
        select('scope', 'Applies to', ['this organization', 'every organization'], 'this organization'),
      ], 'Add rule', act((v) => {
        const rule = {action: v.action, method: v.method, path_prefix: v.path_prefix, probability: Number(v.probability)};
        if (v.action === 'error' && v.status) rule.status = Number(v.status);
        if (v.action === 'latency') rule.latency_ms = Number(v.latency_ms || 0);
        if (v.count) rule.count = Number(v.count);
        if (v.scope === 'this organization') rule.org_id = state.org;
        return mock.post('/faults', rule);
      }))),
    h('section', {class: 'card'},
      h('h2', {}, 'Data'),
      form([input('agents', 'Agents', {type: 'number', min: '0', value: '100'}),
            input('transactions', 'Transactions', {type: 'number', min: '0', value: '1000'})],
        'Generate in this organization', act((v) => mock.post(`/orgs/${encodeURIComponent(state.org)}/generate`,
          {agents: Number(v.agents), transactions: Number(v.transactions)}))),
      h('div', {class: 'buttons'}, resetBtn,
        h('button', {type: 'button', onclick: act(() => download('/state', 'agentmock-state.ndjson'))},
          'Download snapshot'))));
}
