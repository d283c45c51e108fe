// The dashboard's shell: the organization picker, the clock in the header, and a router
// from location.hash ("#/agents/agent_x?page=2") to the view functions of the other modules.
import {mock, ensureToken} from './api.js';
import {h, errorBox} from './dom.js';
import {orgsView} from './orgs.js';
import {agentsView, agentView, transactionsView, transactionView, webhooksView} from './alsorn.js';
import {alterView} from './alter.js';
import {journalView, reportView, sandboxView} from './sandbox.js';
import {sessionsView, sessionView} from './sessions.js';

export const state = {org: localStorage.getItem('agentmock.org') || '', orgs: []};

export function setOrg(id) {
  state.org = id;
  localStorage.setItem('agentmock.org', id);
  document.getElementById('org-select').value = id;
}

export async function loadOrgs() {
  const {data} = await mock.get('/orgs');
  state.orgs = data;
  const sel = document.getElementById('org-select');
  sel.replaceChildren(...data.map((o) => h('option', {value: o.id}, `${o.name} (${o.id})`)));
  if (!data.some((o) => o.id === state.org)) state.org = data.length ? data[0].id : '';
  sel.value = state.org;
  return data;
}

export async function refreshClock() {
  const c = await mock.get('/clock');
  const el = document.getElementById('clock');
  el.textContent = c.now.replace('T', ' ').replace('Z', ' UTC') +
    (c.offset_seconds ? ` (${offsetText(c.offset_seconds)} from real time)` : '');
  el.dataset.now = c.now;
  return c;
}

// "+7 d 2 h", "-30 min", "+45 s": how far the sandbox clock is from real time.
export function offsetText(seconds) {
  const sign = seconds < 0 ? '-' : '+';
  let s = Math.abs(seconds);
  const parts = [];
  for (const [unit, n] of [['d', 86400], ['h', 3600], ['min', 60]]) {
    if (s >= n) { parts.push(`${Math.floor(s / n)} ${unit}`); s %= n; }
  }
  if (s || !parts.length) parts.push(`${s} s`);
  return sign + parts.slice(0, 2).join(' ');
}

const routes = [
  [/^orgs$/, orgsView],
  [/^agents$/, agentsView],
  [/^agents\/([^/]+)$/, agentView],
  [/^transactions$/, transactionsView],
  [/^transactions\/([^/]+)$/, transactionView],
  [/^webhooks$/, webhooksView],
  [/^alter$/, alterView],
  [/^journal$/, journalView],
  [/^report$/, reportView],
  [/^sandbox$/, sandboxView],
  [/^sessions$/, sessionsView],
  [/^sessions\/([^/]+)$/, sessionView],
];

// Views that show the whole sandbox, not one organization's data.
const orgFree = new Set([orgsView, sessionsView, sessionView]);

// Views that poll register a stop function here; leaving the view calls it.
let cleanup = [];
export function onLeave(fn) { cleanup.push(fn); }

// Re-renders the current view (after an action changed what it shows).
export function rerender() { render(); }

let renderSeq = 0;
async function render() {
  cleanup.forEach((fn) => fn());
  cleanup = [];
  const seq = ++renderSeq;
  const [path, qs] = (location.hash.replace(/^#\/?/, '') || 'orgs').split('?');
  const params = new URLSearchParams(qs || '');
  const main = document.getElementById('view');
  for (const a of document.querySelectorAll('nav a'))
    a.toggleAttribute('aria-current', path.split('/')[0] === a.getAttribute('href').slice(2));
  const match = routes.find(([re]) => re.test(path));
  main.setAttribute('aria-busy', 'true');
  let content;
  try {
    if (!match) throw new Error(`No view for ${path}`);
    const args = path.match(match[0]).slice(1).map(decodeURIComponent);
    if (!orgFree.has(match[1]) && !state.org)
      content = h('p', {}, 'No organization yet: create one under ', h('a', {href: '#/orgs'}, 'Organizations'), '.');
    else content = await match[1](params, ...args);
  } catch (err) {
    console.warn(err);
    content = errorBox(err);
  }
  if (seq !== renderSeq) return; // a newer navigation won
  main.replaceChildren(content);
  main.removeAttribute('aria-busy');
}

export function go(path, params) {
  const q = params ? new URLSearchParams(Object.entries(params).filter(([, v]) => v !== '' && v != null)).toString() : '';
  location.hash = '#/' + path + (q ? '?' + q : '');
}

async function start() {
  document.getElementById('org-select').addEventListener('change', (e) => {
    setOrg(e.target.value);
    render();
  });
  try {
    await ensureToken();
    await loadOrgs();
    await refreshClock();
  } catch (err) {
    document.getElementById('view').replaceChildren(errorBox(err));
  }
  setInterval(() => refreshClock().catch(() => {}), 5000);
  window.addEventListener('hashchange', render);
  render();
}

start();
