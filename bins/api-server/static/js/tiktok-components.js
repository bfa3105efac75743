// Entry point for host products: importing this module defines <tiktok-connect-button> and
// <tiktok-disconnect-button>. See docs/ui.md for the embed snippets.

export { TikTokConnectButton } from './components/tiktok-connect-button.js';
export { TikTokDisconnectButton } from './components/tiktok-disconnect-button.js';
