// <platform-connect-button platform="...">: the platform-branded button that connects an
// account through the OAuth popup; <tiktok-connect-button> and <instagram-connect-button> are it
// with the platform fixed. See docs/ui.md for attributes, properties and events.

import { apiOrigin, apiRequest, describeError, ApiError } from '../api-client.js';
import { platformInfo } from '../platforms.js';
import {
  BASE_CSS,
  elementApiBase,
  emit,
  resolveElementToken,
  sharedSheet,
  upgradeProperty,
} from './element-support.js';

const CSS = `
button { background: var(--brand-bg); color: var(--brand-fg); border-color: transparent; }
button:hover:not(:disabled) { background: var(--brand-hover); }
button:active:not(:disabled) { background: var(--brand-active); }
:host([variant="outline"]) button { background: #fff; color: #000; border-color: #000; }
:host([variant="outline"]) button:hover:not(:disabled) { background: #f3f3f3; }
:host([block]) { display: block; }
:host([block]) button { width: 100%; }
`;

const POPUP_NAME_SUFFIX = '-connect';
const POPUP_WIDTH = 520;
const POPUP_HEIGHT = 720;
// How often we look whether the user closed the popup.
const CLOSED_POLL_MS = 400;
// The callback page posts its message and then closes itself; give the message time to arrive
// before treating a closed popup as "closed by the user".
const CLOSED_GRACE_MS = 600;

/** Messages for the callback page's error codes, used when the page sends none. */
function callbackMessage(code, name) {
  const messages = {
    cancelled: 'Connection cancelled',
    invalid_state: 'The connection link was not valid. Try again.',
    state_expired: 'The connection link expired. Try again.',
    state_used: 'The connection link was already used. Try again.',
    exchange_failed: `${name} did not complete the connection. Try again.`,
    different_account: `That is a different ${name} account than the connected one. Disconnect first.`,
    account_in_use: `That ${name} account is already connected to another user.`,
    not_eligible: `This ${name} account cannot be connected.`,
    platform_unavailable: `${name} is not answering right now, try again later`,
    tiktok_unavailable: 'TikTok is not answering right now, try again later',
  };
  return messages[code];
}

export function popupBlockedMessage(name) {
  return `Your browser blocked the ${name} window. Allow pop-ups for this site, then try again.`;
}
export const POPUP_BLOCKED_MESSAGE = popupBlockedMessage('TikTok');
export const POPUP_CLOSED_MESSAGE = 'Connection window closed';

function popupFeatures() {
  const left = Math.max(0, Math.round(window.screenX + (window.outerWidth - POPUP_WIDTH) / 2));
  const top = Math.max(0, Math.round(window.screenY + (window.outerHeight - POPUP_HEIGHT) / 2));
  return `popup=yes,width=${POPUP_WIDTH},height=${POPUP_HEIGHT},left=${left},top=${top}`;
}

/** Puts a short "opening" note in the blank popup while the authorization URL is fetched. */
function showOpeningNote(popup, name) {
  try {
    const doc = popup.document;
    doc.title = `Connecting to ${name}`;
    const note = doc.createElement('p');
    note.textContent = `Opening ${name}…`;
    note.style.font = '16px system-ui, sans-serif';
    note.style.margin = '40px';
    note.style.color = '#333';
    doc.body.replaceChildren(note);
  } catch {
    // The popup may already be elsewhere; the note is cosmetic.
  }
}

export class PlatformConnectButton extends HTMLElement {
  static get observedAttributes() {
    return ['label', 'platform'];
  }

  /** The platform a subclass is fixed to (`null`: the `platform` attribute says). */
  static fixedPlatform = null;

  #token = null;
  #tokenProvider = null;
  #button;
  #label;
  #spinner;
  #logo;
  #status;
  #session = null;

  constructor() {
    super();
    const root = this.attachShadow({ mode: 'open' });
    root.adoptedStyleSheets = [sharedSheet(BASE_CSS), sharedSheet(CSS)];
    this.#button = document.createElement('button');
    this.#button.type = 'button';
    this.#button.part.add('button');
    this.#spinner = document.createElement('span');
    this.#spinner.className = 'spinner';
    this.#spinner.hidden = true;
    this.#spinner.setAttribute('aria-hidden', 'true');
    this.#logo = document.createElement('span');
    this.#logo.className = 'logo';
    this.#label = document.createElement('span');
    this.#label.part.add('label');
    this.#status = document.createElement('span');
    this.#status.className = 'visually-hidden';
    this.#status.setAttribute('role', 'status');
    this.#button.append(this.#spinner, this.#logo, this.#label);
    root.append(this.#button, this.#status);
    this.#button.addEventListener('click', () => this.#start());
    this.#render();
  }

  connectedCallback() {
    upgradeProperty(this, 'token');
    upgradeProperty(this, 'tokenProvider');
  }

  disconnectedCallback() {
    this.#endSession({ closePopup: true });
  }

  attributeChangedCallback() {
    this.#render();
  }

  /** The platform's name in routes and events (`tiktok`, `instagram`). */
  get platform() {
    return this.constructor.fixedPlatform || this.getAttribute('platform') || 'tiktok';
  }

  /** The bearer token (kept out of the DOM, unlike the `token` attribute). */
  get token() {
    return this.#token;
  }
  set token(value) {
    this.#token = value ? String(value) : null;
  }

  /** An async function returning a fresh bearer token; asked on every click. */
  get tokenProvider() {
    return this.#tokenProvider;
  }
  set tokenProvider(value) {
    this.#tokenProvider = typeof value === 'function' ? value : null;
  }

  /** True while a connection is in progress. */
  get busy() {
    return this.#session !== null;
  }

  /** Moves keyboard focus to the inner button. */
  focus(options) {
    this.#button.focus(options);
  }

  #render() {
    const info = platformInfo(this.platform);
    const name = info.name;
    if (this.#logo.dataset.platform !== info.id) {
      this.#logo.dataset.platform = info.id;
      this.#logo.replaceChildren(info.logo({ size: 18, variant: 'button' }));
      this.#button.dataset.testid = `${info.id}-connect`;
      for (const [property, value] of Object.entries({
        '--brand-bg': info.button.background,
        '--brand-fg': info.button.color,
        '--brand-hover': info.button.hover,
        '--brand-active': info.button.active,
      })) {
        this.#button.style.setProperty(property, value);
      }
    }
    const idleLabel = this.getAttribute('label') || `Connect ${name}`;
    const busy = this.busy;
    this.#label.textContent = busy ? 'Connecting...' : idleLabel;
    this.#spinner.hidden = !busy;
    this.#logo.toggleAttribute('hidden', busy);
    this.#button.disabled = busy;
    this.#button.setAttribute('aria-busy', String(busy));
    const mentionsName = idleLabel.toLowerCase().includes(name.toLowerCase());
    const idleName = mentionsName ? `${idleLabel} account` : `${idleLabel} ${name} account`;
    this.#button.setAttribute('aria-label', busy ? `Connecting to ${name}` : idleName);
    this.#status.textContent = busy ? `Connecting to ${name}, finish in the ${name} window` : '';
  }

  #start() {
    if (this.busy) return;
    // Open the window synchronously, inside the click, so pop-up blockers let it through; it is
    // pointed at the platform once the authorization URL arrives.
    const platform = this.platform;
    const name = platformInfo(platform).name;
    const popup = window.open('about:blank', `${platform}${POPUP_NAME_SUFFIX}`, popupFeatures());
    if (!popup) {
      emit(this, `${platform}-error`, { code: 'popup_blocked', message: popupBlockedMessage(name) });
      return;
    }
    showOpeningNote(popup, name);
    let base;
    try {
      base = elementApiBase(this);
    } catch {
      popup.close();
      emit(this, `${platform}-error`, { code: 'invalid_api_base', message: 'The api-base attribute is not a valid URL' });
      return;
    }
    const session = {
      platform,
      name,
      popup,
      base,
      origin: apiOrigin(this.getAttribute('api-base')),
      token: null,
      before: null,
      pollTimer: 0,
      graceTimer: 0,
      onMessage: null,
    };
    this.#session = session;
    this.#render();
    this.#run(session);
  }

  async #run(session) {
    try {
      session.token = await resolveElementToken(this);
      // What the connection looked like before, to recognise a success whose message never
      // arrived (see #onPopupClosed).
      const beforePromise = this.#fetchConnection(session).catch(() => null);
      const { body } = await apiRequest({ base: session.base, token: session.token, path: `/api/auth/${session.platform}/connect` });
      session.before = await beforePromise;
      if (this.#session !== session) return;
      const url = body && typeof body.authorizationUrl === 'string' ? body.authorizationUrl : null;
      if (!url) throw new ApiError(200, 'invalid_response', 'The server did not return an authorization URL');
      if (session.popup.closed) {
        this.#fail(session, 'popup_closed', POPUP_CLOSED_MESSAGE);
        return;
      }
      session.onMessage = (event) => this.#onMessage(session, event);
      window.addEventListener('message', session.onMessage);
      session.popup.location.href = url;
      session.pollTimer = window.setInterval(() => {
        if (session.popup.closed && !session.graceTimer) {
          session.graceTimer = window.setTimeout(() => this.#onPopupClosed(session), CLOSED_GRACE_MS);
        }
      }, CLOSED_POLL_MS);
    } catch (err) {
      if (this.#session !== session) return;
      const { code, message } = describeError(err);
      this.#fail(session, code, message, { closePopup: true });
    }
  }

  #onMessage(session, event) {
    if (this.#session !== session) return;
    // Only the callback page, served by the api-server, in the popup we opened, may answer.
    if (event.origin !== session.origin || event.source !== session.popup) return;
    const data = event.data;
    if (!data || typeof data !== 'object' || typeof data.type !== 'string') return;
    if (data.type === `${session.platform}:connected`) {
      this.#succeed(session, {
        handle: typeof data.handle === 'string' ? data.handle : null,
        displayName: typeof data.displayName === 'string' ? data.displayName : null,
      });
    } else if (data.type === `${session.platform}:error`) {
      const code = typeof data.code === 'string' && data.code ? data.code : 'connect_failed';
      let message = typeof data.message === 'string' && data.message ? data.message : null;
      if (code === 'cancelled') message = 'Connection cancelled';
      this.#fail(session, code, message || callbackMessage(code, session.name) || 'The connection failed. Try again.', {
        closePopup: true,
      });
    }
  }

  async #onPopupClosed(session) {
    if (this.#session !== session) return;
    // The callback page may have been unable to reach us (its target origin is APP_ORIGIN, or a
    // page on the way cut the opener link): ask the API whether the account is now connected.
    const after = await this.#fetchConnection(session).catch(() => null);
    if (this.#session !== session) return;
    const before = session.before;
    const nowActive = after && after.connected && after.status === 'active';
    const wasActive = before && before.connected && before.status === 'active';
    if (nowActive && (!wasActive || before.lastSyncedAt !== after.lastSyncedAt)) {
      this.#succeed(session, { handle: after.handle ?? null, displayName: after.displayName ?? null });
    } else {
      this.#fail(session, 'popup_closed', POPUP_CLOSED_MESSAGE);
    }
  }

  async #fetchConnection(session) {
    const { body } = await apiRequest({ base: session.base, token: session.token, path: '/api/connections' });
    const list = body && Array.isArray(body.connections) ? body.connections : [];
    return list.find((c) => c && c.platform === session.platform) || null;
  }

  #succeed(session, detail) {
    this.#endSession({ closePopup: true });
    this.#status.textContent = `${session.name} connected`;
    emit(this, `${session.platform}-connected`, detail);
  }

  #fail(session, code, message, { closePopup = false } = {}) {
    if (this.#session !== session) return;
    this.#endSession({ closePopup });
    // The button was disabled while busy, which drops keyboard focus: give it back so the
    // person can try again at once, unless they have moved on to something else.
    const active = document.activeElement;
    if (!active || active === document.body || active === this) this.#button.focus({ preventScroll: true });
    emit(this, `${session.platform}-error`, { code, message });
  }

  #endSession({ closePopup }) {
    const session = this.#session;
    if (!session) return;
    this.#session = null;
    window.clearInterval(session.pollTimer);
    window.clearTimeout(session.graceTimer);
    if (session.onMessage) window.removeEventListener('message', session.onMessage);
    if (closePopup && !session.popup.closed) session.popup.close();
    this.#render();
  }
}

if (!customElements.get('platform-connect-button')) {
  customElements.define('platform-connect-button', PlatformConnectButton);
}
