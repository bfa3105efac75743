// The YouTube glyph (the rounded play button), built with DOM APIs (no innerHTML, nothing
// fetched) so it can be used inside shadow roots and under a strict CSP.

const SVG_NS = 'http://www.w3.org/2000/svg';

function element(name, attributes) {
  const el = document.createElementNS(SVG_NS, name);
  for (const [key, value] of Object.entries(attributes)) el.setAttribute(key, String(value));
  return el;
}

/**
 * Returns a decorative (aria-hidden) YouTube glyph as an <svg> element.
 * `variant`: "brand" (YouTube red with a white triangle), "white" (a white button with a red
 * triangle, for the red connect button) or "mono" (currentColor with a transparent triangle).
 */
export function createYouTubeLogo({ size = 20, variant = 'brand', className = '' } = {}) {
  const svg = element('svg', {
    viewBox: '0 0 28 20',
    width: size,
    height: Math.round((size * 20) / 28),
    'aria-hidden': 'true',
    focusable: 'false',
  });
  if (className) svg.setAttribute('class', className);
  const colours = {
    brand: ['#FF0000', '#FFFFFF'],
    white: ['#FFFFFF', '#FF0000'],
    mono: ['currentColor', 'transparent'],
  };
  const [body, play] = colours[variant] || colours.brand;
  svg.append(
    element('rect', { x: 0, y: 0, width: 28, height: 20, rx: 5.5, fill: body }),
    element('path', { d: 'M11.2 5.7 L19 10 L11.2 14.3 Z', fill: play }),
  );
  return svg;
}
