// The creator dashboard: finds a token (sandbox or host), then shows one account card per
// platform (each with its own connect and disconnect buttons), the combined overview of every
// connected platform, and, for the platform chosen in the tabs: sync, profile stats, growth
// charts and the posts table. Everything from the API is written with textContent or DOM
// properties, never parsed as HTML.

import './platform-components.js';
import { AccountCard, platformElement } from './account-cards.js';
import { ApiError, apiRequest, describeError, resolveApiBase } from './api-client.js';
import { CombinedOverview } from './combined-overview.js';
import {
  formatCompact,
  formatCount,
  formatDateTime,
  formatGrowth,
  formatRate,
  formatRelativeTime,
  formatWait,
} from './format.js';
import { GrowthChart } from './growth-chart.js';
import { platformInfo } from './platforms.js';
import { Session, TokenSource } from './session.js';
import { initToasts, showToast } from './toasts.js';
import { VideosTable } from './videos-table.js';

const API_BASE = resolveApiBase('');
// While a sync is queued or running elsewhere, look for its result this often, this long.
const SYNC_POLL_MS = 15_000;
const SYNC_POLL_LIMIT_MS = 30 * 60_000;
const RELATIVE_TIME_REFRESH_MS = 30_000;
// What the page shows before `GET /api/platforms` answers (and if it cannot).
const FALLBACK_PLATFORMS = ['tiktok'];

const session = new Session(API_BASE);

const state = {
  /** The platforms this server runs, in its order. */
  platforms: [],
  /** The platform the details below the tabs show. */
  selected: FALLBACK_PLATFORMS[0],
  /** Each platform's entry of `GET /api/connections`, by platform. */
  connections: new Map(),
  days: 30,
  syncBusy: false,
  cooldownUntil: 0,
  cooldownTimer: 0,
  pollTimer: 0,
};

/** Each platform's account card, by platform. */
const cards = new Map();

const $ = (selector) => document.querySelector(selector);
const $$ = (selector) => Array.from(document.querySelectorAll(selector));
const field = (name) => document.querySelector(`[data-field="${name}"]`);
const selectedInfo = () => platformInfo(state.selected);
const selectedConnection = () => state.connections.get(state.selected) || null;
const isConnected = (connection) => Boolean(connection && connection.connected);

// ---------------------------------------------------------------------------------------------
// API access with the session's token

class NoTokenError extends Error {}

/** Calls the API with the session's token; renews a sandbox token once after a 401. */
async function api(method, path, query) {
  if (!session.hasToken) throw new NoTokenError('No token');
  const call = async () => apiRequest({ base: API_BASE, token: await session.token(), method, path, query });
  try {
    return await call();
  } catch (err) {
    if (err instanceof ApiError && err.status === 401 && (await session.renewAfterUnauthorized())) return call();
    if (err instanceof ApiError && err.status === 401 && session.source === TokenSource.HOST) {
      session.forgetHostToken();
      showTokenPanel();
    }
    throw err;
  }
}

async function getJson(path, query) {
  return (await api('GET', path, query)).body;
}

/** Reports a failure: a toast, plus the state change some errors imply. */
function reportError(err) {
  if (err instanceof NoTokenError) return;
  const { code, message } = describeError(err);
  showToast('error', message);
  if (code === 'not_connected' || code === 'needs_reauth') refreshConnections();
}

// ---------------------------------------------------------------------------------------------
// Platforms: cards, tabs, names

function show(element, visible) {
  if (element) element.hidden = !visible;
}

function setStateSections(connected) {
  for (const el of $$('[data-state="connected"]')) show(el, connected);
  for (const el of $$('[data-state="disconnected"]')) show(el, !connected);
}

/** The product's own mark (three rising bars): it is no single platform's. */
function placeBrandLogo() {
  const ns = 'http://www.w3.org/2000/svg';
  for (const slot of $$('[data-logo="brand"]')) {
    const svg = document.createElementNS(ns, 'svg');
    svg.setAttribute('viewBox', '0 0 24 24');
    svg.setAttribute('width', '20');
    svg.setAttribute('height', '20');
    svg.setAttribute('aria-hidden', 'true');
    svg.setAttribute('focusable', 'false');
    for (const [x, height] of [[4, 7], [10, 11], [16, 15]]) {
      const bar = document.createElementNS(ns, 'rect');
      bar.setAttribute('x', String(x));
      bar.setAttribute('y', String(20 - height));
      bar.setAttribute('width', '4');
      bar.setAttribute('height', String(height));
      bar.setAttribute('rx', '1');
      bar.setAttribute('fill', '#ffffff');
      svg.append(bar);
    }
    slot.replaceChildren(svg);
  }
}

/** Builds the cards, tabs, names and attributions of `platforms`. */
function setPlatforms(platforms) {
  state.platforms = platforms.length ? platforms : FALLBACK_PLATFORMS;
  if (!state.platforms.includes(state.selected)) state.selected = state.platforms[0];
  const names = state.platforms.map((id) => platformInfo(id).name);
  field('topbar-platforms').textContent = names.join(' · ');
  field('sandbox-platforms').textContent = names.join(', ');
  placeBrandLogo();

  const provider = () => session.token();
  const accounts = $('[data-testid="accounts"]');
  cards.clear();
  for (const id of state.platforms) cards.set(id, new AccountCard(id, { apiBase: API_BASE, tokenProvider: provider }));
  accounts.replaceChildren(...Array.from(cards.values(), (card) => card.element));
  accounts.classList.toggle('accounts-single', cards.size === 1);

  const tabs = $('[data-testid="platform-tabs"]');
  tabs.replaceChildren(
    ...state.platforms.map((id) => {
      const info = platformInfo(id);
      const tab = document.createElement('button');
      tab.type = 'button';
      tab.className = 'platform-tab';
      tab.dataset.platform = id;
      tab.dataset.testid = `platform-tab-${id}`;
      const mark = document.createElement('span');
      mark.className = 'platform-tab-mark';
      mark.setAttribute('aria-hidden', 'true');
      mark.append(info.logo({ size: 16, variant: 'brand' }));
      tab.append(mark, info.name);
      tab.addEventListener('click', () => selectPlatform(id));
      return tab;
    }),
  );
  show(tabs, state.platforms.length > 1);

  const attributions = field('attributions');
  attributions.replaceChildren(
    ...state.platforms.map((id) => {
      const info = platformInfo(id);
      const block = document.createElement('div');
      block.className = 'attribution-block';
      const line = document.createElement('p');
      line.className = 'attribution';
      line.dataset.testid = `${id}-attribution`;
      const logo = document.createElement('span');
      logo.className = 'attribution-logo';
      logo.setAttribute('aria-hidden', 'true');
      logo.append(info.logo({ size: 16, variant: 'mono' }));
      line.append(logo, info.attribution);
      block.append(line);
      if (info.trademark) {
        const note = document.createElement('p');
        note.className = 'footer-note';
        note.textContent = info.trademark;
        block.append(note);
      }
      return block;
    }),
  );
  renderSelection();
}

/** Writes the selected platform's names, stats tiles, table columns and reconnect button. */
function renderSelection() {
  const info = selectedInfo();
  for (const tab of $$('.platform-tab')) tab.setAttribute('aria-pressed', String(tab.dataset.platform === info.id));
  for (const el of $$('[data-field="platform-name"]')) el.textContent = info.name;
  for (const el of $$('[data-field="post-noun"]')) el.textContent = info.postNoun[0];
  for (const el of $$('[data-field="post-noun-plural"]')) el.textContent = info.postNoun[1];
  const plural = info.postNoun[1];
  field('videos-title').textContent = plural.charAt(0).toUpperCase() + plural.slice(1);
  field('engagement-note').textContent = info.engagementNote;

  // The stats tiles the platform has, before the engagement rate.
  const stats = $('[data-testid="profile-stats"]');
  for (const old of stats.querySelectorAll('[data-stat]')) old.remove();
  const engagement = $('[data-testid="stat-engagement"]');
  for (const stat of info.stats) {
    const tile = document.createElement('div');
    tile.className = 'stat';
    tile.dataset.stat = stat.id;
    tile.dataset.testid = `stat-${stat.id}`;
    const label = document.createElement('p');
    label.className = 'stat-label';
    label.textContent = stat.label;
    const value = document.createElement('p');
    value.className = 'stat-value';
    value.dataset.field = `stat-${stat.id}`;
    value.textContent = '—';
    tile.append(label, value);
    if (stat.id === 'followers') {
      const note = document.createElement('p');
      note.className = 'stat-note';
      note.dataset.field = 'growth-followers';
      tile.append(note);
    }
    stats.insertBefore(tile, engagement);
  }
  stats.style.setProperty('--stat-count', String(info.stats.length + 1));

  const reconnect = platformElement(info.id, 'connect');
  reconnect.classList.add('banner-action');
  reconnect.setAttribute('label', 'Reconnect');
  reconnect.dataset.testid = 'reconnect-button';
  reconnect.setAttribute('api-base', API_BASE);
  reconnect.tokenProvider = () => session.token();
  const slot = $('[data-testid="reconnect-button"]') || field('reconnect-slot');
  slot.replaceWith(reconnect);

  if (videos) videos.setPlatform(info);
}

/** Shows `platform`'s details below the tabs. */
async function selectPlatform(platform) {
  if (platform === state.selected) return;
  state.selected = platform;
  stopSyncWatch();
  renderSelection();
  const main = $('#main');
  main.setAttribute('aria-busy', 'true');
  try {
    await loadSelected();
  } finally {
    main.setAttribute('aria-busy', 'false');
  }
}

// ---------------------------------------------------------------------------------------------
// Rendering the selected platform

function renderLastSynced(iso) {
  const time = field('last-synced');
  if (typeof iso === 'string' && iso) {
    time.dateTime = iso;
    time.textContent = formatRelativeTime(iso);
    time.title = formatDateTime(iso);
  } else {
    time.removeAttribute('datetime');
    time.textContent = 'never';
    time.title = '';
  }
}

function renderMissingScopes(scopes) {
  const info = selectedInfo();
  const list = field('missing-scopes');
  const missing = Array.isArray(scopes) ? scopes.filter((s) => typeof s === 'string') : [];
  list.replaceChildren(
    ...missing.map((scope) => {
      const item = document.createElement('li');
      const code = document.createElement('code');
      code.textContent = scope;
      item.append(code, `: ${info.scopes[scope] || 'data this service asks for'}`);
      return item;
    }),
  );
  show($('[data-testid="missing-scopes"]'), missing.length > 0);
}

/** The selected platform's connection, in the details below the tabs. */
function renderDetails() {
  const connection = selectedConnection();
  const connected = isConnected(connection);
  setStateSections(connected);
  show($('[data-testid="reauth-banner"]'), connected && connection.status === 'needs_reauth');
  if (!connected) {
    renderMissingScopes([]);
    show($('[data-testid="stale-badge"]'), false);
    return;
  }
  show($('[data-testid="stale-badge"]'), Boolean(connection.stale));
  renderLastSynced(connection.lastSyncedAt);
  renderMissingScopes(connection.missingScopes);
}

function renderConnections() {
  show($('[data-section="overview"]'), true);
  for (const [id, card] of cards) card.render(state.connections.get(id) || null);
  renderDetails();
}

function renderProfile(profile) {
  if (!profile) return;
  const info = selectedInfo();
  for (const stat of info.stats) {
    const el = field(`stat-${stat.id}`);
    const value = profile[stat.field];
    el.textContent = formatCompact(value);
    el.title = typeof value === 'number' ? formatCount(value) : info.withheldNote;
  }
  const engagement = field('stat-engagement');
  engagement.textContent = formatRate(profile.engagementRate);
  engagement.title = typeof profile.engagementRate === 'number' ? '' : `Needs followers and recent ${info.postNoun[1]}`;
  cards.get(info.id)?.renderProfile(profile);
  if (Array.isArray(profile.missingScopes)) renderMissingScopes(profile.missingScopes);
}

// ---------------------------------------------------------------------------------------------
// Loading

let charts = null;
let videos = null;
let combined = null;

async function loadProfile(platform) {
  try {
    const profile = await getJson(`/api/${platform}/profile`);
    if (platform === state.selected) renderProfile(profile);
  } catch (err) {
    reportError(err);
  }
}

function setGrowth(element, growth, text) {
  element.textContent = text || '';
  element.classList.toggle('is-negative', Boolean(growth && growth.absolute < 0));
}

async function loadAnalytics() {
  const days = state.days;
  const platform = state.selected;
  try {
    const analytics = await getJson(`/api/${platform}/analytics`, { days });
    if (days !== state.days || platform !== state.selected) return;
    const series = analytics && Array.isArray(analytics.series) ? analytics.series : [];
    const followersWithheld = series.length > 0 && series.every((p) => typeof p.followers !== 'number');
    charts.followers.update(
      series,
      followersWithheld ? `Follower counts are not available from ${selectedInfo().name}: reconnect and allow them.` : null,
    );
    charts.views.update(series);
    const summary = analytics && analytics.summary ? analytics.summary : {};
    const followerGrowth = formatGrowth(summary.followerGrowth);
    const viewGrowth = formatGrowth(summary.viewGrowth);
    const span = `in ${days} ${days === 1 ? 'day' : 'days'}`;
    const note = field('growth-followers');
    if (note) note.textContent = followerGrowth ? `${followerGrowth} ${span}` : '';
    setGrowth(field('growth-followers-chart'), summary.followerGrowth, followerGrowth);
    setGrowth(field('growth-views-chart'), summary.viewGrowth, viewGrowth);
  } catch (err) {
    reportError(err);
  }
}

/** The combined overview, shown once two platforms or more are connected. */
async function loadCombined() {
  const connectedCount = Array.from(state.connections.values()).filter(isConnected).length;
  const section = $('[data-testid="combined-overview"]');
  if (connectedCount < 2) {
    show(section, false);
    return;
  }
  const days = state.days;
  try {
    const overview = await getJson('/api/analytics', { days });
    if (days !== state.days) return;
    show(section, true);
    combined.render(overview, days);
  } catch (err) {
    reportError(err);
  }
}

/** The details of the selected platform: profile, analytics, posts. */
async function loadSelected() {
  renderDetails();
  if (isConnected(selectedConnection())) {
    await Promise.all([loadProfile(state.selected), loadAnalytics(), videos.reload()]);
  } else {
    videos.clear();
  }
}

function setConnections(body) {
  const list = body && Array.isArray(body.connections) ? body.connections : [];
  state.connections = new Map(list.filter((c) => c && typeof c.platform === 'string').map((c) => [c.platform, c]));
}

/** Reloads the connections and, for the selected platform, everything shown for it. */
async function loadAll() {
  const main = $('#main');
  main.setAttribute('aria-busy', 'true');
  try {
    setConnections(await getJson('/api/connections'));
    show($('[data-testid="load-error"]'), false);
    renderConnections();
    await Promise.all([loadSelected(), loadCombined()]);
  } catch (err) {
    if (err instanceof NoTokenError) return;
    const { message } = describeError(err);
    field('load-error-message').textContent = `Could not load your dashboard. ${message}`;
    show($('[data-testid="load-error"]'), true);
  } finally {
    main.setAttribute('aria-busy', 'false');
  }
}

/** Re-reads only the connections (after a 409 needs_reauth, say). */
async function refreshConnections() {
  try {
    const wasConnected = isConnected(selectedConnection());
    setConnections(await getJson('/api/connections'));
    renderConnections();
    if (wasConnected && !isConnected(selectedConnection())) videos.clear();
    return selectedConnection();
  } catch (err) {
    if (!(err instanceof NoTokenError)) showToast('error', describeError(err).message);
    return null;
  }
}

// ---------------------------------------------------------------------------------------------
// Sync now (the selected platform)

function setSyncUi({ busy, label, message = null }) {
  const button = $('[data-testid="sync-now"]');
  const cooling = Date.now() < state.cooldownUntil;
  button.disabled = busy || cooling;
  button.setAttribute('aria-busy', String(busy));
  button.querySelector('.spinner').hidden = !busy;
  field('sync-label').textContent = label;
  if (message !== null) $('[data-testid="sync-status"]').textContent = message;
}

function startCooldown(secs) {
  const wait = typeof secs === 'number' && secs > 0 ? secs : 60;
  state.cooldownUntil = Date.now() + wait * 1000;
  window.clearInterval(state.cooldownTimer);
  const tick = () => {
    const left = (state.cooldownUntil - Date.now()) / 1000;
    if (left <= 0) {
      window.clearInterval(state.cooldownTimer);
      state.cooldownUntil = 0;
      setSyncUi({ busy: false, label: 'Sync now', message: '' });
      return;
    }
    setSyncUi({ busy: false, label: 'Sync now', message: `You can sync again in ${formatWait(left)}` });
  };
  tick();
  state.cooldownTimer = window.setInterval(tick, 5000);
}

/** Stops watching a queued sync and any cooldown (another platform is shown). */
function stopSyncWatch() {
  window.clearInterval(state.pollTimer);
  window.clearInterval(state.cooldownTimer);
  state.cooldownUntil = 0;
  state.syncBusy = false;
  setSyncUi({ busy: false, label: 'Sync now', message: '' });
}

/** Watches the connection until its last-synced time moves (a queued or running sync ended). */
function watchForSync(label) {
  window.clearInterval(state.pollTimer);
  const platform = state.selected;
  const startedWith = selectedConnection() ? selectedConnection().lastSyncedAt : null;
  const giveUpAt = Date.now() + SYNC_POLL_LIMIT_MS;
  state.syncBusy = true;
  setSyncUi({ busy: true, label });
  state.pollTimer = window.setInterval(async () => {
    if (Date.now() > giveUpAt) {
      window.clearInterval(state.pollTimer);
      state.syncBusy = false;
      setSyncUi({ busy: false, label: 'Sync now', message: 'The sync has not finished yet; the data updates when it does.' });
      return;
    }
    let connection;
    try {
      const body = await getJson('/api/connections');
      connection = (body.connections || []).find((c) => c && c.platform === platform);
    } catch {
      return; // Try again on the next tick.
    }
    if (!connection || !connection.connected || connection.lastSyncedAt !== startedWith) {
      window.clearInterval(state.pollTimer);
      state.syncBusy = false;
      setSyncUi({ busy: false, label: 'Sync now', message: '' });
      if (connection && connection.connected) showToast('success', 'Sync finished');
      await loadAll();
    }
  }, SYNC_POLL_MS);
}

async function syncNow() {
  if (state.syncBusy || Date.now() < state.cooldownUntil) return;
  const info = selectedInfo();
  state.syncBusy = true;
  setSyncUi({ busy: true, label: 'Syncing...', message: `Fetching your profile and ${info.postNoun[1]} from ${info.name}…` });
  try {
    const { status, body } = await api('POST', `/api/auth/${info.id}/sync`);
    state.syncBusy = false;
    if (status === 202) {
      const message = (body && body.message) || `${info.name}’s call budget is spent for now; the sync runs as soon as it allows.`;
      $('[data-testid="sync-status"]').textContent = message;
      showToast('info', 'Sync queued');
      watchForSync('Sync queued');
      return;
    }
    const count = body && typeof body.videosSynced === 'number' ? body.videosSynced : null;
    setSyncUi({ busy: false, label: 'Sync now', message: '' });
    const [one, many] = info.postNoun;
    showToast('success', count === null ? 'Sync finished' : `Synced ${formatCount(count)} ${count === 1 ? one : many}`);
    await loadAll();
    if (body && Array.isArray(body.missingScopes) && body.missingScopes.length) renderMissingScopes(body.missingScopes);
  } catch (err) {
    state.syncBusy = false;
    setSyncUi({ busy: false, label: 'Sync now', message: '' });
    if (err instanceof NoTokenError) return;
    const { code, message } = describeError(err);
    if (code === 'sync_cooldown') {
      startCooldown(err.retryAfterSecs);
      showToast('info', `You can sync again in ${formatWait(err.retryAfterSecs || 60)}`);
    } else if (code === 'sync_in_progress') {
      showToast('info', 'A sync is already running');
      $('[data-testid="sync-status"]').textContent = 'A sync is already running; the data updates when it ends.';
      watchForSync('Syncing...');
    } else if (code === 'needs_reauth') {
      showToast('error', `${info.name} needs you to reconnect before syncing again`);
      await refreshConnections();
    } else if (code === 'tiktok_unavailable' || code === 'platform_unavailable') {
      // The server says what happened in words; the platform's own code and log id are in the
      // sync log (GET /api/<platform>/sync-runs) for support.
      showToast('error', message);
      $('[data-testid="sync-status"]').textContent = `Last attempt failed. ${message}`;
    } else {
      showToast('error', message);
      if (code === 'not_connected') await loadAll();
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Token panel

function showTokenPanel() {
  show($('[data-testid="token-missing"]'), true);
  show($('[data-section="overview"]'), false);
  show($('[data-testid="combined-overview"]'), false);
  show($('[data-testid="platform-tabs"]'), false);
  setStateSections(false);
  for (const el of $$('[data-state="disconnected"]')) show(el, false);
  show($('[data-testid="reauth-banner"]'), false);
  show($('[data-testid="missing-scopes"]'), false);
  $('#main').setAttribute('aria-busy', 'false');
}

function onTokenSubmit(event) {
  event.preventDefault();
  const input = $('[data-testid="token-input"]');
  const token = input.value.trim().replace(/^Bearer\s+/i, '');
  if (!token) return;
  input.value = '';
  session.useManualToken(token);
  show($('[data-testid="token-missing"]'), false);
  startWithToken();
}

// ---------------------------------------------------------------------------------------------
// Wiring

/** The platforms whose component events are listened to. */
const wiredPlatforms = new Set();

/** Listens to each platform's component events (`<platform>-connected` and so on), once. */
function wireComponents(platforms) {
  for (const id of platforms) {
    if (wiredPlatforms.has(id)) continue;
    wiredPlatforms.add(id);
    const info = platformInfo(id);
    document.addEventListener(`${id}-connected`, async (event) => {
      const handle = event.detail && event.detail.handle;
      showToast('success', handle ? `${info.name} connected: @${handle}` : `${info.name} connected`);
      // Show what was just connected.
      if (state.selected !== id) {
        state.selected = id;
        stopSyncWatch();
        renderSelection();
      }
      await loadAll();
      $('[data-testid="sync-now"]').focus();
    });
    document.addEventListener(`${id}-disconnected`, async () => {
      showToast('success', `${info.name} disconnected`);
      if (state.selected === id) {
        stopSyncWatch();
        videos.clear();
      }
      await loadAll();
      cards.get(id)?.connectButton.focus();
    });
    document.addEventListener(`${id}-error`, (event) => {
      const detail = event.detail || {};
      // Stopping on purpose is not a failure: say it calmly.
      const calm = detail.code === 'cancelled' || detail.code === 'popup_closed';
      showToast(calm ? 'info' : 'error', detail.message || 'Something went wrong, try again');
      if (detail.code === 'unauthorized' && session.source === TokenSource.HOST) {
        session.forgetHostToken();
        showTokenPanel();
      }
    });
  }
}

function wireRange() {
  const buttons = $$('.segment[data-days]');
  for (const button of buttons) {
    button.addEventListener('click', () => {
      const days = Number.parseInt(button.dataset.days, 10);
      if (days === state.days) return;
      state.days = days;
      for (const b of buttons) b.setAttribute('aria-pressed', String(b === button));
      loadAnalytics();
      loadCombined();
    });
  }
}

/** The platforms this server runs (the fallback when it cannot say). */
async function loadPlatforms() {
  try {
    const body = await getJson('/api/platforms');
    const list = body && Array.isArray(body.platforms) ? body.platforms : [];
    return list.filter((p) => p && p.state === 'enabled' && typeof p.platform === 'string').map((p) => p.platform);
  } catch (err) {
    if (err instanceof NoTokenError) throw err;
    return FALLBACK_PLATFORMS;
  }
}

async function startWithToken() {
  const platforms = await loadPlatforms().catch(() => FALLBACK_PLATFORMS);
  if (platforms.join() !== state.platforms.join()) setPlatforms(platforms);
  wireComponents(platforms);
  await loadAll();
}

async function start() {
  let source;
  try {
    source = await session.start();
  } catch (err) {
    field('load-error-message').textContent = `Could not reach the server. ${describeError(err).message}`;
    show($('[data-testid="load-error"]'), true);
    $('#main').setAttribute('aria-busy', 'false');
    return;
  }
  show($('[data-testid="sandbox-banner"]'), source === TokenSource.SANDBOX);
  if (source === TokenSource.NONE) {
    showTokenPanel();
    return;
  }
  await startWithToken();
}

function init() {
  initToasts($('[data-testid="toasts"]'));
  charts = {
    followers: new GrowthChart($('[data-testid="chart-followers"]'), { key: 'followers', label: 'Followers' }),
    views: new GrowthChart($('[data-testid="chart-views"]'), { key: 'views', label: 'Views' }),
  };
  combined = new CombinedOverview($('[data-testid="combined-overview"]'));
  videos = new VideosTable(field('videos-body'), {
    platform: selectedInfo(),
    load: (query) => getJson(`/api/${state.selected}/${selectedInfo().postsRoute}`, query),
    onError: reportError,
    countElement: field('videos-count'),
  });
  setPlatforms(FALLBACK_PLATFORMS);
  wireRange();
  $('[data-testid="sync-now"]').addEventListener('click', syncNow);
  $('[data-testid="token-form"]').addEventListener('submit', onTokenSubmit);
  $('[data-testid="retry-load"]').addEventListener('click', () => {
    show($('[data-testid="load-error"]'), false);
    if (session.source === TokenSource.NONE) start();
    else startWithToken();
  });
  window.setInterval(() => {
    const connection = selectedConnection();
    if (isConnected(connection)) renderLastSynced(connection.lastSyncedAt);
  }, RELATIVE_TIME_REFRESH_MS);
  start();
}

init();
