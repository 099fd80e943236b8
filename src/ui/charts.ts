import type { ExecutionStatus } from '../core/execution.js';
import type { StatsBucket } from '../core/run-stats.js';
import type { HtmlFragment } from './html.js';
import { html } from './html.js';

/**
 * How each status is drawn: a colour and, for readers who cannot tell the colours apart (or print in
 * grey), a texture of its own. Listed in stacking order, bottom first; the legend uses the same order.
 */
const STATUS_STYLES: readonly { status: ExecutionStatus; color: string; texture: Texture }[] = [
  { status: 'succeeded', color: '#16a34a', texture: 'solid' },
  { status: 'failed', color: '#dc2626', texture: 'stripes' },
  { status: 'timed_out', color: '#ea580c', texture: 'crosshatch' },
  { status: 'error', color: '#7e22ce', texture: 'dots' },
  { status: 'abandoned', color: '#b45309', texture: 'horizontal' },
  { status: 'cancelled', color: '#4b5563', texture: 'vertical' },
  { status: 'rejected', color: '#9f1239', texture: 'backstripes' },
  { status: 'expired', color: '#78716c', texture: 'grid' },
  { status: 'running', color: '#2563eb', texture: 'backstripes' },
  { status: 'accepted', color: '#6b7280', texture: 'dots' },
  { status: 'pending_approval', color: '#ca8a04', texture: 'grid' },
  { status: 'unmatched', color: '#9ca3af', texture: 'horizontal' },
  { status: 'skipped', color: '#a8a29e', texture: 'vertical' },
];

type Texture = 'solid' | 'stripes' | 'backstripes' | 'crosshatch' | 'dots' | 'horizontal' | 'vertical' | 'grid';

/** `timed_out` → `timed out`. */
export const statusLabel = (status: string) => status.replaceAll('_', ' ');

const TEXTURES: Record<Texture, HtmlFragment | ''> = {
  solid: '',
  stripes: html`<path d="M-1,1 l2,-2 M0,6 l6,-6 M5,7 l2,-2" stroke="#fff" stroke-width="1.6"/>`,
  backstripes: html`<path d="M-1,5 l2,2 M0,0 l6,6 M5,-1 l2,2" stroke="#fff" stroke-width="1.6"/>`,
  crosshatch: html`<path d="M0,6 l6,-6 M0,0 l6,6" stroke="#fff" stroke-width="1"/>`,
  dots: html`<circle cx="3" cy="3" r="1.3" fill="#fff"/>`,
  horizontal: html`<path d="M0,3 h6" stroke="#fff" stroke-width="1.5"/>`,
  vertical: html`<path d="M3,0 v6" stroke="#fff" stroke-width="1.5"/>`,
  grid: html`<path d="M0,3 h6 M3,0 v6" stroke="#fff" stroke-width="1"/>`,
};

/** One `<pattern>` per status, defined once per page and used by every chart and legend on it. */
export function statusPatterns(): HtmlFragment {
  const patterns = STATUS_STYLES.map(
    (s) => html`<pattern id="fill-${s.status}" width="6" height="6" patternUnits="userSpaceOnUse">
<rect width="6" height="6" fill="${s.color}"/>${TEXTURES[s.texture]}</pattern>`,
  );
  return html`<svg width="0" height="0" class="defs" aria-hidden="true" focusable="false"><defs>${patterns}</defs></svg>`;
}

/** The statuses that occur in `buckets`, in stacking order. */
export function statusesIn(buckets: readonly StatsBucket[]): ExecutionStatus[] {
  return STATUS_STYLES.map((s) => s.status).filter((status) => buckets.some((b) => (b.byStatus[status] ?? 0) > 0));
}

/** A swatch and a name per status: the key to the chart's textures, as text a screen reader reads too. */
export function statusLegend(statuses: readonly ExecutionStatus[], totals: Partial<Record<string, number>>) {
  const items = statuses.map(
    (
      status,
    ) => html`<li><svg width="18" height="14" aria-hidden="true" focusable="false"><rect width="18" height="14" fill="url(#fill-${status})" stroke="currentColor" stroke-width="1"/></svg>
${statusLabel(status)} <span class="muted">(${totals[status] ?? 0})</span></li>`,
  );
  return html`<ul class="legend" aria-label="Legend, bottom of each bar first">${items}</ul>`;
}

const WIDTH = 720;
const HEIGHT = 240;
const PLOT = { left: 44, right: 8, top: 16, bottom: 40 };

/** A round step for `max` split in about four: 1, 2, 5, 10, 20, 50... */
function tickStep(max: number): number {
  const raw = Math.max(1, max / 4);
  const power = 10 ** Math.floor(Math.log10(raw));
  return ([1, 2, 5, 10].find((m) => m * power >= raw) ?? 10) * power;
}

export interface StackedBarsOptions {
  readonly id: string;
  /** The chart's name, also its `<title>`. */
  readonly title: string;
  /** What the chart says in words, its `<desc>`. */
  readonly description: string;
  readonly buckets: readonly StatsBucket[];
  readonly statuses: readonly ExecutionStatus[];
  /** The bucket's name on the axis and in each bar's tooltip (`14:00`, `05-01`). */
  readonly label: (bucket: StatsBucket) => string;
}

/**
 * Runs by status over time: one bar per bucket, one textured segment per status, each with a `<title>`
 * giving its numbers; the bar's total is written above it when there is room.
 */
export function stackedBars(options: StackedBarsOptions): HtmlFragment {
  const { buckets, statuses } = options;
  const max = Math.max(1, ...buckets.map((b) => b.total));
  const step = tickStep(max);
  const top = Math.ceil(max / step) * step;
  const plotWidth = WIDTH - PLOT.left - PLOT.right;
  const plotHeight = HEIGHT - PLOT.top - PLOT.bottom;
  const slot = plotWidth / Math.max(1, buckets.length);
  const barWidth = Math.max(2, slot * 0.7);
  const y = (value: number) => PLOT.top + plotHeight - (value / top) * plotHeight;
  const ticks = Array.from({ length: Math.round(top / step) + 1 }, (_, i) => i * step);
  const labelEvery = Math.ceil(buckets.length / 12);
  const showTotals = buckets.length <= 31;
  const bars = buckets.map((bucket, i) => {
    const x = PLOT.left + i * slot + (slot - barWidth) / 2;
    let base = 0;
    const segments = statuses.map((status) => {
      const n = bucket.byStatus[status] ?? 0;
      if (n === 0) return '';
      const segment = html`<rect x="${x.toFixed(1)}" y="${y(base + n).toFixed(1)}" width="${barWidth.toFixed(1)}" height="${(y(base) - y(base + n)).toFixed(1)}" fill="url(#fill-${status})" stroke="currentColor" stroke-width="0.5"><title>${options.label(bucket)}: ${n} ${statusLabel(status)}</title></rect>`;
      base += n;
      return segment;
    });
    const total =
      showTotals && bucket.total > 0
        ? html`<text x="${(x + barWidth / 2).toFixed(1)}" y="${(y(bucket.total) - 3).toFixed(1)}" text-anchor="middle" class="bar-total">${bucket.total}</text>`
        : '';
    const axisLabel =
      i % labelEvery === 0
        ? html`<text x="${(x + barWidth / 2).toFixed(1)}" y="${HEIGHT - PLOT.bottom + 14}" text-anchor="middle">${options.label(bucket)}</text>`
        : '';
    return html`<g class="bar">${segments}${total}${axisLabel}</g>`;
  });
  const grid = ticks.map(
    (
      v,
    ) => html`<line x1="${PLOT.left}" x2="${WIDTH - PLOT.right}" y1="${y(v).toFixed(1)}" y2="${y(v).toFixed(1)}" class="gridline"/>
<text x="${PLOT.left - 6}" y="${(y(v) + 4).toFixed(1)}" text-anchor="end">${v}</text>`,
  );
  return html`<svg id="${options.id}" class="chart" viewBox="0 0 ${WIDTH} ${HEIGHT}" role="img" aria-labelledby="${options.id}-title ${options.id}-desc">
<title id="${options.id}-title">${options.title}</title>
<desc id="${options.id}-desc">${options.description}</desc>
${grid}
${bars}
<text x="${PLOT.left}" y="${HEIGHT - 6}" class="axis-name">runs per ${buckets.length > 0 ? 'bucket' : 'range'}, by request time (UTC)</text>
</svg>`;
}

/**
 * A number drawn as a bar beside its value, for tables: the value is the text of the cell, the bar only
 * shows it at a glance (hidden from screen readers, which read the number).
 */
export function inlineBar(fraction: number, text: string, texture: ExecutionStatus = 'succeeded'): HtmlFragment {
  const width = Math.max(0, Math.min(1, fraction)) * 100;
  return html`<span class="inline-bar"><svg viewBox="0 0 100 10" preserveAspectRatio="none" aria-hidden="true" focusable="false"><rect width="100" height="10" class="bar-track"/><rect width="${width.toFixed(1)}" height="10" fill="url(#fill-${texture})"/></svg><span class="bar-value">${text}</span></span>`;
}
