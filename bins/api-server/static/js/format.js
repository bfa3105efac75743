// Number, percentage and time formatting for the dashboard, in the reader's locale.

const integer = new Intl.NumberFormat(undefined, { maximumFractionDigits: 0 });
const compact = new Intl.NumberFormat(undefined, { notation: 'compact', maximumFractionDigits: 1 });
const percentFormats = new Map();
function percentFormat(digits) {
  let format = percentFormats.get(digits);
  if (!format) {
    format = new Intl.NumberFormat(undefined, { style: 'percent', minimumFractionDigits: digits, maximumFractionDigits: digits });
    percentFormats.set(digits, format);
  }
  return format;
}
const signedInteger = new Intl.NumberFormat(undefined, { maximumFractionDigits: 0, signDisplay: 'exceptZero' });
const signedPercentNumber = new Intl.NumberFormat(undefined, { maximumFractionDigits: 2, signDisplay: 'exceptZero' });
const relative = new Intl.RelativeTimeFormat(undefined, { numeric: 'auto' });
const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });
const shortDate = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium' });
const axisDate = new Intl.DateTimeFormat(undefined, { month: 'short', day: 'numeric', timeZone: 'UTC' });
const axisDateWithYear = new Intl.DateTimeFormat(undefined, { month: 'short', year: 'numeric', timeZone: 'UTC' });

/** Shown where a value is unknown (a missing scope, no data). */
export const NO_VALUE = '—';

const isNumber = (value) => typeof value === 'number' && Number.isFinite(value);

/** 12345 -> "12,345". */
export function formatCount(value) {
  return isNumber(value) ? integer.format(value) : NO_VALUE;
}

/** 12345 -> "12.3K"; small numbers stay exact. */
export function formatCompact(value) {
  if (!isNumber(value)) return NO_VALUE;
  return Math.abs(value) < 10000 ? integer.format(value) : compact.format(value);
}

const compactFormats = new Map();
function compactFormat(digits) {
  let format = compactFormats.get(digits);
  if (!format) {
    format = new Intl.NumberFormat(undefined, { notation: 'compact', maximumFractionDigits: digits });
    compactFormats.set(digits, format);
  }
  return format;
}

/**
 * Axis labels for a list of tick values: compact like `formatCompact`, with just enough
 * decimals that no two labels read the same (1,000,000 and 1,025,000 -> "1M", "1.03M", not
 * "1M" twice).
 */
export function formatAxisValues(values) {
  const label = (value, digits) => {
    if (!isNumber(value)) return NO_VALUE;
    return Math.abs(value) < 10000 ? integer.format(value) : compactFormat(digits).format(value);
  };
  let labels = [];
  for (let digits = 1; digits <= 3; digits += 1) {
    labels = values.map((value) => label(value, digits));
    if (new Set(labels).size === labels.length) break;
  }
  return labels;
}

/** A rate given as a fraction (0.0734) -> "7.34%" (`digits` decimals, 2 by default). */
export function formatRate(value, digits = 2) {
  return isNumber(value) ? percentFormat(digits).format(value) : NO_VALUE;
}

/** A growth `{absolute, percent}` (percent already in percent units) -> "+120 (+0.98%)". */
export function formatGrowth(growth) {
  if (!growth || !isNumber(growth.absolute)) return null;
  const abs = signedInteger.format(growth.absolute);
  return isNumber(growth.percent) ? `${abs} (${signedPercentNumber.format(growth.percent)}%)` : abs;
}

const RELATIVE_STEPS = [
  ['year', 365 * 24 * 3600],
  ['month', 30 * 24 * 3600],
  ['week', 7 * 24 * 3600],
  ['day', 24 * 3600],
  ['hour', 3600],
  ['minute', 60],
];

/** An RFC 3339 time -> "5 minutes ago", "yesterday", "just now". */
export function formatRelativeTime(iso, now = Date.now()) {
  const time = Date.parse(iso);
  if (Number.isNaN(time)) return NO_VALUE;
  const secs = Math.round((time - now) / 1000);
  if (Math.abs(secs) < 45) return 'just now';
  for (const [unit, size] of RELATIVE_STEPS) {
    if (Math.abs(secs) >= size) return relative.format(Math.round(secs / size), unit);
  }
  return relative.format(Math.round(secs / 60), 'minute');
}

/** An RFC 3339 time -> "Nov 25, 2026, 3:30 AM" in local time. */
export function formatDateTime(iso) {
  const time = Date.parse(iso);
  return Number.isNaN(time) ? NO_VALUE : dateTime.format(time);
}

/** An RFC 3339 time -> "Nov 25, 2026". */
export function formatDate(iso) {
  const time = Date.parse(iso);
  return Number.isNaN(time) ? NO_VALUE : shortDate.format(time);
}

/** A `YYYY-MM-DD` day -> "Nov 24" (or "Nov 2026" with `withYear`), read as a UTC day. */
export function formatAxisDay(day, withYear = false) {
  const time = Date.parse(`${day}T00:00:00Z`);
  if (Number.isNaN(time)) return day;
  return (withYear ? axisDateWithYear : axisDate).format(time);
}

/** A wait in seconds -> "4 min" or "45 s" (rounded up: never promise too early). */
export function formatWait(secs) {
  if (!isNumber(secs) || secs <= 0) return 'a moment';
  if (secs < 60) return `${Math.ceil(secs)} s`;
  const minutes = Math.ceil(secs / 60);
  if (minutes < 120) return `${minutes} min`;
  return `${Math.ceil(minutes / 60)} h`;
}
