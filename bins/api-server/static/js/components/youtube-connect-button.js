// <youtube-connect-button>: <platform-connect-button> with the platform fixed to youtube. See
// docs/ui.md for attributes, properties and events.

import { PlatformConnectButton } from './platform-connect-button.js';

export class YouTubeConnectButton extends PlatformConnectButton {
  static fixedPlatform = 'youtube';
}

if (!customElements.get('youtube-connect-button')) {
  customElements.define('youtube-connect-button', YouTubeConnectButton);
}
