// Plumbing shared by the two custom elements: the bearer token, the API base, events, styles.

import { resolveApiBase } from '../api-client.js';

/**
 * A property set on the element before its class was defined (a host framework rendering
 * before the module loaded) shadows the class accessor; re-apply it through the accessor.
 */
export function upgradeProperty(element, name) {
  if (Object.prototype.hasOwnProperty.call(element, name)) {
    const value = element[name];
    delete element[name];
    element[name] = value;
  }
}

/**
 * The bearer token to send, in order of preference: the `tokenProvider` async function (asked on
 * every use, so it can refresh), the `token` property, the `token` attribute. Null when none.
 */
export async function resolveElementToken(element) {
  if (typeof element.tokenProvider === 'function') {
    const provided = await element.tokenProvider();
    return typeof provided === 'string' && provided ? provided : null;
  }
  if (element.token) return element.token;
  return element.getAttribute('token') || null;
}

/** The element's API base URL: its `api-base` attribute, or the page's origin. */
export function elementApiBase(element) {
  return resolveApiBase(element.getAttribute('api-base'));
}

/** Dispatches a bubbling, composed event, so hosts can listen on any ancestor. */
export function emit(element, type, detail) {
  element.dispatchEvent(new CustomEvent(type, { detail, bubbles: true, composed: true }));
}

const sheets = new Map();

/** A constructable stylesheet (allowed under `style-src 'self'`), built once per text. */
export function sharedSheet(cssText) {
  let sheet = sheets.get(cssText);
  if (!sheet) {
    sheet = new CSSStyleSheet();
    sheet.replaceSync(cssText);
    sheets.set(cssText, sheet);
  }
  return sheet;
}

/** Styles common to both buttons; each element adds its own on top. */
export const BASE_CSS = `
:host { display: inline-block; font-family: var(--tiktok-font, system-ui, -apple-system, "Segoe UI", Roboto, sans-serif); }
:host([hidden]) { display: none; }
button {
  font: inherit; font-size: 0.9375rem; font-weight: 600; line-height: 1.2;
  display: inline-flex; align-items: center; justify-content: center; gap: 0.5rem;
  min-height: 2.5rem; padding: 0.5rem 1rem; border-radius: 0.5rem; cursor: pointer;
  border: 1px solid transparent; white-space: nowrap;
  transition: background-color 120ms ease, border-color 120ms ease, box-shadow 120ms ease;
}
button:focus-visible { outline: 3px solid var(--tiktok-focus, #2563eb); outline-offset: 2px; }
button:disabled { cursor: progress; opacity: 0.75; }
.spinner {
  width: 1rem; height: 1rem; border-radius: 50%; flex: none;
  border: 2px solid currentColor; border-right-color: transparent;
  animation: spin 0.8s linear infinite;
}
.spinner[hidden] { display: none; }
svg[hidden] { display: none; }
@keyframes spin { to { transform: rotate(360deg); } }
@media (prefers-reduced-motion: reduce) { .spinner { animation-duration: 2.4s; } }
.visually-hidden {
  position: absolute; width: 1px; height: 1px; padding: 0; margin: -1px; overflow: hidden;
  clip: rect(0 0 0 0); white-space: nowrap; border: 0;
}
`;
