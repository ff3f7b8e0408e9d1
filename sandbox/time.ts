import { Random } from './prng';

/** Generated data lives in 2023-2024; mutations later move the clock beyond it. */
export const START = Date.UTC(2023, 0, 1);
export const END = Date.UTC(2024, 11, 31, 23, 59, 59);

const MINUTE = 60_000;

/**
 * Catalogue-wide edits ("Black Friday repricing") stamp many records with the
 * exact same updated time: a realistic source of cursor ties.
 */
const BULK_EDITS = [Date.UTC(2023, 10, 24, 9), Date.UTC(2024, 5, 1), Date.UTC(2024, 10, 29, 9)];

/** ISO 8601 in UTC with a Z and no milliseconds, as the seed API sends it. */
export function iso(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const pad = (n: number) => String(n).padStart(2, '0');

/**
 * RFC 2822 as the vendor sends it, e.g. "Tue, 05 Mar 2024 10:15:00 +0000".
 * With a non-zero offset the wall clock (and maybe the date) moves, the instant does not.
 */
export function rfc2822(ms: number, offsetMinutes = 0): string {
  const d = new Date(ms + offsetMinutes * MINUTE);
  const sign = offsetMinutes < 0 ? '-' : '+';
  const abs = Math.abs(offsetMinutes);
  return (
    `${DAYS[d.getUTCDay()]}, ${pad(d.getUTCDate())} ${MONTHS[d.getUTCMonth()]} ${d.getUTCFullYear()} ` +
    `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} ` +
    `${sign}${pad(Math.floor(abs / 60))}${pad(abs % 60)}`
  );
}

/**
 * n creation times between from and to, roughly ascending, whole seconds.
 * Ties are forced (second record, last record, then every 12th) and also
 * random, so every incremental stream has records sharing a cursor value.
 * A few records step back in time: ids and timestamps need not agree.
 */
export function timeline(rnd: Random, n: number, from: number, to: number): number[] {
  const step = Math.max(1000, (to - from) / Math.max(n, 1));
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const forcedTie = i === 1 || (i === n - 1 && n >= 4) || i % 12 === 7;
    if (i > 0 && (forcedTie || rnd.chance(0.05))) {
      out.push(out[i - 1]);
      continue;
    }
    let t = from + step * i + rnd.next() * step;
    if (i > 0 && rnd.chance(0.03)) t -= rnd.next() * 2 * step;
    out.push(Math.round(Math.min(to, Math.max(from, t)) / 1000) * 1000);
  }
  return out;
}

/** When a record was last edited: never, in a bulk edit, or some time later. */
export function lastEdit(rnd: Random, created: number): number {
  const roll = rnd.next();
  if (roll < 0.3) return created;
  if (roll < 0.45) {
    const bulk = BULK_EDITS.find((b) => b >= created);
    if (bulk !== undefined) return bulk;
  }
  return Math.min(END, created + rnd.int(1, 120 * 24 * 60) * MINUTE);
}
