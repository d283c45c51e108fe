// Graded SDK sessions: a matrix of checks × sessions comparing SDKs side by side, and one
// session's checks with its exports and Close.  Checks are rendered from the JSON as the
// sandbox grades them, never from a list of names kept here, so new checks show up as is.
import {mock, download, tokenInUse} from './api.js';
import {h, badge, time, field, errorBox} from './dom.js';
import {setOrg, rerender} from './app.js';

// The result as text with an icon, so it reads the same without colour.
const ICONS = {passed: '✓', failed: '✗', incomplete: '!', declined: '–', open: '○'};

function resultBadge(result) {
  return h('span', {class: `badge ${result}`},
    ICONS[result] ? h('span', {'aria-hidden': 'true'}, ICONS[result] + ' ') : null, result);
}

// "open" with the verdict it would get now, or the graded status.
function statusBadges(s) {
  return s.status === 'open'
    ? [resultBadge('open'), h('span', {class: 'verdict'}, 'verdict now: ', resultBadge(s.verdict))]
    : [resultBadge(s.status)];
}

function countsText(c) {
  return ['passed', 'failed', 'incomplete', 'declined'].map((k) => `${c[k] ?? 0} ${k}`).join(' · ');
}

const sessionHref = (id) => `#/sessions/${encodeURIComponent(id)}`;

function orgLink(id) {
  return h('a', {href: '#/orgs', onclick: () => setOrg(id)}, h('code', {}, id));
}

function openHint() {
  const token = tokenInUse() ? ` -H "X-Mock-Admin-Token: $AGENTMOCK_ADMIN_TOKEN"` : '';
  return h('p', {class: 'note'},
    'Open a session for an SDK from its test setup (the reply holds the session org\'s keys, shown once there and never here): ',
    h('code', {class: 'wrap'}, `curl -X POST ${location.origin}/_mock/sessions -H 'Content-Type: application/json'${token} ` +
      `-d '{"sdk": "my-sdk", "version": "1.0.0"}'`));
}

// Every check name in checklist order: the newest session's list first (the current
// checklist), then any name only an older session was graded on.
function checkRows(sessions) {
  const rows = new Map();
  for (const s of sessions)
    for (const c of s.checks) if (!rows.has(c.name)) rows.set(c.name, c.level);
  return [...rows];
}

export async function sessionsView() {
  const {data} = await mock.get('/sessions');
  const sessions = await Promise.all(data.map((s) => mock.get(`/sessions/${encodeURIComponent(s.id)}`)));
  const title = h('h1', {}, 'SDK sessions ', h('span', {class: 'count'}, `${sessions.length} session${sessions.length === 1 ? '' : 's'}`));
  const refresh = h('div', {class: 'buttons'}, h('button', {type: 'button', onclick: () => rerender()}, 'Refresh'));
  if (!sessions.length)
    return h('section', {}, title, h('p', {class: 'empty'}, 'No session yet.'), openHint(), refresh);
  const results = sessions.map((s) => new Map(s.checks.map((c) => [c.name, c])));
  return h('section', {},
    title, refresh,
    h('div', {class: 'table-wrap'}, h('table', {class: 'matrix', 'aria-label': 'Checks by session'},
      h('thead', {}, h('tr', {},
        h('th', {scope: 'col'}, 'Check'), h('th', {scope: 'col'}, 'Level'),
        sessions.map((s) => h('th', {scope: 'col', 'data-session': s.id},
          h('a', {href: sessionHref(s.id)}, `${s.sdk} ${s.version}`),
          h('div', {}, statusBadges(s)),
          h('div', {class: 'count'}, countsText(s.counts)))))),
      h('tbody', {}, checkRows(sessions).map(([name, level]) => h('tr', {'data-check': name},
        h('th', {scope: 'row'}, h('code', {}, name)),
        h('td', {}, badge(level, `level ${level}`)),
        results.map((r) => {
          const c = r.get(name);
          if (!c) return h('td', {class: 'empty'}, 'not graded');
          return h('td', {title: c.violations ? `${c.violations} violation(s)` : null}, resultBadge(c.result),
            c.violations ? h('span', {class: 'num'}, ` ×${c.violations}`) : null);
        })))))),
    h('p', {class: 'note'}, 'Open sessions are graded as of now; closing one grades it for good. Select a session for its checks, exports and Close.'),
    openHint());
}

export async function sessionView(params, id) {
  return sessionPage(await mock.get(`/sessions/${encodeURIComponent(id)}`), '');
}

function sessionPage(s, message) {
  const msg = h('p', {role: 'status'}, message);
  const path = `/sessions/${encodeURIComponent(s.id)}`;
  const act = (fn) => async () => {
    try {
      msg.textContent = '';
      await fn();
    } catch (err) { msg.replaceChildren(errorBox(err)); }
  };
  let armed = false;
  const closeBtn = s.status !== 'open' ? null : h('button', {type: 'button', class: 'danger', onclick: act(async () => {
    if (!armed) {
      armed = true;
      closeBtn.textContent = `Click again to close ${s.sdk} ${s.version}`;
      throw new Error('Closing grades the session for good: a required check never exercised becomes incomplete, any other declined.');
    }
    const graded = await mock.post(path + '/close');
    const page = sessionPage(graded, `Closed and graded: ${graded.status} (${countsText(graded.counts)}).`);
    section.replaceWith(page);
    page.querySelector('h1').focus();
  })}, 'Close session');
  const withDetail = s.checks.some((c) => c.detail);
  const file = `agentmock-session-${s.sdk}-${s.version}`.replace(/[^A-Za-z0-9._-]+/g, '_');
  const section = h('section', {},
    h('h1', {tabindex: '-1'}, `${s.sdk} ${s.version} `, statusBadges(s)),
    msg,
    h('dl', {class: 'fields'},
      field('Session', h('code', {}, s.id)),
      field('Organization', [orgLink(s.org_id), s.note ? ` (${s.note})` : null]),
      field('Opened', time(s.created_at)),
      field('Closed', s.closed_at ? time(s.closed_at) : 'open: graded as of now'),
      field(s.status === 'open' ? 'Verdict now' : 'Verdict', resultBadge(s.verdict)),
      field('Counts', countsText(s.counts))),
    h('div', {class: 'buttons'},
      h('button', {type: 'button', onclick: act(() => download(path + '?format=junit', file + '.junit.xml'))}, 'Download JUnit XML'),
      h('button', {type: 'button', onclick: act(() => download(path + '?format=html', file + '.html'))}, 'Download HTML report'),
      closeBtn),
    h('div', {class: 'table-wrap'}, h('table', {class: 'checks', 'aria-label': 'Checks'},
      h('thead', {}, h('tr', {}, ['Check', 'Level', 'Result', 'Violations', 'What it asks', withDetail ? 'Detail' : null]
        .filter(Boolean).map((t) => h('th', {scope: 'col'}, t)))),
      h('tbody', {}, s.checks.map((c) => h('tr', {'data-check': c.name},
        h('th', {scope: 'row'}, h('code', {}, c.name)),
        h('td', {}, badge(c.level, `level ${c.level}`)),
        h('td', {}, resultBadge(c.result)),
        h('td', {class: 'num'}, c.violations),
        h('td', {}, c.what),
        withDetail ? h('td', {}, c.detail ?? '') : null))))),
    h('p', {class: 'note'}, h('a', {href: '#/sessions'}, '← All sessions'),
      ' · the violations themselves are in the ', h('a', {href: '#/report', onclick: () => setOrg(s.org_id)}, 'report'),
      ' and the ', h('a', {href: '#/journal', onclick: () => setOrg(s.org_id)}, 'journal'), ' of the session\'s organization.'));
  return section;
}
