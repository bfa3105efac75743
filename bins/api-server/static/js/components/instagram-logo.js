// The Instagram glyph (the rounded camera), built with DOM APIs (no innerHTML, nothing fetched)
// so it can be used inside shadow roots and under a strict CSP.

const SVG_NS = 'http://www.w3.org/2000/svg';

let gradientCount = 0;

function element(name, attributes) {
  const el = document.createElementNS(SVG_NS, name);
  for (const [key, value] of Object.entries(attributes)) el.setAttribute(key, String(value));
  return el;
}

/**
 * Returns a decorative (aria-hidden) Instagram glyph as an <svg> element.
 * `variant`: "brand" (the glyph in Instagram's gradient), "white" (for the gradient button) or
 * "mono" (currentColor).
 */
export function createInstagramLogo({ size = 20, variant = 'brand', className = '' } = {}) {
  const svg = element('svg', {
    viewBox: '0 0 24 24',
    width: size,
    height: size,
    'aria-hidden': 'true',
    focusable: 'false',
  });
  if (className) svg.setAttribute('class', className);
  let stroke = 'currentColor';
  if (variant === 'white') stroke = '#ffffff';
  if (variant === 'brand') {
    // Each logo gets its own gradient id: several logos can share one document.
    gradientCount += 1;
    const id = `instagram-gradient-${gradientCount}`;
    const defs = element('defs', {});
    const gradient = element('linearGradient', { id, x1: '0', y1: '1', x2: '1', y2: '0' });
    const stops = [
      ['0', '#FEDA75'],
      ['0.25', '#FA7E1E'],
      ['0.5', '#D62976'],
      ['0.75', '#962FBF'],
      ['1', '#4F5BD5'],
    ];
    for (const [offset, color] of stops) gradient.append(element('stop', { offset, 'stop-color': color }));
    defs.append(gradient);
    svg.append(defs);
    stroke = `url(#${id})`;
  }
  const common = { fill: 'none', stroke, 'stroke-width': 2 };
  svg.append(
    element('rect', { x: 3, y: 3, width: 18, height: 18, rx: 5, ...common }),
    element('circle', { cx: 12, cy: 12, r: 4.2, ...common }),
    element('circle', { cx: 17.3, cy: 6.7, r: 1.1, fill: stroke === 'currentColor' ? 'currentColor' : stroke }),
  );
  return svg;
}
