// A small client for the api-server's JSON API, shared by the web components and the dashboard.
// It turns every failure into an ApiError with a stable `code` and a message a person can read,
// so callers only ever deal with one error shape.

/** Message shown when fetch itself rejects (offline, DNS, refused connection, CORS). */
export const NETWORK_ERROR_MESSAGE = 'Network error, check your connection';

/** Message shown for a 401: the bearer token is missing, expired or not accepted. */
export const UNAUTHORIZED_MESSAGE = 'Invalid credentials: your session was not accepted. Sign in again.';

/** An API failure: `status` is 0 for network errors; `retryAfterSecs` comes from Retry-After. */
export class ApiError extends Error {
  constructor(status, code, message, retryAfterSecs = null) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.retryAfterSecs = retryAfterSecs;
  }
}

/**
 * Resolves an `api-base` value (absolute URL, path, or empty for "same origin") to a base URL
 * string without a trailing slash, relative to the current page.
 */
export function resolveApiBase(apiBase) {
  const url = new URL(apiBase && apiBase.trim() ? apiBase.trim() : '/', window.location.href);
  return url.href.replace(/\/+$/, '');
}

/** The origin of the api-server: the only origin whose postMessage the connect flow accepts. */
export function apiOrigin(apiBase) {
  return new URL(resolveApiBase(apiBase) + '/').origin;
}

function parseRetryAfter(value) {
  if (!value) return null;
  const secs = Number.parseInt(value, 10);
  if (Number.isFinite(secs) && secs >= 0) return secs;
  const date = Date.parse(value);
  return Number.isNaN(date) ? null : Math.max(0, Math.ceil((date - Date.now()) / 1000));
}

const STATUS_FALLBACK_MESSAGES = {
  401: UNAUTHORIZED_MESSAGE,
  404: 'Not found',
  409: 'A conflicting operation is in progress',
  429: 'Too many requests, try again later',
  502: 'TikTok is not answering right now, try again later',
  503: 'The service is temporarily unavailable',
};

async function errorFromResponse(response) {
  let code = `http_${response.status}`;
  let message = STATUS_FALLBACK_MESSAGES[response.status] || `Request failed (${response.status})`;
  try {
    const body = await response.json();
    if (body && body.error && typeof body.error === 'object') {
      if (typeof body.error.code === 'string') code = body.error.code;
      if (typeof body.error.message === 'string' && body.error.message) message = body.error.message;
    }
  } catch {
    // Not JSON (a proxy's error page, say): keep the status-based message.
  }
  if (response.status === 401) {
    // Whatever the server's wording, a person needs to know their credentials were refused.
    code = 'unauthorized';
    message = UNAUTHORIZED_MESSAGE;
  }
  return new ApiError(response.status, code, message, parseRetryAfter(response.headers.get('Retry-After')));
}

/**
 * Calls the API. Resolves to `{status, body}` (body is null for 204 or an empty body) for 2xx
 * answers and rejects with an ApiError otherwise.
 *
 * @param {object} options
 * @param {string} options.base    the resolved API base (see resolveApiBase)
 * @param {string|null} options.token the bearer token, or null to send none
 * @param {string} [options.method]
 * @param {string} options.path    starting with `/api/...`
 * @param {Record<string, string|number|null|undefined>} [options.query]
 * @param {AbortSignal} [options.signal]
 */
export async function apiRequest({ base, token, method = 'GET', path, query, signal }) {
  const url = new URL(base + path);
  if (query) {
    for (const [key, value] of Object.entries(query)) {
      if (value !== null && value !== undefined && value !== '') url.searchParams.set(key, String(value));
    }
  }
  const headers = { Accept: 'application/json' };
  if (token) headers.Authorization = `Bearer ${token}`;
  let response;
  try {
    response = await fetch(url, { method, headers, signal, credentials: 'omit', cache: 'no-store' });
  } catch (err) {
    if (err && err.name === 'AbortError') throw err;
    throw new ApiError(0, 'network_error', NETWORK_ERROR_MESSAGE);
  }
  if (!response.ok) throw await errorFromResponse(response);
  if (response.status === 204) return { status: 204, body: null };
  const text = await response.text();
  if (!text) return { status: response.status, body: null };
  try {
    return { status: response.status, body: JSON.parse(text) };
  } catch {
    throw new ApiError(response.status, 'invalid_response', 'The server sent an answer that could not be read');
  }
}

/** Turns anything thrown into `{code, message}` for a `tiktok-error` event or a toast. */
export function describeError(err) {
  if (err instanceof ApiError) return { code: err.code, message: err.message };
  return { code: 'unexpected', message: 'Something went wrong, try again' };
}
