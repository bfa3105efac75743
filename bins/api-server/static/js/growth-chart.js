// A line chart of one daily series (followers or views), drawn as inline SVG at the width of its
// container. Readable with one point (a dot and its value) up to 365 points (thinned labels).

import { formatAxisDay, formatAxisValues, formatCount } from './format.js';

const SVG_NS = 'http://www.w3.org/2000/svg';
const HEIGHT = 220;
const PAD = { top: 18, right: 18, bottom: 30 };
const MIN_LABEL_SPACING_PX = 78;
const DAY_MS = 86_400_000;

function svgEl(name, attrs = {}) {
  const el = document.createElementNS(SVG_NS, name);
  for (const [key, value] of Object.entries(attrs)) el.setAttribute(key, String(value));
  return el;
}

function dayTime(day) {
  return Date.parse(`${day}T00:00:00Z`);
}

/** Round tick values covering [min, max], about `count` of them. */
export function niceTicks(min, max, count = 4) {
  const nonNegative = min >= 0;
  if (min === max) {
    const pad = Math.max(1, Math.abs(min) * 0.05);
    min -= pad;
    max += pad;
  }
  const rawStep = (max - min) / count;
  const magnitude = 10 ** Math.floor(Math.log10(rawStep));
  // Counts are whole numbers: never a tick at 0.25 followers.
  const step = Math.max(1, [1, 2, 2.5, 5, 10].map((m) => m * magnitude).find((s) => s >= rawStep) ?? 10 * magnitude);
  const start = Math.floor(min / step) * step;
  const ticks = [];
  for (let value = start; value <= max + step * 1e-9; value += step) ticks.push(Math.round(value * 1e6) / 1e6);
  if (ticks[ticks.length - 1] < max) ticks.push(ticks[ticks.length - 1] + step);
  // Counts are never negative: do not draw a -5 followers line.
  return nonNegative ? ticks.filter((t) => t >= 0) : ticks;
}

/** Which of `count` points get an x-axis label, evenly spread, always the first and the last. */
export function labelIndices(count, maxLabels) {
  if (count <= 0) return [];
  if (count === 1) return [0];
  const slots = Math.max(2, Math.min(count, maxLabels));
  const step = Math.ceil((count - 1) / (slots - 1));
  const indices = [];
  for (let i = 0; i < count; i += step) indices.push(i);
  const last = count - 1;
  // Drop a label crowding the last one.
  if (indices[indices.length - 1] !== last) {
    if (last - indices[indices.length - 1] < step / 2) indices.pop();
    indices.push(last);
  }
  return indices;
}

/**
 * One chart. `key` is the series field ("followers" or "views"), `label` its name.
 * Call `update(points)` with the analytics `series`; it redraws on resize by itself.
 */
export class GrowthChart {
  #host;
  #key;
  #label;
  #points = [];
  #observer;
  #width = 0;
  #emptyMessage = null;

  constructor(host, { key, label }) {
    this.#host = host;
    this.#key = key;
    this.#label = label;
    this.#observer = new ResizeObserver(() => {
      const width = Math.floor(this.#host.clientWidth);
      if (width !== this.#width) this.#draw();
    });
    this.#observer.observe(host);
  }

  /**
   * Replaces the data and redraws. `emptyMessage` replaces the default text shown when no point
   * has a value (say, follower counts withheld for want of a scope).
   */
  update(series, emptyMessage = null) {
    this.#emptyMessage = emptyMessage;
    this.#points = (Array.isArray(series) ? series : [])
      .filter((p) => p && typeof p.date === 'string' && typeof p[this.#key] === 'number' && !Number.isNaN(dayTime(p.date)))
      .map((p) => ({ date: p.date, time: dayTime(p.date), value: p[this.#key] }));
    this.#draw();
  }

  #draw() {
    const width = Math.max(240, Math.floor(this.#host.clientWidth));
    this.#width = Math.floor(this.#host.clientWidth);
    const points = this.#points;
    if (points.length === 0) {
      const empty = document.createElement('p');
      empty.className = 'chart-empty';
      empty.textContent =
        this.#emptyMessage || `No ${this.#label.toLowerCase()} history yet: it builds up with each daily sync.`;
      this.#host.replaceChildren(empty);
      return;
    }

    const values = points.map((p) => p.value);
    const ticks = niceTicks(Math.min(...values), Math.max(...values));
    const yMin = ticks[0];
    const yMax = ticks[ticks.length - 1];
    const tickLabels = formatAxisValues(ticks);
    const left = 14 + 7.5 * Math.max(...tickLabels.map((t) => t.length));
    const plotW = width - left - PAD.right;
    const plotH = HEIGHT - PAD.top - PAD.bottom;
    const t0 = points[0].time;
    const t1 = points[points.length - 1].time;
    const x = (time) => (t1 === t0 ? left + plotW / 2 : left + ((time - t0) / (t1 - t0)) * plotW);
    const y = (value) => PAD.top + plotH - ((value - yMin) / (yMax - yMin)) * plotH;

    const first = points[0];
    const last = points[points.length - 1];
    const summary =
      points.length === 1
        ? `${this.#label}: ${formatCount(first.value)} on ${formatAxisDay(first.date, true)}; one day of data so far.`
        : `${this.#label} from ${formatCount(first.value)} on ${formatAxisDay(first.date)} to ` +
          `${formatCount(last.value)} on ${formatAxisDay(last.date)}, ${points.length} days of data.`;
    const svg = svgEl('svg', {
      width,
      height: HEIGHT,
      viewBox: `0 0 ${width} ${HEIGHT}`,
      role: 'img',
      'aria-label': summary,
      class: `chart chart-${this.#key}`,
    });

    const grid = svgEl('g', { class: 'chart-grid' });
    ticks.forEach((tick, i) => {
      const ty = y(tick);
      grid.append(svgEl('line', { x1: left, x2: width - PAD.right, y1: ty, y2: ty }));
      const label = svgEl('text', { x: left - 8, y: ty, 'text-anchor': 'end', 'dominant-baseline': 'middle', class: 'chart-axis' });
      label.textContent = tickLabels[i];
      grid.append(label);
    });
    svg.append(grid);

    const spanDays = (t1 - t0) / DAY_MS;
    const withYear = spanDays > 200;
    const maxLabels = Math.max(2, Math.floor(plotW / MIN_LABEL_SPACING_PX));
    const xAxis = svgEl('g', { class: 'chart-x' });
    for (const i of labelIndices(points.length, maxLabels)) {
      const p = points[i];
      const anchor = points.length === 1 ? 'middle' : i === 0 ? 'start' : i === points.length - 1 ? 'end' : 'middle';
      const label = svgEl('text', { x: x(p.time), y: HEIGHT - 8, 'text-anchor': anchor, class: 'chart-axis' });
      label.textContent = formatAxisDay(p.date, withYear);
      xAxis.append(label);
    }
    svg.append(xAxis);

    if (points.length > 1) {
      const line = points.map((p, i) => `${i === 0 ? 'M' : 'L'}${x(p.time).toFixed(1)},${y(p.value).toFixed(1)}`).join('');
      const base = y(yMin).toFixed(1);
      const area = `${line}L${x(last.time).toFixed(1)},${base}L${x(first.time).toFixed(1)},${base}Z`;
      svg.append(svgEl('path', { d: area, class: 'chart-area' }), svgEl('path', { d: line, class: 'chart-line' }));
    }

    // Dots while they stay apart; always the last one.
    const dots = svgEl('g', { class: 'chart-dots' });
    const showAll = plotW / points.length >= 10;
    points.forEach((p, i) => {
      if (!showAll && i !== points.length - 1) return;
      const dot = svgEl('circle', { cx: x(p.time), cy: y(p.value), r: points.length === 1 ? 5 : 3.5, class: 'chart-dot' });
      const title = svgEl('title');
      title.textContent = `${formatAxisDay(p.date, true)}: ${formatCount(p.value)}`;
      dot.append(title);
      dots.append(dot);
    });
    svg.append(dots);

    if (points.length === 1) {
      const value = svgEl('text', { x: x(first.time), y: y(first.value) - 14, 'text-anchor': 'middle', class: 'chart-value' });
      value.textContent = formatCount(first.value);
      svg.append(value);
    }

    this.#addHover(svg, points, x, y, left, width);
    this.#host.replaceChildren(svg);
  }

  // A crosshair with the nearest day's value under the pointer.
  #addHover(svg, points, x, y, left, width) {
    if (points.length < 2) return;
    const guide = svgEl('g', { class: 'chart-hover', visibility: 'hidden' });
    const rule = svgEl('line', { y1: PAD.top, y2: HEIGHT - PAD.bottom });
    const dot = svgEl('circle', { r: 5, class: 'chart-dot' });
    const bubble = svgEl('text', { class: 'chart-hover-label', 'text-anchor': 'middle' });
    guide.append(rule, dot, bubble);
    svg.append(guide);
    svg.addEventListener('pointermove', (event) => {
      const box = svg.getBoundingClientRect();
      const px = ((event.clientX - box.left) / box.width) * width;
      let nearest = points[0];
      for (const p of points) if (Math.abs(x(p.time) - px) < Math.abs(x(nearest.time) - px)) nearest = p;
      const cx = x(nearest.time);
      const cy = y(nearest.value);
      rule.setAttribute('x1', cx);
      rule.setAttribute('x2', cx);
      dot.setAttribute('cx', cx);
      dot.setAttribute('cy', cy);
      bubble.textContent = `${formatAxisDay(nearest.date)}: ${formatCount(nearest.value)}`;
      const half = 70;
      bubble.setAttribute('x', Math.min(Math.max(cx, left + half), width - PAD.right - half));
      bubble.setAttribute('y', Math.max(PAD.top - 4, cy - 12));
      guide.setAttribute('visibility', 'visible');
    });
    svg.addEventListener('pointerleave', () => guide.setAttribute('visibility', 'hidden'));
  }
}
