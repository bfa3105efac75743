// <platform-disconnect-button platform="...">: asks for confirmation in an in-page <dialog>,
// then disconnects the account; <tiktok-disconnect-button> and <instagram-disconnect-button> are
// it with the platform fixed. See docs/ui.md for attributes, properties and events.

import { apiRequest, describeError, ApiError } from '../api-client.js';
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
.trigger { background: #fff; color: #b42318; border-color: #e4e4e7; }
.trigger:hover:not(:disabled) { background: #fef3f2; border-color: #fda29b; }
dialog {
  width: min(26rem, calc(100vw - 2rem)); box-sizing: border-box; padding: 1.5rem;
  border: none; border-radius: 0.875rem; color: #18181b; background: #fff;
  box-shadow: 0 24px 48px rgba(0, 0, 0, 0.2);
}
dialog::backdrop { background: rgba(9, 9, 11, 0.55); }
h2 { margin: 0 0 0.5rem; font-size: 1.125rem; line-height: 1.3; }
p { margin: 0 0 1.25rem; font-size: 0.9375rem; line-height: 1.5; color: #52525b; }
.actions { display: flex; gap: 0.75rem; justify-content: flex-end; flex-wrap: wrap; }
.cancel { background: #fff; color: #18181b; border-color: #d4d4d8; }
.cancel:hover { background: #f4f4f5; }
.confirm { background: #d92d20; color: #fff; border-color: #d92d20; }
.confirm:hover { background: #b42318; }
`;

export class PlatformDisconnectButton extends HTMLElement {
  static get observedAttributes() {
    return ['handle', 'label', 'platform'];
  }

  /** The platform a subclass is fixed to (`null`: the `platform` attribute says). */
  static fixedPlatform = null;

  #token = null;
  #tokenProvider = null;
  #busy = false;
  #trigger;
  #spinner;
  #label;
  #dialog;
  #title;
  #description;
  #cancel;
  #confirm;
  #status;

  constructor() {
    super();
    const root = this.attachShadow({ mode: 'open' });
    root.adoptedStyleSheets = [sharedSheet(BASE_CSS), sharedSheet(CSS)];

    this.#trigger = document.createElement('button');
    this.#trigger.type = 'button';
    this.#trigger.className = 'trigger';
    this.#trigger.part.add('button');
    this.#trigger.setAttribute('aria-haspopup', 'dialog');
    this.#spinner = document.createElement('span');
    this.#spinner.className = 'spinner';
    this.#spinner.hidden = true;
    this.#spinner.setAttribute('aria-hidden', 'true');
    this.#label = document.createElement('span');
    this.#trigger.append(this.#spinner, this.#label);

    this.#dialog = document.createElement('dialog');
    this.#dialog.part.add('dialog');
    this.#dialog.setAttribute('aria-labelledby', 'title');
    this.#dialog.setAttribute('aria-describedby', 'description');
    this.#title = document.createElement('h2');
    this.#title.id = 'title';
    const description = document.createElement('p');
    description.id = 'description';
    this.#description = description;
    const actions = document.createElement('div');
    actions.className = 'actions';
    const cancel = document.createElement('button');
    cancel.type = 'button';
    cancel.className = 'cancel';
    cancel.textContent = 'Cancel';
    this.#cancel = cancel;
    const confirm = document.createElement('button');
    confirm.type = 'button';
    confirm.className = 'confirm';
    confirm.textContent = 'Disconnect';
    this.#confirm = confirm;
    actions.append(cancel, confirm);
    this.#dialog.append(this.#title, description, actions);

    this.#status = document.createElement('span');
    this.#status.className = 'visually-hidden';
    this.#status.setAttribute('role', 'status');

    root.append(this.#trigger, this.#dialog, this.#status);

    this.#trigger.addEventListener('click', () => this.#openDialog());
    cancel.addEventListener('click', () => this.#dialog.close('cancel'));
    confirm.addEventListener('click', () => {
      this.#dialog.close('confirm');
      this.#disconnect();
    });
    // A click on the backdrop (outside the dialog box) cancels, as Escape does.
    this.#dialog.addEventListener('click', (event) => {
      if (event.target === this.#dialog) {
        const box = this.#dialog.getBoundingClientRect();
        const inside =
          event.clientX >= box.left && event.clientX <= box.right && event.clientY >= box.top && event.clientY <= box.bottom;
        if (!inside) this.#dialog.close('cancel');
      }
    });
    this.#dialog.addEventListener('close', () => {
      if (this.#dialog.returnValue !== 'confirm') this.#trigger.focus();
    });
    this.#render();
  }

  connectedCallback() {
    upgradeProperty(this, 'token');
    upgradeProperty(this, 'tokenProvider');
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

  /** An async function returning a fresh bearer token; asked on every disconnect. */
  get tokenProvider() {
    return this.#tokenProvider;
  }
  set tokenProvider(value) {
    this.#tokenProvider = typeof value === 'function' ? value : null;
  }

  /** True while the disconnect request runs. */
  get busy() {
    return this.#busy;
  }

  /** Moves keyboard focus to the inner button. */
  focus(options) {
    this.#trigger.focus(options);
  }

  #render() {
    const info = platformInfo(this.platform);
    const name = info.name;
    const id = info.id;
    this.#trigger.dataset.testid = `${id}-disconnect`;
    this.#dialog.dataset.testid = `${id}-disconnect-dialog`;
    this.#cancel.dataset.testid = `${id}-disconnect-cancel`;
    this.#confirm.dataset.testid = `${id}-disconnect-confirm`;
    // What a disconnect does at the platform: a revoke where it has one; otherwise the creator
    // removes the app there (Instagram has no revoke for apps like this one).
    this.#description.textContent = info.revokesOnDisconnect
      ? `Access is revoked at ${name} and the synced profile, ${info.postNoun[1]} and history are deleted from ` +
        'this service. You can connect again at any time.'
      : `The synced profile, ${info.postNoun[1]} and history are deleted from this service. ${name} keeps ` +
        `this app listed in your account until you remove it there (in ${name}'s settings). You can connect again at any time.`;
    const handle = this.getAttribute('handle');
    const idleLabel = this.getAttribute('label') || 'Disconnect';
    this.#label.textContent = this.#busy ? 'Disconnecting...' : idleLabel;
    this.#spinner.hidden = !this.#busy;
    this.#trigger.disabled = this.#busy;
    this.#trigger.setAttribute('aria-busy', String(this.#busy));
    this.#trigger.setAttribute('aria-label', this.#busy ? `Disconnecting ${name}` : `${idleLabel} ${name} account`);
    this.#title.textContent = handle ? `Disconnect @${handle} from ${name}?` : `Disconnect your ${name} account?`;
  }

  #openDialog() {
    if (this.#busy || this.#dialog.open) return;
    this.#dialog.returnValue = '';
    this.#dialog.showModal();
    // Start on the safe choice.
    const cancel = this.#dialog.querySelector('.cancel');
    if (cancel) cancel.focus();
  }

  async #disconnect() {
    if (this.#busy) return;
    this.#busy = true;
    this.#render();
    const platform = this.platform;
    const name = platformInfo(platform).name;
    let outcome;
    try {
      const token = await resolveElementToken(this);
      await apiRequest({ base: elementApiBase(this), token, method: 'DELETE', path: `/api/auth/${platform}/disconnect` });
      outcome = { ok: true };
    } catch (err) {
      // Already gone is the state the user asked for.
      if (err instanceof ApiError && err.code === 'not_connected') outcome = { ok: true };
      else outcome = { ok: false, error: describeError(err) };
    }
    this.#busy = false;
    this.#render();
    if (outcome.ok) {
      this.#status.textContent = `${name} disconnected`;
      emit(this, `${platform}-disconnected`, {});
    } else {
      emit(this, `${platform}-error`, outcome.error);
      this.#trigger.focus();
    }
  }
}

if (!customElements.get('platform-disconnect-button')) {
  customElements.define('platform-disconnect-button', PlatformDisconnectButton);
}
