// Times in the customer's time zone (the API speaks UTC). Dates in the
// filters are calendar days of that zone, sent as YYYY-MM-DD with the
// `time_zone` parameter, which the API reads the same way.

const ZONE_KEY = 'order-ledger.time-zone';
export const DEFAULT_ZONE = 'Asia/Shanghai';
export const ZONES = [
  'Asia/Shanghai',
  'Asia/Singapore',
  'Asia/Tokyo',
  'Asia/Kolkata',
  'UTC',
  'Europe/London',
  'Europe/Berlin',
  'America/New_York',
  'America/Los_Angeles',
];

export function zone() {
  const z = sessionStorage.getItem(ZONE_KEY);
  return ZONES.includes(z) ? z : DEFAULT_ZONE;
}

export function setZone(z) {
  sessionStorage.setItem(ZONE_KEY, ZONES.includes(z) ? z : DEFAULT_ZONE);
}

function parts(date, tz) {
  const f = new Intl.DateTimeFormat('en-CA', {
    timeZone: tz,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  });
  const p = {};
  for (const { type, value } of f.formatToParts(date)) p[type] = value;
  return p;
}

/** `YYYY-MM-DD HH:mm` in the zone; '—' for none. */
export function minute(iso, tz = zone()) {
  if (!iso) return '—';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const p = parts(d, tz);
  return `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}`;
}

/** `YYYY-MM-DD` of an instant in the zone. */
export function day(iso, tz = zone()) {
  if (!iso) return '—';
  const p = parts(new Date(iso), tz);
  return `${p.year}-${p.month}-${p.day}`;
}

/** Today's date in the zone. */
export function today(tz = zone()) {
  return day(new Date().toISOString(), tz);
}

function shift(ymd, f) {
  const [y, m, d] = ymd.split('-').map(Number);
  const t = new Date(Date.UTC(y, m - 1, d));
  f(t);
  return t.toISOString().slice(0, 10);
}

export const addDays = (ymd, n) => shift(ymd, (t) => t.setUTCDate(t.getUTCDate() + n));

/** The same day `n` months before (clamped to the month's end). */
export function monthsBefore(ymd, n) {
  const [y, m, d] = ymd.split('-').map(Number);
  const first = new Date(Date.UTC(y, m - 1 - n, 1));
  const last = new Date(Date.UTC(first.getUTCFullYear(), first.getUTCMonth() + 1, 0)).getUTCDate();
  first.setUTCDate(Math.min(d, last));
  return first.toISOString().slice(0, 10);
}

/** The first day of the current month in the zone. */
export function monthStart(tz = zone()) {
  return `${today(tz).slice(0, 8)}01`;
}

/** The zone's short name, e.g. "GMT+8". */
export function zoneLabel(tz = zone()) {
  const f = new Intl.DateTimeFormat('en-US', { timeZone: tz, timeZoneName: 'short' });
  const p = f.formatToParts(new Date()).find((x) => x.type === 'timeZoneName');
  return p ? `${tz} (${p.value})` : tz;
}
