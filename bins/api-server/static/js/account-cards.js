// One account card per platform (from the page's <template id="account-card-template">): the
// platform's own connect button when not connected; avatar, name, handle, followers, the
// Connected or Reconnect-needed badge and its own disconnect button when connected.
// Everything from the API is written with textContent or DOM properties.

import { formatCount } from './format.js';
import { platformInfo } from './platforms.js';

/** The element of `platform` named `kind` (`connect`, `disconnect`): its own tag when defined. */
export function platformElement(platform, kind) {
  const tag = `${platform}-${kind}-button`;
  if (customElements.get(tag)) return document.createElement(tag);
  const generic = document.createElement(`platform-${kind}-button`);
  generic.setAttribute('platform', platform);
  return generic;
}

function initialsOf(connection) {
  const name = (connection.displayName || connection.handle || '?').trim();
  const letters = Array.from(name.replace(/^@/, '')).filter((ch) => /\p{L}|\p{N}/u.test(ch));
  return (letters[0] || '?').toUpperCase();
}

export class AccountCard {
  #info;
  #root;

  /** A card for `platform`, its components wired to `apiBase` and `tokenProvider`. */
  constructor(platform, { apiBase, tokenProvider }) {
    this.#info = platformInfo(platform);
    const template = document.getElementById('account-card-template');
    this.#root = template.content.firstElementChild.cloneNode(true);
    const info = this.#info;
    this.#root.dataset.testid = `${info.id}-card`;
    this.#root.dataset.platform = info.id;
    this.#root.setAttribute('aria-label', `${info.name} account`);
    this.#field('account-title').textContent = `${info.name} account`;
    this.#field('platform-name').textContent = info.name;
    this.#field('pitch').textContent = info.pitch;
    const badge = this.#root.querySelector('[data-slot="badge"]');
    badge.classList.add(`platform-badge-${info.id}`);
    badge.append(info.logo({ size: 22, variant: 'button' }));
    this.#root.querySelector('[data-slot="mark"]').append(info.logo({ size: 14, variant: 'brand' }));

    const connect = platformElement(info.id, 'connect');
    connect.dataset.testid = 'connect-button';
    const disconnect = platformElement(info.id, 'disconnect');
    disconnect.dataset.testid = 'disconnect-button';
    for (const el of [connect, disconnect]) {
      el.setAttribute('api-base', apiBase);
      el.tokenProvider = tokenProvider;
    }
    this.#root.querySelector('[data-slot="connect"]').replaceWith(connect);
    this.#root.querySelector('[data-slot="disconnect"]').replaceWith(disconnect);
  }

  /** The card's element. */
  get element() {
    return this.#root;
  }

  /** The card's connect button. */
  get connectButton() {
    return this.#root.querySelector('[data-testid="connect-button"]');
  }

  #field(name) {
    return this.#root.querySelector(`[data-card-field="${name}"]`);
  }

  #testid(id) {
    return this.#root.querySelector(`[data-testid="${id}"]`);
  }

  /** Shows `connection` (an entry of `GET /api/connections`, or `null`). */
  render(connection) {
    const connected = Boolean(connection && connection.connected);
    this.#root.querySelector('[data-card-state="connected"]').hidden = !connected;
    this.#root.querySelector('[data-card-state="disconnected"]').hidden = connected;
    this.#root.classList.toggle('is-connected', connected);
    if (!connected) return;
    const info = this.#info;
    const needsReauth = connection.status === 'needs_reauth';
    const handle = typeof connection.handle === 'string' ? connection.handle : '';
    this.#field('display-name').textContent = connection.displayName || handle || `${info.name} account`;
    const link = this.#field('handle');
    link.textContent = handle ? `@${handle}` : info.name;
    const url = handle ? info.profileUrl(handle) : null;
    if (url) link.href = url;
    else link.removeAttribute('href');
    this.renderFollowers(connection.followerCount);
    this.#renderAvatar(connection);
    this.#testid('connected-badge').hidden = needsReauth;
    this.#testid('reauth-badge').hidden = !needsReauth;
    const disconnect = this.#testid('disconnect-button');
    if (handle) disconnect.setAttribute('handle', handle);
    else disconnect.removeAttribute('handle');
  }

  /** The follower count (unknown without the permission: the handle shows alone). */
  renderFollowers(count) {
    const known = typeof count === 'number';
    this.#field('followers').textContent = known ? formatCount(count) : '';
    this.#field('follower-noun').textContent = this.#info.followerNoun || 'followers';
    this.#testid('account-followers').hidden = !known;
    this.#root.querySelector('.account-sub .dot-sep').hidden = !known;
  }

  /** Details only the profile has: the bio, the verified badge, the profile's own link. */
  renderProfile(profile) {
    if (typeof profile.followerCount === 'number') this.renderFollowers(profile.followerCount);
    if (typeof profile.profileDeepLink === 'string' && /^https:\/\//.test(profile.profileDeepLink)) {
      this.#field('handle').href = profile.profileDeepLink;
    }
    const bio = this.#field('bio');
    bio.textContent = typeof profile.bio === 'string' ? profile.bio.trim() : '';
    bio.hidden = bio.textContent === '';
    this.#testid('account-verified').hidden = profile.verified !== true;
  }

  #renderAvatar(connection) {
    const frame = this.#testid('account-avatar');
    frame.querySelector('img')?.remove();
    this.#field('initials').textContent = initialsOf(connection);
    if (typeof connection.avatarUrl === 'string' && connection.avatarUrl) {
      const img = document.createElement('img');
      img.alt = '';
      img.width = 56;
      img.height = 56;
      img.referrerPolicy = 'no-referrer';
      img.addEventListener('error', () => img.remove(), { once: true });
      img.src = connection.avatarUrl;
      frame.append(img);
    }
  }
}
