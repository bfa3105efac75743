// <youtube-disconnect-button>: <platform-disconnect-button> with the platform fixed to youtube. See
// docs/ui.md for attributes, properties and events.

import { PlatformDisconnectButton } from './platform-disconnect-button.js';

export class YouTubeDisconnectButton extends PlatformDisconnectButton {
  static fixedPlatform = 'youtube';
}

if (!customElements.get('youtube-disconnect-button')) {
  customElements.define('youtube-disconnect-button', YouTubeDisconnectButton);
}
