// The TikTok note, built with DOM APIs (no innerHTML, nothing fetched) so it can be used inside
// shadow roots and under a strict CSP.

const SVG_NS = 'http://www.w3.org/2000/svg';
const NOTE_PATH =
  'M19.59 6.69a4.83 4.83 0 01-3.77-4.25V2h-3.45v13.67a2.89 2.89 0 01-5.2 1.74 2.89 2.89 0 ' +
  '012.31-4.64 2.93 2.93 0 01.88.13V9.4a6.84 6.84 0 00-1-.05A6.33 6.33 0 005 20.1a6.34 6.34 0 ' +
  '0010.86-4.43v-7a8.16 8.16 0 004.77 1.52v-3.4a4.85 4.85 0 01-1-.1z';

function notePath(fill, dx, dy) {
  const path = document.createElementNS(SVG_NS, 'path');
  path.setAttribute('d', NOTE_PATH);
  path.setAttribute('fill', fill);
  if (dx || dy) path.setAttribute('transform', `translate(${dx} ${dy})`);
  return path;
}

/**
 * Returns a decorative (aria-hidden) TikTok logo as an <svg> element.
 * `variant`: "brand" (cyan and red offsets around a white note, for dark backgrounds),
 * "brand-light" (the same around a black note, for light backgrounds) or "mono" (currentColor).
 */
export function createTikTokLogo({ size = 20, variant = 'brand', className = '' } = {}) {
  const svg = document.createElementNS(SVG_NS, 'svg');
  svg.setAttribute('viewBox', '0 0 24 24');
  svg.setAttribute('width', String(size));
  svg.setAttribute('height', String(size));
  svg.setAttribute('aria-hidden', 'true');
  svg.setAttribute('focusable', 'false');
  if (className) svg.setAttribute('class', className);
  if (variant === 'mono') {
    svg.append(notePath('currentColor', 0, 0));
  } else {
    svg.append(
      notePath('#25F4EE', -0.7, -0.7),
      notePath('#FE2C55', 0.7, 0.7),
      notePath(variant === 'brand-light' ? '#000000' : '#FFFFFF', 0, 0),
    );
  }
  return svg;
}
