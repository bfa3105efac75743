// The posts table (videos on TikTok, media on Instagram): sorted by the API (`sort`/`order`),
// paged with `nextCursor` ("Load more"), its counter columns the platform's (platforms.js).
// Video ids stay strings from JSON to the DOM.

import { formatCount, formatDate, formatDateTime, formatRate } from './format.js';

const PAGE_SIZE = 20;

/** The columns of `platform` in display order; `sort` is the API's sort key for sortable ones. */
function columnsOf(platform) {
  const [, plural] = platform.postNoun;
  const noun = plural.charAt(0).toUpperCase() + plural.slice(1, -1);
  return [
    { id: 'cover', label: noun, className: 'col-cover' },
    { id: 'title', label: 'Title', className: 'col-title' },
    { id: 'created', label: 'Created', sort: 'created', className: 'col-date' },
    ...platform.columns.map((column) => ({ ...column, className: 'col-num' })),
    { id: 'engagement', label: 'Engagement', sort: 'engagement', className: 'col-num' },
  ];
}

function cell(tag, className, text) {
  const el = document.createElement(tag);
  if (className) el.className = className;
  if (text !== undefined) el.textContent = text;
  return el;
}

function coverCell(video) {
  const td = cell('td', 'col-cover');
  const frame = cell('div', 'cover');
  if (typeof video.coverImageUrl === 'string' && video.coverImageUrl) {
    const img = document.createElement('img');
    img.src = video.coverImageUrl;
    img.alt = '';
    img.decoding = 'async';
    img.width = 48;
    img.height = 64;
    img.referrerPolicy = 'no-referrer';
    img.addEventListener('error', () => img.remove(), { once: true });
    frame.append(img);
  }
  td.append(frame);
  return td;
}

function titleCell(video, platform) {
  const td = cell('td', 'col-title');
  const text = (video.title || video.description || '').trim() || `Untitled ${platform.postNoun[0]}`;
  let title;
  if (typeof video.shareUrl === 'string' && /^https?:\/\//.test(video.shareUrl)) {
    title = cell('a', 'video-title', text);
    title.href = video.shareUrl;
    title.target = '_blank';
    title.rel = 'noopener noreferrer';
  } else {
    title = cell('span', 'video-title', text);
  }
  title.title = text;
  td.append(title);
  if (typeof video.durationSecs === 'number') {
    const mins = Math.floor(video.durationSecs / 60);
    const secs = String(video.durationSecs % 60).padStart(2, '0');
    td.append(cell('span', 'video-meta', `${mins}:${secs}`));
  }
  if (typeof video.mediaType === 'string' && video.mediaType) {
    const kind = video.mediaType.replace(/_/g, ' ').toLowerCase();
    td.append(cell('span', 'video-meta', kind));
  }
  return td;
}

function videoRow(video, platform) {
  const tr = document.createElement('tr');
  tr.dataset.testid = 'video-row';
  tr.dataset.videoId = String(video.id);
  const created = cell('td', 'col-date');
  const time = cell('time', '', formatDate(video.createdAt));
  if (typeof video.createdAt === 'string') {
    time.dateTime = video.createdAt;
    time.title = formatDateTime(video.createdAt);
  }
  created.append(time);
  tr.append(
    coverCell(video),
    titleCell(video, platform),
    created,
    ...platform.columns.map((column) => cell('td', 'col-num', formatCount(video[column.field]))),
    cell('td', 'col-num col-rate', formatRate(video.engagementRate, 1)),
  );
  return tr;
}

// `nextCursor` is documented as an opaque string; a safe integer is accepted too, anything else
// (a number past 2^53 would already have lost digits in JSON.parse) ends the paging.
function cursorOf(page) {
  const next = page ? page.nextCursor : null;
  if (typeof next === 'string' && next) return next;
  if (Number.isSafeInteger(next)) return String(next);
  return null;
}

/**
 * Binds the table to `root` (the card's body) for `platform` (an entry of platforms.js).
 * `load({sort, order, limit, cursor})` must resolve to the platform's posts JSON
 * (`/api/<platform>/<posts>`); `onError(err)` reports failures.
 */
export class VideosTable {
  #root;
  #platform;
  #load;
  #onError;
  #sort = 'created';
  #order = 'desc';
  #cursor = null;
  #loading = false;
  #generation = 0;
  #table;
  #tbody;
  #headers = new Map();
  #empty;
  #more;
  #count;

  constructor(root, { platform, load, onError, countElement }) {
    this.#root = root;
    this.#platform = platform;
    this.#load = load;
    this.#onError = onError;
    this.#count = countElement;
    this.#build();
  }

  /** Shows `platform`'s posts from now on (its columns; the sort back to newest first). */
  setPlatform(platform) {
    if (platform === this.#platform) return;
    this.#platform = platform;
    this.#sort = 'created';
    this.#order = 'desc';
    this.#headers = new Map();
    this.#build();
    this.clear();
  }

  #build() {
    const scroller = cell('div', 'table-scroll');
    scroller.tabIndex = 0;
    scroller.setAttribute('role', 'region');
    const platform = this.#platform;
    const [, plural] = platform.postNoun;
    const Plural = plural.charAt(0).toUpperCase() + plural.slice(1);
    scroller.setAttribute('aria-label', `${Plural} table, scrolls sideways`);
    this.#table = cell('table', 'videos-table');
    this.#table.dataset.testid = 'videos-table';
    const caption = cell('caption', 'visually-hidden', `Your ${platform.name} ${plural} with their engagement`);
    const thead = document.createElement('thead');
    const headRow = document.createElement('tr');
    for (const column of columnsOf(platform)) {
      const th = cell('th', column.className);
      th.scope = 'col';
      if (column.sort) {
        const button = cell('button', 'sort-button');
        button.type = 'button';
        button.dataset.testid = `sort-${column.sort}`;
        button.append(cell('span', '', column.label), cell('span', 'sort-indicator'));
        button.addEventListener('click', () => this.#sortBy(column.sort));
        th.append(button);
        this.#headers.set(column.sort, { th, button });
      } else if (column.id === 'cover') {
        th.append(cell('span', 'visually-hidden', column.label));
      } else {
        th.textContent = column.label;
      }
      headRow.append(th);
    }
    thead.append(headRow);
    this.#tbody = document.createElement('tbody');
    this.#table.append(caption, thead, this.#tbody);
    scroller.append(this.#table);

    this.#empty = cell('div', 'empty-state');
    this.#empty.dataset.testid = 'videos-empty';
    this.#empty.hidden = true;
    this.#empty.append(
      cell('p', 'empty-title', `No ${plural} yet`),
      cell('p', 'empty-text', `${Plural} you post on ${platform.name} show up here after the next sync.`),
    );

    const footer = cell('div', 'table-footer');
    this.#more = cell('button', 'button button-secondary', 'Load more');
    this.#more.type = 'button';
    this.#more.dataset.testid = 'videos-load-more';
    this.#more.hidden = true;
    this.#more.addEventListener('click', () => this.#fetchPage(false));
    footer.append(this.#more);

    this.#root.replaceChildren(scroller, this.#empty, footer);
    this.#renderHeaders();
  }

  /** Loads the first page again with the current sort. */
  reload() {
    return this.#fetchPage(true);
  }

  /** Empties the table (after a disconnect). */
  clear() {
    this.#generation += 1;
    this.#tbody.replaceChildren();
    this.#cursor = null;
    this.#more.hidden = true;
    this.#empty.hidden = true;
    this.#setCount(null);
  }

  #sortBy(sort) {
    if (this.#sort === sort) this.#order = this.#order === 'desc' ? 'asc' : 'desc';
    else {
      this.#sort = sort;
      this.#order = 'desc';
    }
    this.#renderHeaders();
    this.#fetchPage(true);
  }

  #renderHeaders() {
    for (const [sort, { th, button }] of this.#headers) {
      const active = sort === this.#sort;
      th.setAttribute('aria-sort', active ? (this.#order === 'asc' ? 'ascending' : 'descending') : 'none');
      button.classList.toggle('is-active', active);
      button.querySelector('.sort-indicator').textContent = active ? (this.#order === 'asc' ? '▲' : '▼') : '';
      const label = button.firstElementChild.textContent;
      const next = active && this.#order === 'desc' ? 'ascending' : 'descending';
      button.setAttribute('aria-label', `Sort by ${label.toLowerCase()}, ${next}`);
    }
  }

  #setCount(text) {
    if (this.#count) this.#count.textContent = text || '';
  }

  async #fetchPage(reset) {
    if (this.#loading && !reset) return;
    const generation = reset ? ++this.#generation : this.#generation;
    this.#loading = true;
    this.#table.setAttribute('aria-busy', 'true');
    this.#more.disabled = true;
    this.#more.textContent = 'Loading...';
    try {
      const page = await this.#load({
        sort: this.#sort,
        order: this.#order,
        limit: PAGE_SIZE,
        cursor: reset ? null : this.#cursor,
      });
      if (generation !== this.#generation) return;
      const videos = page && Array.isArray(page.videos) ? page.videos : [];
      if (reset) this.#tbody.replaceChildren();
      for (const video of videos) {
        if (video && video.id !== undefined) this.#tbody.append(videoRow(video, this.#platform));
      }
      this.#cursor = cursorOf(page);
      const rows = this.#tbody.children.length;
      this.#empty.hidden = rows > 0;
      this.#table.parentElement.hidden = rows === 0;
      this.#more.hidden = !this.#cursor;
      this.#setCount(rows ? `${formatCount(rows)} shown` : '');
    } catch (err) {
      if (generation === this.#generation) this.#onError(err);
    } finally {
      if (generation === this.#generation) {
        this.#loading = false;
        this.#table.removeAttribute('aria-busy');
        this.#more.disabled = false;
        this.#more.textContent = 'Load more';
      }
    }
  }
}
