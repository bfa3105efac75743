// <instagram-disconnect-button>: <platform-disconnect-button> with the platform fixed to instagram. See
// docs/ui.md for attributes, properties and events.

import { PlatformDisconnectButton } from './platform-disconnect-button.js';

export class InstagramDisconnectButton extends PlatformDisconnectButton {
  static fixedPlatform = 'instagram';
}

if (!customElements.get('instagram-disconnect-button')) {
  customElements.define('instagram-disconnect-button', InstagramDisconnectButton);
}
