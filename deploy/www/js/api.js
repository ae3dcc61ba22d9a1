// api.js - the management REST API, and the signed-in API key.
// The key lives in sessionStorage only (gone when the tab closes; never in
// a URL, a cookie or localStorage) and travels only in Authorization.

const KEY = 'cfmcp.apiKey';
const ALL = 'cfmcp.allAccounts';

export const session = {
  key: () => sessionStorage.getItem(KEY),
  // whether the key is for every account ("*"): it may manage API keys
  all: () => sessionStorage.getItem(ALL) === '1',
  start(key, all) {
    sessionStorage.setItem(KEY, key);
    sessionStorage.setItem(ALL, all ? '1' : '0');
  },
  end() {
    sessionStorage.removeItem(KEY);
    sessionStorage.removeItem(ALL);
  },
};

// An answer other than 2xx: status, the API's error code and its message
// (README "Management API": {status, error, message}).
export class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

// Called with the error when the key stops working (401) or the store is
// down (503); app.js sets it.
export const hooks = { onUnauthorized: null };

export async function api(method, path, body, key = session.key()) {
  const headers = { Accept: 'application/json' };
  if (key) headers.Authorization = `Bearer ${key}`;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  let res;
  try {
    res = await fetch(path, {
      method, headers, body: body === undefined ? undefined : JSON.stringify(body),
      cache: 'no-store', credentials: 'omit', redirect: 'error', referrerPolicy: 'no-referrer',
    });
  } catch {
    throw new ApiError(0, 'network', 'The server cannot be reached. Check the connection, then try again.');
  }
  if (res.status === 204) return null;
  let json = null;
  try { json = await res.json(); } catch { /* not JSON: said below */ }
  if (!res.ok) {
    const err = new ApiError(res.status, (json && json.error) || `http_${res.status}`,
      (json && typeof json.message === 'string' && json.message) || `The server answered ${res.status}.`);
    if (res.status === 401 && key === session.key() && hooks.onUnauthorized) hooks.onUnauthorized(err);
    throw err;
  }
  if (json === null) throw new ApiError(res.status, 'bad_answer', 'The server sent an answer that is not JSON.');
  return json;
}

export const q = (params) => {
  const s = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') s.set(k, v);
  const str = s.toString();
  return str ? `?${str}` : '';
};
export const enc = encodeURIComponent;
