// <tiktok-disconnect-button>: <platform-disconnect-button> with the platform fixed to tiktok. See
// docs/ui.md for attributes, properties and events.

import { PlatformDisconnectButton } from './platform-disconnect-button.js';

export class TikTokDisconnectButton extends PlatformDisconnectButton {
  static fixedPlatform = 'tiktok';
}

if (!customElements.get('tiktok-disconnect-button')) {
  customElements.define('tiktok-disconnect-button', TikTokDisconnectButton);
}
