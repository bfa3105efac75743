// Entry point for host products: importing this module defines <youtube-connect-button> and
// <youtube-disconnect-button>. See docs/ui.md for the embed snippets.

export { YouTubeConnectButton } from './components/youtube-connect-button.js';
export { YouTubeDisconnectButton } from './components/youtube-disconnect-button.js';
