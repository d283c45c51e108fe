// Every call the dashboard makes: the sandbox's /_mock/ routes, and the Alsorn and Alter
// APIs through /_mock/orgs/{id}/api (the mock runs the route as the org's administrator,
// so the page never holds an API key).  With --admin-token, the token is asked once per tab.

let token = sessionStorage.getItem('agentmock.admin_token') || '';
let asking = null;

export class ApiError extends Error {
  constructor(status, body) {
    const e = (body && body.error) || {};
    super(`${status} ${e.code || ''} ${e.message || ''}`.trim());
    this.status = status;
    this.code = e.code;
    this.body = body;
  }
}

function askToken(message) {
  if (asking) return asking;
  const dialog = document.getElementById('token-dialog');
  const input = document.getElementById('token-input');
  document.getElementById('token-error').textContent = message || '';
  asking = new Promise((resolve) => {
    dialog.addEventListener('close', function done() {
      dialog.removeEventListener('close', done);
      token = input.value;
      sessionStorage.setItem('agentmock.admin_token', token);
      input.value = '';
      asking = null;
      resolve();
    });
  });
  dialog.showModal();
  input.focus();
  return asking;
}

// Asks for the token up front when the sandbox needs one, so no call is made without it.
export async function ensureToken() {
  const health = await (await fetch('/_mock/health')).json();
  if (health.admin_token_required && !token) await askToken('');
}

async function raw(method, path, body) {
  for (;;) {
    const headers = {};
    if (token) headers['X-Mock-Admin-Token'] = token;
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    const res = await fetch(path, {method, headers, body: body === undefined ? undefined : JSON.stringify(body)});
    if (res.status === 401 && path.startsWith('/_mock/')) {
      const err = await res.json().catch(() => ({}));
      const code = err.error && err.error.code;
      if (code === 'missing_auth' || code === 'invalid_admin_token') {
        await askToken(code === 'invalid_admin_token' ? 'That token is wrong.' : '');
        continue;
      }
    }
    return res;
  }
}

async function json(method, path, body) {
  const res = await raw(method, path, body);
  const text = await res.text();
  const data = text ? JSON.parse(text) : null;
  if (!res.ok) throw new ApiError(res.status, data);
  return data;
}

export const mock = {
  get: (path) => json('GET', '/_mock' + path),
  post: (path, body) => json('POST', '/_mock' + path, body ?? {}),
  del: (path) => json('DELETE', '/_mock' + path),
};

// An API call as the org: path is the API's own path with its query ("/agents?page=2").
export function api(org, method, path, body) {
  const url = `/_mock/orgs/${encodeURIComponent(org)}/api?path=${encodeURIComponent(path)}`;
  return json(method, url, body);
}

// Whether calls carry an admin token (the sandbox asked for one).
export function tokenInUse() { return !!token; }

// Saves what a GET /_mock/ route answers as a file, the token sent like any other call.
export async function download(path, filename) {
  const res = await raw('GET', '/_mock' + path);
  if (!res.ok) throw new Error(`Download failed: ${res.status}`);
  const url = URL.createObjectURL(await res.blob());
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
}

export function query(params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') q.set(k, v);
  const s = q.toString();
  return s ? '?' + s : '';
}
