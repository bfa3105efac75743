// <tiktok-connect-button>: the TikTok-branded connect button, <platform-connect-button> with the
// platform fixed to tiktok. See docs/ui.md for attributes, properties and events.

import { PlatformConnectButton } from './platform-connect-button.js';

export { POPUP_BLOCKED_MESSAGE, POPUP_CLOSED_MESSAGE } from './platform-connect-button.js';

export class TikTokConnectButton extends PlatformConnectButton {
  static fixedPlatform = 'tiktok';
}

if (!customElements.get('tiktok-connect-button')) {
  customElements.define('tiktok-connect-button', TikTokConnectButton);
}
