// Where the dashboard's bearer token comes from.
//
// 1. Sandbox mode: `POST /api/dev/token` answers 200 with a demo token (404 in a real deployment).
// 2. A real deployment: the host product supplies the token, by one of
//    - `window.TIKTOK_SYNC_TOKEN` (a string) or `window.TIKTOK_SYNC_TOKEN_PROVIDER` (an async
//      function), set by a script file the host adds before js/dashboard.js;
//    - the URL fragment `#token=<jwt>` (fragments are not sent to servers or logged); it is
//      moved to sessionStorage and removed from the address bar at once;
//    - a token pasted into the form the page shows when it has none (kept in sessionStorage).

import { apiRequest, ApiError } from './api-client.js';

const STORAGE_KEY = 'tiktok-sync.token';
// Ask for a new sandbox token this long before the current one expires.
const SANDBOX_REFRESH_MARGIN_MS = 60_000;

/** How the current token was obtained. */
export const TokenSource = Object.freeze({
  SANDBOX: 'sandbox',
  HOST: 'host',
  NONE: 'none',
});

function takeFragmentToken() {
  const params = new URLSearchParams(window.location.hash.replace(/^#/, ''));
  const token = params.get('token');
  if (!token) return null;
  params.delete('token');
  const rest = params.toString();
  const url = window.location.pathname + window.location.search + (rest ? `#${rest}` : '');
  window.history.replaceState(null, '', url);
  return token;
}

function readStoredToken() {
  try {
    return window.sessionStorage.getItem(STORAGE_KEY);
  } catch {
    return null;
  }
}

function storeToken(token) {
  try {
    if (token) window.sessionStorage.setItem(STORAGE_KEY, token);
    else window.sessionStorage.removeItem(STORAGE_KEY);
  } catch {
    // Private browsing without storage: the token lives for this page only.
  }
}

/** Holds the dashboard's token and renews it when it can. */
export class Session {
  #base;
  #source = TokenSource.NONE;
  #token = null;
  #expiresAt = 0;
  #provider = null;

  constructor(base) {
    this.#base = base;
  }

  /** TokenSource.SANDBOX, HOST or NONE. */
  get source() {
    return this.#source;
  }

  /** True when a token (or a provider of one) is available. */
  get hasToken() {
    return this.#source !== TokenSource.NONE;
  }

  /**
   * Finds a token: sandbox first, then what the host supplied. Resolves to the source. Rejects
   * only when the server cannot be reached or answers something unexpected.
   */
  async start() {
    if (await this.#tryDevToken()) return this.#source;
    const hostProvider = window.TIKTOK_SYNC_TOKEN_PROVIDER;
    const hostToken = window.TIKTOK_SYNC_TOKEN;
    if (typeof hostProvider === 'function') {
      this.#provider = hostProvider;
      this.#source = TokenSource.HOST;
    } else if (typeof hostToken === 'string' && hostToken) {
      this.#useHostToken(hostToken);
    } else {
      const fromFragment = takeFragmentToken();
      if (fromFragment) storeToken(fromFragment);
      const stored = fromFragment || readStoredToken();
      if (stored) this.#useHostToken(stored);
    }
    return this.#source;
  }

  /** Uses a token typed or pasted by the person (kept for this browser tab only). */
  useManualToken(token) {
    storeToken(token);
    this.#useHostToken(token);
  }

  /** Forgets a token the server refused, so the page asks again. */
  forgetHostToken() {
    if (this.#source !== TokenSource.HOST) return;
    storeToken(null);
    this.#token = null;
    this.#provider = null;
    this.#source = TokenSource.NONE;
  }

  /** The token to send now (renewing a sandbox token about to expire). */
  async token() {
    if (this.#provider) {
      const provided = await this.#provider();
      return typeof provided === 'string' && provided ? provided : null;
    }
    if (this.#source === TokenSource.SANDBOX && Date.now() > this.#expiresAt - SANDBOX_REFRESH_MARGIN_MS) {
      await this.#tryDevToken();
    }
    return this.#token;
  }

  /** A sandbox token is renewed after a 401 (the server restarted with a new secret, say). */
  async renewAfterUnauthorized() {
    if (this.#source !== TokenSource.SANDBOX) return false;
    return this.#tryDevToken();
  }

  #useHostToken(token) {
    this.#token = token;
    this.#provider = null;
    this.#source = TokenSource.HOST;
  }

  async #tryDevToken() {
    try {
      const { body } = await apiRequest({ base: this.#base, token: null, method: 'POST', path: '/api/dev/token' });
      if (!body || typeof body.token !== 'string') return false;
      this.#token = body.token;
      const expires = Date.parse(body.expiresAt);
      this.#expiresAt = Number.isNaN(expires) ? Number.POSITIVE_INFINITY : expires;
      this.#provider = null;
      this.#source = TokenSource.SANDBOX;
      return true;
    } catch (err) {
      // 404 (or 405 from a server that only knows GET there): not sandbox mode.
      if (err instanceof ApiError && (err.status === 404 || err.status === 405)) return false;
      throw err;
    }
  }
}
