// The dashboard's only way to the broker: /api/v1 with the login's bearer token (kept in sessionStorage, so it ends
// with the browser tab). A 401 anywhere ends the session and goes back to the login page.

const KEY = 'robustmq.session';

/** The logged-in session {token, username, role, expires_at}, or null. */
export function session() {
  try {
    const s = JSON.parse(sessionStorage.getItem(KEY) ?? 'null');
    return s && typeof s.token === 'string' ? s : null;
  } catch {
    return null;
  }
}

export function canWrite() {
  return session()?.role === 'administrator';
}

export function logout() {
  sessionStorage.removeItem(KEY);
  location.hash = '#/login';
}

/** An answer that was not 2xx: status, the API's code and message. */
export class ApiError extends Error {
  constructor(status, code, message) {
    super(message || `HTTP ${status}`);
    this.status = status;
    this.code = code;
  }
}

/** The route is not on this broker (404 without an API error body): the page says so instead of failing. */
export class NotAvailable extends Error {
  constructor(path) {
    super(`${path} is not available on this broker`);
    this.path = path;
  }
}

/** POST /api/v1/login; keeps the session on success. */
export async function login(username, password) {
  const response = await fetch('/api/v1/login', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
    body: JSON.stringify({ username, password }),
  });
  const body = await readBody(response);
  if (!response.ok) throw errorOf(response, body);
  sessionStorage.setItem(KEY, JSON.stringify({ token: body.token, username: body.username, role: body.role, expires_at: body.expires_at }));
  return body;
}

/** A query string from an object, leaving out empty values. */
export function query(params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params ?? {})) if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
  const s = q.toString();
  return s ? `?${s}` : '';
}

/** A path segment for a value that may hold '/', '%' or any other character (client ids, topics): encoded whole. */
export const segment = (value) => encodeURIComponent(value);

export const get = (path, params) => call('GET', path + query(params));
export const post = (path, body) => call('POST', path, body);
export const put = (path, body) => call('PUT', path, body);
export const del = (path, body) => call('DELETE', path, body);

/** GET as text (a trace download), with the token. */
export async function text(path) {
  const response = await send('GET', path);
  if (!response.ok) throw errorOf(response, await readBody(response));
  return response.text();
}

async function call(method, path, body) {
  const response = await send(method, path, body);
  const parsed = await readBody(response);
  if (!response.ok) throw errorOf(response, parsed, path);
  return parsed;
}

async function send(method, path, body) {
  const s = session();
  const headers = { Accept: 'application/json' };
  if (s) headers.Authorization = `Bearer ${s.token}`;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const response = await fetch(`/api/v1${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  if (response.status === 401) {
    sessionStorage.removeItem(KEY);
    location.hash = '#/login';
    throw new ApiError(401, 'UNAUTHORIZED', 'the session ended: log in again');
  }
  return response;
}

async function readBody(response) {
  if (response.status === 204) return null;
  const type = response.headers.get('Content-Type') ?? '';
  if (!type.includes('json')) {
    await response.text();
    return null;
  }
  try {
    return await response.json();
  } catch {
    return null;
  }
}

function errorOf(response, body, path) {
  // A route the broker does not have answers 404 with no body; a missing thing on a route it has answers JSON.
  if (response.status === 404 && body === null && path) return new NotAvailable(path.split('?')[0]);
  const code = body?.code ?? 'HTTP_' + response.status;
  const message = body?.message ?? body?.error ?? `${response.status} ${response.statusText}`;
  return new ApiError(response.status, code, message);
}

/** A list answer as {rows, meta, notAnswering}: {data, meta} or a plain array. */
export function listOf(answer) {
  if (Array.isArray(answer)) return { rows: answer, meta: null, notAnswering: 0 };
  return { rows: answer?.data ?? [], meta: answer?.meta ?? null, notAnswering: answer?.nodes_not_answering ?? 0 };
}
