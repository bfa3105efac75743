// Entry point for host products: importing this module defines <instagram-connect-button> and
// <instagram-disconnect-button>. See docs/ui.md for the embed snippets.

export { InstagramConnectButton } from './components/instagram-connect-button.js';
export { InstagramDisconnectButton } from './components/instagram-disconnect-button.js';
