// The combined overview (`GET /api/analytics`): followers, views and interactions summed over
// every connected platform, each platform's share, and the two combined charts.

import { formatCompact, formatCount } from './format.js';
import { GrowthChart } from './growth-chart.js';
import { platformInfo } from './platforms.js';

export class CombinedOverview {
  #root;
  #charts;

  constructor(root) {
    this.#root = root;
    this.#charts = {
      followers: new GrowthChart(root.querySelector('[data-testid="combined-chart-followers"]'), {
        key: 'followers',
        label: 'Followers, all platforms',
      }),
      views: new GrowthChart(root.querySelector('[data-testid="combined-chart-views"]'), {
        key: 'views',
        label: 'Views, all platforms',
      }),
    };
  }

  #field(name) {
    return this.#root.querySelector(`[data-field="${name}"]`);
  }

  /** Shows the overview answer (`OverviewView`) for `days`. */
  render(overview, days) {
    const current = overview && overview.current ? overview.current : null;
    const combined = current ? current.combined : {};
    const stat = (name, value) => {
      const el = this.#field(`combined-${name}`);
      el.textContent = formatCompact(value);
      el.title = typeof value === 'number' ? formatCount(value) : 'Not known yet';
    };
    stat('followers', combined.followers);
    stat('views', combined.views);
    stat('interactions', combined.interactions);
    this.#field('combined-period').textContent = `last ${days} days`;

    // Each platform's part of today's sum, in words (a screen reader reads it as one line).
    const split = this.#field('combined-split');
    const parts = current ? Object.entries(current.platforms || {}) : [];
    split.replaceChildren(
      ...parts.map(([platform, counters]) => {
        const item = document.createElement('span');
        item.className = 'combined-part';
        item.dataset.platform = platform;
        const info = platformInfo(platform);
        const mark = document.createElement('span');
        mark.className = 'combined-mark';
        mark.setAttribute('aria-hidden', 'true');
        mark.append(info.logo({ size: 14, variant: 'brand' }));
        const followers = typeof counters.followers === 'number' ? formatCount(counters.followers) : '—';
        item.append(mark, `${info.name}: ${followers} ${info.followerNoun || 'followers'}`);
        return item;
      }),
    );

    const series = (overview && Array.isArray(overview.series) ? overview.series : []).map((point) => ({
      date: point.date,
      followers: point.combined ? point.combined.followers : null,
      views: point.combined ? point.combined.views : null,
    }));
    this.#charts.followers.update(series);
    this.#charts.views.update(series);
  }
}
