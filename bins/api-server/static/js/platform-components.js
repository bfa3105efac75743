// Entry point for host products: importing this module defines every platform's elements
// (<tiktok-connect-button>, <instagram-connect-button>, ... and their disconnect buttons) and
// the generic <platform-connect-button platform="..."> and <platform-disconnect-button>. See
// docs/ui.md for the embed snippets.

export { PlatformConnectButton } from './components/platform-connect-button.js';
export { PlatformDisconnectButton } from './components/platform-disconnect-button.js';
export * from './tiktok-components.js';
export * from './instagram-components.js';
export * from './youtube-components.js';
