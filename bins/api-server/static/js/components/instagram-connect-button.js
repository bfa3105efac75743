// <instagram-connect-button>: the Instagram-branded connect button, <platform-connect-button> with the
// platform fixed to instagram. See docs/ui.md for attributes, properties and events.

import { PlatformConnectButton } from './platform-connect-button.js';

export class InstagramConnectButton extends PlatformConnectButton {
  static fixedPlatform = 'instagram';
}

if (!customElements.get('instagram-connect-button')) {
  customElements.define('instagram-connect-button', InstagramConnectButton);
}
