// Browser tests of the sandbox dashboard (/_mock/ui): a real mock on a free port, seeded
// through the APIs, driven in Debian's Chromium by playwright-core, checked the way a user
// would look at it.  Writes a screenshot of each view to build/ui-screenshots/, fails on any
// console error, runs axe-core on each view, and times the agents view of 10,000 agents.
//
//   node mock/ui/tests/dashboard.mjs <agentmock binary>      (scripts/test-ui runs it)
import {spawn} from 'node:child_process';
import {createRequire} from 'node:module';
import {mkdirSync, mkdtempSync, readFileSync, rmSync} from 'node:fs';
import http from 'node:http';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {fileURLToPath} from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const require = createRequire(path.join(root, 'scripts/node/node_modules/'));
const {chromium} = require('playwright-core');
const axeSource = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
const binary = path.resolve(process.argv[2] || path.join(root, 'build/test/agentmock'));
const shots = path.join(root, 'build/ui-screenshots');
const TOKEN = 'ui-test-admin-token';
const LARGE_AGENTS = 10000, LARGE_TRANSACTIONS = 100000;

let failures = 0;
const results = [];
function check(cond, what) {
  results.push(`${cond ? 'ok  ' : 'FAIL'} ${what}`);
  console.log(results[results.length - 1]);
  if (!cond) failures++;
}

// ---- the mock, a webhook receiver and an upstream for Alter's proxy ----------------------

function startMock() {
  return new Promise((resolve, reject) => {
    const child = spawn(binary, ['--listen', '127.0.0.1:0', '--seed', '7', '--admin-token', TOKEN,
      '--fixtures', path.join(root, 'fixtures')], {stdio: ['ignore', 'pipe', 'inherit']});
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
      const m = out.match(/listening on (http:\/\/127\.0\.0\.1:\d+)/);
      if (m) resolve({child, base: m[1]});
    });
    child.on('exit', (code) => reject(new Error(`agentmock exited with ${code}: ${out}`)));
  });
}

// /hook-ok answers 200, /hook-fail 500; /upstream/... records the call (Alter's proxy target).
function startReceiver() {
  const upstreamCalls = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (d) => { body += d; });
    req.on('end', () => {
      if (req.url.startsWith('/upstream/')) {
        upstreamCalls.push({method: req.method, url: req.url, auth: req.headers.authorization, body});
        res.writeHead(200, {'Content-Type': 'application/json'});
        return res.end(JSON.stringify({deployed: true}));
      }
      res.writeHead(req.url === '/hook-ok' ? 200 : 500);
      res.end();
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () =>
    resolve({server, url: `http://127.0.0.1:${server.address().port}`, upstreamCalls})));
}

let BASE;
async function call(method, p, {key, body, headers = {}, raw} = {}) {
  const h = {...headers};
  if (p.startsWith('/_mock/')) h['X-Mock-Admin-Token'] = TOKEN;
  if (key) h.Authorization = `Bearer ${key}`;
  if (body !== undefined && !raw) h['Content-Type'] = 'application/json';
  const res = await fetch(BASE + p, {method, headers: h, body: raw ?? (body === undefined ? undefined : JSON.stringify(body))});
  const text = await res.text();
  let json = null;
  try { json = text ? JSON.parse(text) : null; } catch { /* NDJSON or empty */ }
  return {status: res.status, json, text};
}
async function ok(method, p, opts) {
  const r = await call(method, p, opts);
  if (r.status >= 300) throw new Error(`${method} ${p} -> ${r.status} ${r.text.slice(0, 300)}`);
  return r.json ?? r.text;
}
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
async function until(what, fn, ms = 15000) {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

// ---- seeding through the APIs -----------------------------------------------------------

async function seed(receiver) {
  const org = await ok('POST', '/_mock/orgs', {body: {name: 'Dashboard Test Org', plan: 'enterprise'}});
  const w = org.keys.write, admin = org.keys.admin;
  const agent = (name, actions) => ok('POST', '/agents', {key: w, body: {name, authorized_actions: actions, spending_limit: 1000}});
  const alpha = await agent('ui-alpha-trader', ['purchase_data', 'pay_invoice']);
  const beta = await agent('ui-beta-supplier', ['purchase_data']);
  const gamma = await agent('ui-gamma-tampered', ['purchase_data']);
  // a history that moves: completions, refused actions (failed), spread over days
  const steps = ['purchase_data', 'purchase_data', 'ship_goods', 'pay_invoice', 'ship_goods', 'purchase_data', 'ship_goods'];
  let lastTx;
  for (const action of steps) {
    const r = await call('POST', '/transactions', {key: w, body: {agent_id: alpha.id, counterparty_id: beta.id, amount: 12.5, action_type: action}});
    if (r.status === 201) lastTx = r.json;
    await ok('POST', '/_mock/clock', {body: {advance_seconds: 86400}});
  }
  await ok('POST', '/transactions', {key: w, body: {agent_id: gamma.id, counterparty_id: beta.id, amount: 3, action_type: 'purchase_data'}});
  const hookOk = await ok('POST', '/webhooks', {key: admin, body: {url: receiver.url + '/hook-ok', events: ['*']}});
  const hookFail = await ok('POST', '/webhooks', {key: admin, body: {url: receiver.url + '/hook-fail', events: ['*']}});
  await ok('POST', '/transactions', {key: w, body: {agent_id: alpha.id, counterparty_id: beta.id, amount: 1, action_type: 'purchase_data'}});
  return {org, alpha, beta, gamma, lastTx, hookOk, hookFail};
}

// Replaces the whole state with itself, one audit entry of `agentId` altered: its stored
// hash no longer matches, so the server's verification must report the chain broken.
async function tamperChain(agentId) {
  const ndjson = await ok('GET', '/_mock/state');
  let changed = false;
  const lines = ndjson.split('\n').map((line) => {
    if (!line.includes(`"id":"${agentId}"`) || !line.startsWith('{"type":"agent"')) return line;
    const rec = JSON.parse(line);
    const entry = rec.audit.find((e) => e.action === 'agent.registered'); // saved whole
    entry.payload = entry.payload.replace('"spending_limit":1000', '"spending_limit":9999');
    changed = true;
    return JSON.stringify(rec);
  });
  if (!changed) throw new Error('tamperChain: agent not in the state');
  // the default import refuses a chain that does not verify; as_given keeps it broken
  const refused = await call('PUT', '/_mock/state', {raw: lines.join('\n'), headers: {'Content-Type': 'application/x-ndjson'}});
  check(refused.status === 422, 'state import refuses a tampered chain by default');
  const r = await call('PUT', '/_mock/state?audit_chains=as_given', {raw: lines.join('\n'), headers: {'Content-Type': 'application/x-ndjson'}});
  if (r.status >= 300) throw new Error(`PUT /_mock/state -> ${r.status} ${r.text}`);
}

async function seedAlter(org, receiver) {
  const app = org.alter.app_key;
  const created = await ok('POST', '/sdk/agents', {key: app, body: {name: 'ui-gated-deployer', policy: {require_approval: true}}});
  const grant = await ok('POST', '/_mock/alter/grants', {body: {org_id: org.id, provider_id: 'github', scopes: ['repo'],
    account_identifier: 'octo@example.test', principal_type: 'user', delegated_agent_ids: [created.id], upstream_token: 'gho_ui'}});
  const trace = {'X-Alter-Run-Id': 'run-ui-parent', 'X-Alter-Thread-Id': 'thread-ui'};
  await ok('GET', '/sdk/agents/me', {key: created.api_key, headers: trace});
  const pending = await ok('POST', '/sdk/proxy', {key: created.api_key,
    headers: {'X-Alter-Run-Id': 'run-ui-child', 'X-Alter-Parent-Run-Id': 'run-ui-parent', 'X-Alter-Thread-Id': 'thread-ui'},
    body: {grant_id: grant.grant_id, method: 'POST', url: receiver.url + '/upstream/deploy', body_b64: Buffer.from('go').toString('base64')}});
  return {agent: created, grant, pending};
}

// ---- the browser ----------------------------------------------------------------------------

async function main() {
  mkdirSync(shots, {recursive: true});
  const receiver = await startReceiver();
  const {child, base} = await startMock();
  BASE = base;
  const profile = mkdtempSync(path.join(tmpdir(), 'agentmock-ui-'));
  let browser;
  try {
    const s = await seed(receiver);
    await tamperChain(s.gamma.id);
    const alter = await seedAlter(s.org, receiver);
    const large = await ok('POST', '/_mock/orgs', {body: {name: 'Large Org'}});
    let t = Date.now();
    await ok('POST', `/_mock/orgs/${large.id}/generate`, {body: {agents: LARGE_AGENTS, transactions: LARGE_TRANSACTIONS}});
    console.log(`generated ${LARGE_AGENTS} agents and ${LARGE_TRANSACTIONS} transactions in ${Date.now() - t} ms`);

    browser = await chromium.launchPersistentContext(profile, {
      executablePath: '/usr/bin/chromium', headless: true, viewport: {width: 1360, height: 900},
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
        '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    const page = browser.pages()[0] || await browser.newPage();
    const consoleErrors = [];
    page.on('console', (m) => { if (m.type() === 'error') consoleErrors.push(m.text()); });
    page.on('pageerror', (e) => consoleErrors.push(String(e)));
    page.setDefaultTimeout(20000);
    const axeViolations = [];
    async function look(name) {
      await page.waitForSelector('main:not([aria-busy])');
      await page.screenshot({path: path.join(shots, `${name}.png`), fullPage: true});
      if (!(await page.evaluate(() => !!window.axe))) await page.evaluate(axeSource);
      const found = await page.evaluate(async () => (await window.axe.run(document, {resultTypes: ['violations']})).violations
        .filter((v) => v.impact === 'serious' || v.impact === 'critical')
        .map((v) => `${v.id} (${v.impact}): ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(', ')}`));
      for (const v of found) axeViolations.push(`${name}: ${v}`);
    }
    const visit = async (hash) => {
      await page.evaluate((h) => { location.hash = h; }, hash);
      await page.waitForSelector('main:not([aria-busy])');
    };

    // the token is asked for before anything is shown
    await page.goto(base + '/_mock/ui');
    await page.waitForSelector('#token-dialog[open]');
    await page.screenshot({path: path.join(shots, 'token.png')});
    await page.fill('#token-input', TOKEN);
    await page.click('#token-dialog button[type=submit]');
    await page.waitForSelector('#org-select option', {state: 'attached'});

    // organizations: plan, keys by level (never a key), counts
    await page.selectOption('#org-select', s.org.id);
    await visit('#/orgs');
    const orgText = await page.textContent('main');
    check(orgText.includes('Dashboard Test Org') && orgText.includes('enterprise'), 'orgs: the new org and its plan are listed');
    check(['read', 'write', 'admin'].every((l) => orgText.includes(l)), 'orgs: key levels shown');
    const html = await page.content();
    check(![s.org.keys.read, s.org.keys.write, s.org.keys.admin, s.org.alter.app_key].some((k) => html.includes(k)),
      'orgs: no full key anywhere in the page');
    await look('orgs');

    // agents: the seeded agent appears, search narrows
    await visit('#/agents');
    await page.waitForSelector(`a[href="#/agents/${s.alpha.id}"]`);
    check(true, 'agents: the registered agent appears');
    await page.fill('input[name=search]', 'beta');
    await page.click('main form button[type=submit]');
    await page.waitForFunction(() => document.querySelectorAll('table.agents tbody tr').length === 1 &&
      document.querySelector('table.agents tbody').textContent.includes('ui-beta-supplier'));
    check(true, 'agents: search keeps only the matching agent');
    await visit('#/agents');
    await look('agents');

    // agent detail: the plot has one point per history snapshot; the chain verifies
    const history = await ok('GET', `/trust/${s.alpha.id}/history?days=365`, {key: s.org.keys.read});
    await visit(`#/agents/${s.alpha.id}`);
    const points = await page.$$eval('svg.plot circle.point', (cs) => cs.map((c) => Number(c.dataset.score)));
    check(history.length >= 3 && points.length === history.length, `agent: plot has the history's ${history.length} points (found ${points.length})`);
    check(JSON.stringify([...points].sort()) === JSON.stringify(history.map((p) => p.score).sort()), 'agent: plotted scores are the history\'s scores');
    check(await page.isVisible('.badge.verified'), 'agent: intact audit chain shows verified');
    await look('agent');
    // the README's picture (mock/ui/docs/dashboard.png is a copy): the top of this view
    await page.screenshot({path: path.join(shots, 'readme.png'), clip: {x: 0, y: 0, width: 1360, height: 890}});

    // the chain altered through a state import shows broken
    await visit(`#/agents/${s.gamma.id}`);
    check(await page.isVisible('.badge.broken') && !(await page.isVisible('.badge.verified')), 'agent: tampered chain shows broken');
    await look('agent-broken-chain');

    // transactions: filters, detail with counterparty trust and audit entry, reverse
    await visit(`#/transactions?agent_id=${s.alpha.id}&status=failed`);
    const failedRows = await page.$$eval('main tbody tr', (rs) => rs.map((r) => r.textContent));
    check(failedRows.length > 0 && failedRows.every((r) => r.includes('failed')), 'transactions: status filter shows only failed ones');
    await visit('#/transactions');
    await look('transactions');
    await visit(`#/transactions/${s.lastTx.id}`);
    const txText = await page.textContent('main');
    check(txText.includes('Counterparty trust') && txText.includes('ui-beta-supplier') && txText.includes(s.lastTx.audit_hash || 'sha256:'),
      'transaction: counterparty trust and audit entry shown');
    await page.fill('input[name=reason]', 'refund from the dashboard');
    await page.click('main form button[type=submit]');
    await page.waitForSelector('main .badge.reversed');
    const after = await ok('GET', `/transactions/${s.lastTx.id}`, {key: s.org.keys.read});
    check(after.status === 'reversed' && after.reversal_reason === 'refund from the dashboard', 'transaction: Reverse in the page reversed it');
    await look('transaction');

    // webhooks: per-endpoint deliveries with status codes and the next retry; send a test
    await until('webhook deliveries', async () => {
      const d = await ok('GET', `/webhooks/${s.hookFail.id}/deliveries`, {key: s.org.keys.admin});
      return d.data.length > 0;
    });
    await visit('#/webhooks');
    const failCard = page.locator(`article.webhook[data-id="${s.hookFail.id}"]`);
    check((await failCard.locator('.attempt.fail').count()) > 0 && (await failCard.textContent()).includes('500'), 'webhooks: failed attempts with their status code');
    check((await failCard.locator('.next-retry').count()) > 0, 'webhooks: next retry shown');
    const okCard = page.locator(`article.webhook[data-id="${s.hookOk.id}"]`);
    await okCard.locator('button', {hasText: 'Send test event'}).click();
    await okCard.locator('.test-result', {hasText: 'Test delivered: 200'}).waitFor();
    check(true, 'webhooks: Send test event reports the receiver\'s 200');
    await look('webhooks');

    // Alter: the pending approval, approved in the page, executes upstream
    await visit('#/alter');
    const alterText = await page.textContent('main');
    check(alterText.includes('ui-gated-deployer') && alterText.includes('alter_key_agent_'), 'alter: agent and key prefix listed');
    check(await page.isVisible('text=run-ui-child') && await page.isVisible('ul.tree ul.tree >> text=run-ui-child'),
      'alter: the child run nests under its parent in the trace tree');
    await look('alter');
    await page.click(`tr:has-text("${alter.pending.approval_id}") button.approve`);
    await page.waitForSelector(`tr:has-text("${alter.pending.approval_id}") .badge:not(.pending)`);
    const done = await until('approval executed', async () => {
      const a = await ok('GET', `/sdk/approvals/${alter.pending.approval_id}`, {key: alter.agent.api_key});
      return a.status === 'executed' && a;
    });
    check(done.status === 'executed' && receiver.upstreamCalls.some((c) => c.url === '/upstream/deploy' && c.auth === 'Bearer gho_ui'),
      'alter: approval approved in the page executed the call upstream');
    await visit('#/alter?run_id=run-ui-child');
    check(!(await page.isVisible('summary:has-text("run-ui-parent")')) && await page.isVisible('summary:has-text("run-ui-child")'),
      'alter: audit log filtered by run');

    // journal: a request made now appears without reloading
    await visit('#/journal?org=any');
    const marker = `/agents?search=journal-live-${Date.now()}`;
    await ok('GET', marker, {key: s.org.keys.read});
    await page.waitForSelector(`main tr.entry:has-text("journal-live-")`, {timeout: 10000});
    check(true, 'journal: a new request appears live');
    await page.click('main tr.entry:has-text("journal-live-") button');
    check(await page.isVisible('main tr.detail:not([hidden]) pre.body'), 'journal: request headers and body open');
    check((await page.textContent('main tr.detail:not([hidden]) pre.response')).includes('"pagination"'), 'journal: the response body is shown');
    check(!(await page.content()).includes(s.org.keys.read), 'journal: the key in Authorization is masked');
    await look('journal');
    await visit('#/journal?org=any&status=4xx');
    await call('GET', '/agents/agent_doesnotexist', {key: s.org.keys.read});
    await page.waitForSelector('main tr.entry:has-text("agent_doesnotexist")');
    const statuses = await page.$$eval('main tr.entry td:nth-child(4)', (tds) => tds.map((td) => td.textContent));
    check(statuses.length > 0 && statuses.every((x) => x.startsWith('4')), 'journal: status filter');

    // report: routes x statuses, violations
    await call('GET', '/agents', {key: s.org.keys.read, headers: {'User-Agent': ''}});
    await visit('#/report');
    const reportText = await page.textContent('main');
    check(reportText.includes('GET /agents/{id}') && reportText.includes('404'), 'report: routes with their statuses');
    check(reportText.includes('missing_user_agent'), 'report: violations listed');
    await look('report');

    // sandbox: the clock moves, a fault rule is added and removed
    await visit('#/sandbox');
    const before = Date.parse(await page.textContent('#clock-now'));
    await page.click('button:has-text("+1 day")');
    await page.waitForFunction((b) => Date.parse(document.querySelector('#clock-now')?.textContent) >= b + 86400e3, before);
    const clock = await ok('GET', '/_mock/clock');
    check(Date.parse(clock.now) >= before + 86400e3, 'sandbox: +1 day moved the sandbox clock');
    await page.fill('input[name=path_prefix]', '/transactions');
    await page.click('button:has-text("Add rule")');
    await page.waitForSelector('main td:has-text("/transactions*")');
    const faults = (await ok('GET', '/_mock/faults')).data;
    check(faults.length === 1 && faults[0].path_prefix === '/transactions' && faults[0].org_id === s.org.id, 'sandbox: fault rule added for this org');
    await look('sandbox');
    await page.click('main td button:has-text("Remove")');
    await page.waitForSelector('text=No fault rule');
    check((await ok('GET', '/_mock/faults')).data.length === 0, 'sandbox: fault rule removed');
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('button:has-text("Download snapshot")')]);
    const snap = readFileSync(await download.path(), 'utf8');
    check(snap.startsWith('{"type":"meta"') && snap.includes(s.alpha.id), 'sandbox: snapshot downloaded');
    await page.click('button:has-text("Reset this organization")');
    await page.waitForSelector('button:has-text("Click again")');
    check((await ok('GET', '/agents', {key: s.org.keys.read})).pagination.total === 3, 'sandbox: reset asks again before emptying');
    await page.click('button:has-text("Click again")');
    await until('the org emptied', async () => (await ok('GET', '/agents', {key: s.org.keys.read})).pagination.total === 0);
    check(true, 'sandbox: Reset emptied the organization (its keys still work)');

    // large state: 10,000 agents page without loading everything
    await page.selectOption('#org-select', large.id);
    await visit('#/orgs');
    t = Date.now();
    await page.evaluate(() => { location.hash = '#/agents'; });
    await page.waitForSelector('#agents-total:has-text("10,000 total")');
    await page.waitForSelector('table.agents tbody tr:nth-child(50)');
    const agentsMs = Date.now() - t;
    const rows = await page.$$eval('table.agents tbody tr', (r) => r.length);
    check(rows === 50, `large: one page of 50 rows of ${LARGE_AGENTS} agents`);
    console.log(`TIMING agents view with ${LARGE_AGENTS} agents: ${agentsMs} ms to show the first page`);
    await look('agents-10000');
    t = Date.now();
    await page.reload(); // the whole page from nothing: modules, org list, clock, first page
    await page.waitForSelector('table.agents tbody tr:nth-child(50)');
    console.log(`TIMING agents view with ${LARGE_AGENTS} agents, page reloaded: ${Date.now() - t} ms`);
    t = Date.now();
    await page.click('button:has-text("Next →")');
    await page.waitForSelector('.pager:has-text("Page 2 of 200")');
    console.log(`TIMING agents view page 2: ${Date.now() - t} ms`);
    t = Date.now();
    await visit('#/transactions');
    await page.waitForSelector('main .count:has-text("matching")');
    console.log(`TIMING transactions view with ${LARGE_TRANSACTIONS.toLocaleString('en')} transactions: ${Date.now() - t} ms`);
    await look('transactions-100000');

    // SDK sessions: two SDKs side by side, one drawing a violation; a detail, its exports, Close
    await visit('#/sessions');
    check((await page.textContent('main')).includes('No session yet') &&
      (await page.textContent('main code')).includes('X-Mock-Admin-Token: $AGENTMOCK_ADMIN_TOKEN'),
      'sessions: none yet, with the curl to open one (the token as a variable, never its value)');
    await look('sessions-empty');
    const sesA = await ok('POST', '/_mock/sessions', {body: {sdk: 'sdk-a', version: '1.0'}});
    const sesB = await ok('POST', '/_mock/sessions', {body: {sdk: 'sdk-b', version: '2.0'}});
    await call('GET', '/agents', {key: sesA.org.keys.read, headers: {'User-Agent': ''}}); // missing_user_agent
    await ok('GET', '/agents', {key: sesB.org.keys.read, headers: {'User-Agent': 'sdk-b/2.0'}});
    await ok('POST', `/_mock/sessions/${sesB.id}/close`);
    const apiA = await ok('GET', `/_mock/sessions/${sesA.id}`), apiB = await ok('GET', `/_mock/sessions/${sesB.id}`);
    const resultOf = (g, name) => g.checks.find((c) => c.name === name).result;
    check(apiA.status === 'open' && resultOf(apiA, 'missing_user_agent') === 'failed' && resultOf(apiB, 'missing_user_agent') === 'passed',
      'sessions: the API grades sdk-a failed and sdk-b passed on missing_user_agent');
    await page.click('main button:has-text("Refresh")');
    await page.waitForSelector('table.matrix');
    await page.waitForSelector('main:not([aria-busy])');
    const matrix = await page.evaluate(() => ({
      cols: [...document.querySelectorAll('table.matrix thead th[data-session]')].map((th) => ({id: th.dataset.session, text: th.textContent})),
      rows: [...document.querySelectorAll('table.matrix tbody tr')].map((tr) => ({check: tr.dataset.check,
        name: tr.cells[0].textContent, level: tr.cells[1].textContent, cells: [...tr.cells].slice(2).map((td) => td.textContent)})),
    }));
    const colA = matrix.cols.findIndex((c) => c.id === sesA.id), colB = matrix.cols.findIndex((c) => c.id === sesB.id);
    check(matrix.cols.length === 2 && colA >= 0 && colB >= 0, `sessions: one column per session (found ${matrix.cols.length})`);
    check(matrix.cols[colA]?.text.includes('sdk-a 1.0') && /open.*verdict now: ✗ failed/.test(matrix.cols[colA].text) &&
      matrix.cols[colB]?.text.includes('sdk-b 2.0') && matrix.cols[colB].text.includes(apiB.status) && !matrix.cols[colB].text.includes('open'),
      'sessions: column headers name the SDK, show sdk-a open with its verdict now and sdk-b graded');
    check(matrix.cols[colB]?.text.includes(`${apiB.counts.passed} passed · ${apiB.counts.failed} failed · ${apiB.counts.incomplete} incomplete`),
      'sessions: a column shows the session\'s counts');
    check(JSON.stringify(matrix.rows.map((r) => [r.name, r.level])) === JSON.stringify(sesA.checklist.map((c) => [c.name, c.level])),
      'sessions: rows are the checklist\'s checks, in its order, with their level');
    const cellResult = (text) => (text.match(/passed|failed|incomplete|declined/) || ['?'])[0];
    const wrong = matrix.rows.flatMap((r) => [[apiA, colA], [apiB, colB]]
      .filter(([g, col]) => cellResult(r.cells[col] || '') !== resultOf(g, r.check))
      .map(([g, col]) => `${g.sdk} ${r.check}: shows "${r.cells[col]}", API ${resultOf(g, r.check)}`));
    check(wrong.length === 0, `sessions: every cell shows its session's result${wrong.length ? ': ' + wrong.join('; ') : ''}`);
    const mua = matrix.rows.find((r) => r.check === 'missing_user_agent');
    check(mua && mua.cells[colA].startsWith('✗ failed') && mua.cells[colB].startsWith('✓ passed'),
      'sessions: missing_user_agent reads "✗ failed" for sdk-a and "✓ passed" for sdk-b (icon and word, not colour alone)');
    const sessionKeys = [sesA, sesB].flatMap((x) => [x.org.keys.read, x.org.keys.write, x.org.keys.admin, x.org.alter.app_key]);
    const noKeys = async () => { const html = await page.content(); return !sessionKeys.some((k) => html.includes(k)); };
    check(await noKeys(), 'sessions: no session key anywhere in the matrix');
    await look('sessions');

    // the detail: checks, exports (with the admin token), Close asks first, then grades
    await page.click(`table.matrix th[data-session="${sesA.id}"] a`);
    await page.waitForSelector('main table.checks');
    const detailRows = await page.$$eval('main table.checks tbody tr', (trs) => trs.map((tr) => [...tr.cells].map((c) => c.textContent)));
    check(detailRows.length === apiA.checks.length && detailRows.every((cells, i) => cells[0] === apiA.checks[i].name &&
      cells[1] === apiA.checks[i].level && cells[2].includes(apiA.checks[i].result) && cells[3] === String(apiA.checks[i].violations) &&
      cells[4] === apiA.checks[i].what), 'session: the checks table shows each check\'s name, level, result, violations and what it asks');
    check(await noKeys(), 'session: no key in the detail');
    await look('session');
    const [junit] = await Promise.all([page.waitForEvent('download'), page.click('main button:has-text("Download JUnit XML")')]);
    const xml = readFileSync(await junit.path(), 'utf8');
    check(xml.startsWith('<?xml') && xml.includes('name="agentmock: sdk-a 1.0"') && /name="missing_user_agent"><failure/.test(xml),
      'session: JUnit XML downloaded, missing_user_agent a failure');
    const [report] = await Promise.all([page.waitForEvent('download'), page.click('main button:has-text("Download HTML report")')]);
    const exported = readFileSync(await report.path(), 'utf8');
    check(exported.startsWith('<!doctype html>') && exported.includes('sdk-a 1.0') && report.suggestedFilename().endsWith('.html'),
      'session: HTML report downloaded');
    await page.click('main button:has-text("Close session")');
    await page.waitForSelector('main button:has-text("Click again")');
    check((await ok('GET', `/_mock/sessions/${sesA.id}`)).status === 'open', 'session: Close asks again before closing');
    await page.click('main button:has-text("Click again")');
    await page.waitForSelector('main [role=status]:has-text("Closed and graded: failed")');
    const closedA = await ok('GET', `/_mock/sessions/${sesA.id}`);
    check(closedA.status === 'failed' && closedA.closed_at && await page.isVisible('main h1 .badge.failed') &&
      !(await page.isVisible('main button:has-text("Close session")')),
      'session: Close closed it; the page shows it failed, with no Close button any more');
    await look('session-closed');
    await visit('#/sessions');
    const headA = await page.textContent(`table.matrix th[data-session="${sesA.id}"]`);
    check(headA.includes('failed') && !headA.includes('open'), 'sessions: the closed session\'s column shows its graded status');
    // a check the page was never told about (the checklist grows): its own row, its detail shown
    const future = {name: 'future_check', level: 'recommended', result: 'declined', violations: 0,
      what: 'a check added after this page was written', detail: 'why: shown as the sandbox gave it'};
    const onlyA = (url) => url.pathname === `/_mock/sessions/${sesA.id}`;
    await page.route(onlyA, async (route) => {
      const res = await route.fetch();
      const g = await res.json();
      g.checks.push(future);
      await route.fulfill({response: res, json: g});
    });
    await visit('#/orgs');
    await visit('#/sessions');
    const futureRow = await page.$$eval('table.matrix tr[data-check="future_check"] > *', (cs) => cs.map((c) => c.textContent));
    check(futureRow.length === 4 && futureRow[1] === 'recommended' && futureRow[2 + colA] === '– declined' && futureRow[2 + colB] === 'not graded',
      `sessions: a check only one session has gets its own row ("not graded" elsewhere): ${futureRow.join(' | ')}`);
    await visit(`#/sessions/${sesA.id}`);
    const futureDetail = await page.textContent('main table.checks tr[data-check="future_check"]');
    check(await page.isVisible('main table.checks th:has-text("Detail")') && futureDetail.includes(future.detail),
      'session: a check\'s detail gets a Detail column');
    await page.unroute(onlyA);
    await visit(`#/sessions/${sesB.id}`);
    await page.click(`main dd a:has-text("${sesB.org_id}")`);
    await page.waitForSelector('main section.card h2');
    check((await page.textContent('main section.card h2')) === 'SDK session: sdk-b 2.0', 'session: the org link opens the session\'s organization');

    check(consoleErrors.length === 0, `no console errors${consoleErrors.length ? ': ' + consoleErrors.join(' | ') : ''}`);
    check(axeViolations.length === 0, `axe: no serious or critical violations${axeViolations.length ? ':\n  ' + axeViolations.join('\n  ') : ''}`);
  } finally {
    if (browser) await browser.close();
    receiver.server.close();
    rmSync(profile, {recursive: true, force: true});
    // a clean stop: under ASan a leak or an error found at exit is a non-zero status
    const code = await new Promise((resolve) => {
      child.removeAllListeners('exit');
      if (child.exitCode !== null) return resolve(child.exitCode);
      child.on('exit', (c, sig) => resolve(c ?? sig));
      child.kill('SIGTERM');
    });
    check(code === 0, `agentmock stopped cleanly (exit ${code})`);
  }
  console.log(`screenshots in ${shots}`);
  if (failures) {
    console.log(`${failures} dashboard check(s) failed`);
    process.exit(1);
  }
  console.log('dashboard: all checks passed');
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
