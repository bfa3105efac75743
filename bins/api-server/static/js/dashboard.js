// The creator dashboard: finds a token (sandbox or host), then shows the TikTok card, sync,
// profile stats, growth charts and the videos table. Everything from the API is written with
// textContent or DOM properties, never parsed as HTML.

import './tiktok-components.js';
import { ApiError, apiRequest, describeError, resolveApiBase } from './api-client.js';
import { createTikTokLogo } from './components/tiktok-logo.js';
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
import { Session, TokenSource } from './session.js';
import { initToasts, showToast } from './toasts.js';
import { VideosTable } from './videos-table.js';

const API_BASE = resolveApiBase('');
// While a sync is queued or running elsewhere, look for its result this often, this long.
const SYNC_POLL_MS = 15_000;
const SYNC_POLL_LIMIT_MS = 30 * 60_000;
const RELATIVE_TIME_REFRESH_MS = 30_000;

/** What each scope governs, to explain a missing one in words. */
const SCOPE_EXPLANATIONS = {
  'user.info.basic': 'your display name and avatar',
  'user.info.profile': 'your @handle, bio, profile link and verified badge',
  'user.info.stats': 'follower, following, like and video counts (and the growth charts)',
  'video.list': 'your videos and their views, likes, comments and shares',
};

const session = new Session(API_BASE);

const state = {
  connection: null,
  days: 30,
  syncBusy: false,
  cooldownUntil: 0,
  cooldownTimer: 0,
  pollTimer: 0,
};

const $ = (selector) => document.querySelector(selector);
const $$ = (selector) => Array.from(document.querySelectorAll(selector));
const field = (name) => document.querySelector(`[data-field="${name}"]`);

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
  if (code === 'not_connected' || code === 'needs_reauth') refreshConnection();
}

// ---------------------------------------------------------------------------------------------
// Rendering helpers

function show(element, visible) {
  if (element) element.hidden = !visible;
}

function setStateSections(connected) {
  for (const el of $$('[data-state="connected"]')) show(el, connected);
  for (const el of $$('[data-state="disconnected"]')) show(el, !connected);
}

function placeLogos() {
  for (const slot of $$('[data-logo]')) {
    const variant = slot.dataset.logo;
    slot.replaceChildren(createTikTokLogo({ size: variant === 'mono' ? 16 : 22, variant }));
  }
}

function initialsOf(connection) {
  const name = (connection.displayName || connection.handle || '?').trim();
  const letters = Array.from(name.replace(/^@/, '')).filter((ch) => /\p{L}|\p{N}/u.test(ch));
  return (letters[0] || '?').toUpperCase();
}

function renderAvatar(connection) {
  const frame = $('[data-testid="account-avatar"]');
  frame.querySelector('img')?.remove();
  field('initials').textContent = initialsOf(connection);
  if (typeof connection.avatarUrl === 'string' && connection.avatarUrl) {
    const img = document.createElement('img');
    img.alt = '';
    img.width = 56;
    img.height = 56;
    img.referrerPolicy = 'no-referrer';
    img.addEventListener('error', () => img.remove(), { once: true });
    img.src = connection.avatarUrl;
    frame.append(img);
  }
}

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
  const list = field('missing-scopes');
  const missing = Array.isArray(scopes) ? scopes.filter((s) => typeof s === 'string') : [];
  list.replaceChildren(
    ...missing.map((scope) => {
      const item = document.createElement('li');
      const code = document.createElement('code');
      code.textContent = scope;
      item.append(code, `: ${SCOPE_EXPLANATIONS[scope] || 'data this service asks for'}`);
      return item;
    }),
  );
  show($('[data-testid="missing-scopes"]'), missing.length > 0);
}

// Unknown without the stats scope: then the card shows the handle alone.
function renderFollowers(count) {
  const known = typeof count === 'number';
  field('followers').textContent = known ? formatCount(count) : '';
  show($('[data-testid="account-followers"]'), known);
  show($('.account-sub .dot-sep'), known);
}

function renderConnection(connection) {
  state.connection = connection;
  show($('[data-section="overview"]'), true);
  const connected = Boolean(connection && connection.connected);
  setStateSections(connected);
  const needsReauth = connected && connection.status === 'needs_reauth';
  show($('[data-testid="reauth-banner"]'), needsReauth);
  if (!connected) {
    renderMissingScopes([]);
    show($('[data-testid="stale-badge"]'), false);
    return;
  }
  const handle = typeof connection.handle === 'string' ? connection.handle : '';
  const displayName = connection.displayName || handle || 'TikTok account';
  field('display-name').textContent = displayName;
  const handleLink = field('handle');
  handleLink.textContent = handle ? `@${handle}` : 'TikTok';
  if (handle) handleLink.href = `https://www.tiktok.com/@${encodeURIComponent(handle)}`;
  else handleLink.removeAttribute('href');
  renderFollowers(connection.followerCount);
  renderAvatar(connection);
  show($('[data-testid="connected-badge"]'), !needsReauth);
  show($('[data-testid="reauth-badge"]'), needsReauth);
  show($('[data-testid="stale-badge"]'), Boolean(connection.stale));
  renderLastSynced(connection.lastSyncedAt);
  renderMissingScopes(connection.missingScopes);
  const disconnect = $('tiktok-disconnect-button[data-testid="disconnect-button"]');
  if (handle) disconnect.setAttribute('handle', handle);
  else disconnect.removeAttribute('handle');
}

function renderProfile(profile) {
  if (!profile) return;
  const stat = (name, value) => {
    const el = field(`stat-${name}`);
    el.textContent = formatCompact(value);
    el.title = typeof value === 'number' ? formatCount(value) : 'Not available: the user.info.stats permission was not granted';
  };
  stat('followers', profile.followerCount);
  stat('following', profile.followingCount);
  stat('likes', profile.likesCount);
  stat('videos', profile.videoCount);
  const engagement = field('stat-engagement');
  engagement.textContent = formatRate(profile.engagementRate);
  engagement.title = typeof profile.engagementRate === 'number' ? '' : 'Needs followers and recent videos';
  // The profile has the freshest follower count too.
  if (typeof profile.followerCount === 'number') renderFollowers(profile.followerCount);
  if (typeof profile.profileDeepLink === 'string' && /^https:\/\//.test(profile.profileDeepLink)) {
    field('handle').href = profile.profileDeepLink;
  }
  const bio = field('bio');
  bio.textContent = typeof profile.bio === 'string' ? profile.bio.trim() : '';
  show(bio, bio.textContent !== '');
  show($('[data-testid="account-verified"]'), profile.verified === true);
  if (Array.isArray(profile.missingScopes)) renderMissingScopes(profile.missingScopes);
}

// ---------------------------------------------------------------------------------------------
// Loading

let charts = null;
let videos = null;

async function loadProfile() {
  try {
    renderProfile(await getJson('/api/tiktok/profile'));
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
  try {
    const analytics = await getJson('/api/tiktok/analytics', { days });
    if (days !== state.days) return;
    const series = analytics && Array.isArray(analytics.series) ? analytics.series : [];
    const followersWithheld = series.length > 0 && series.every((p) => typeof p.followers !== 'number');
    charts.followers.update(
      series,
      followersWithheld ? 'Follower counts need the user.info.stats permission: reconnect and allow it.' : null,
    );
    charts.views.update(series);
    const summary = analytics && analytics.summary ? analytics.summary : {};
    const followerGrowth = formatGrowth(summary.followerGrowth);
    const viewGrowth = formatGrowth(summary.viewGrowth);
    const span = `in ${days} ${days === 1 ? 'day' : 'days'}`;
    field('growth-followers').textContent = followerGrowth ? `${followerGrowth} ${span}` : '';
    setGrowth(field('growth-followers-chart'), summary.followerGrowth, followerGrowth);
    setGrowth(field('growth-views-chart'), summary.viewGrowth, viewGrowth);
  } catch (err) {
    reportError(err);
  }
}

/** Reloads the connection and, when connected, everything shown for it. */
async function loadAll() {
  const main = $('#main');
  main.setAttribute('aria-busy', 'true');
  try {
    const body = await getJson('/api/connections');
    const list = body && Array.isArray(body.connections) ? body.connections : [];
    const tiktok = list.find((c) => c && c.platform === 'tiktok') || null;
    show($('[data-testid="load-error"]'), false);
    renderConnection(tiktok);
    if (tiktok && tiktok.connected) await Promise.all([loadProfile(), loadAnalytics(), videos.reload()]);
    else videos.clear();
  } catch (err) {
    if (err instanceof NoTokenError) return;
    const { message } = describeError(err);
    field('load-error-message').textContent = `Could not load your dashboard. ${message}`;
    show($('[data-testid="load-error"]'), true);
  } finally {
    main.setAttribute('aria-busy', 'false');
  }
}

/** Re-reads only the connection (after a 409 needs_reauth, say). */
async function refreshConnection() {
  try {
    const body = await getJson('/api/connections');
    const list = body && Array.isArray(body.connections) ? body.connections : [];
    const tiktok = list.find((c) => c && c.platform === 'tiktok') || null;
    const wasConnected = Boolean(state.connection && state.connection.connected);
    renderConnection(tiktok);
    if (wasConnected && !(tiktok && tiktok.connected)) videos.clear();
    return tiktok;
  } catch (err) {
    if (!(err instanceof NoTokenError)) showToast('error', describeError(err).message);
    return null;
  }
}

// ---------------------------------------------------------------------------------------------
// Sync now

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

/** Watches the connection until its last-synced time moves (a queued or running sync ended). */
function watchForSync(label) {
  window.clearInterval(state.pollTimer);
  const startedWith = state.connection ? state.connection.lastSyncedAt : null;
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
      connection = (body.connections || []).find((c) => c && c.platform === 'tiktok');
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
  state.syncBusy = true;
  setSyncUi({ busy: true, label: 'Syncing...', message: 'Fetching your profile and videos from TikTok…' });
  try {
    const { status, body } = await api('POST', '/api/auth/tiktok/sync');
    state.syncBusy = false;
    if (status === 202) {
      const message = (body && body.message) || 'TikTok’s call budget is spent for now; the sync runs as soon as it allows.';
      $('[data-testid="sync-status"]').textContent = message;
      showToast('info', 'Sync queued');
      watchForSync('Sync queued');
      return;
    }
    const count = body && typeof body.videosSynced === 'number' ? body.videosSynced : null;
    setSyncUi({ busy: false, label: 'Sync now', message: '' });
    showToast('success', count === null ? 'Sync finished' : `Synced ${formatCount(count)} ${count === 1 ? 'video' : 'videos'}`);
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
      showToast('error', 'TikTok needs you to reconnect before syncing again');
      await refreshConnection();
    } else if (code === 'tiktok_unavailable') {
      // The server says what happened in words; TikTok's own code and log id are in the
      // sync log (GET /api/tiktok/sync-runs) for support.
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
  loadAll();
}

// ---------------------------------------------------------------------------------------------
// Wiring

function wireComponents() {
  const provider = () => session.token();
  for (const el of $$('tiktok-connect-button, tiktok-disconnect-button')) {
    el.setAttribute('api-base', API_BASE);
    el.tokenProvider = provider;
  }
  document.addEventListener('tiktok-connected', async (event) => {
    const handle = event.detail && event.detail.handle;
    showToast('success', handle ? `TikTok connected: @${handle}` : 'TikTok connected');
    await loadAll();
    $('[data-testid="sync-now"]').focus();
  });
  document.addEventListener('tiktok-disconnected', async () => {
    showToast('success', 'TikTok disconnected');
    window.clearInterval(state.pollTimer);
    state.syncBusy = false;
    setSyncUi({ busy: false, label: 'Sync now', message: '' });
    videos.clear();
    await loadAll();
    $('tiktok-connect-button[data-testid="connect-button"]').focus();
  });
  document.addEventListener('tiktok-error', (event) => {
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

function wireRange() {
  const buttons = $$('.segment[data-days]');
  for (const button of buttons) {
    button.addEventListener('click', () => {
      const days = Number.parseInt(button.dataset.days, 10);
      if (days === state.days) return;
      state.days = days;
      for (const b of buttons) b.setAttribute('aria-pressed', String(b === button));
      loadAnalytics();
    });
  }
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
  await loadAll();
}

function init() {
  placeLogos();
  initToasts($('[data-testid="toasts"]'));
  charts = {
    followers: new GrowthChart($('[data-testid="chart-followers"]'), { key: 'followers', label: 'Followers' }),
    views: new GrowthChart($('[data-testid="chart-views"]'), { key: 'views', label: 'Views' }),
  };
  videos = new VideosTable(field('videos-body'), {
    load: (query) => getJson('/api/tiktok/videos', query),
    onError: reportError,
    countElement: field('videos-count'),
  });
  wireComponents();
  wireRange();
  $('[data-testid="sync-now"]').addEventListener('click', syncNow);
  $('[data-testid="token-form"]').addEventListener('submit', onTokenSubmit);
  $('[data-testid="retry-load"]').addEventListener('click', () => {
    show($('[data-testid="load-error"]'), false);
    if (session.source === TokenSource.NONE) start();
    else loadAll();
  });
  window.setInterval(() => {
    if (state.connection && state.connection.connected) renderLastSynced(state.connection.lastSyncedAt);
  }, RELATIVE_TIME_REFRESH_MS);
  start();
}

init();
