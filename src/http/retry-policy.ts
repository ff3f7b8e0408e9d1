import { setTimeout as sleep } from 'node:timers/promises';

import { AxiosError } from './axios';

/** Statuses worth another try: throttling and the server's own transient failures. */
export const RETRY_STATUSES: ReadonlySet<number> = new Set([429, 500, 502, 503, 504]);

/**
 * The wait a Retry-After header asks for, in ms: delta-seconds or an HTTP date
 * (RFC 9110 §10.2.3). Undefined when absent, unparseable, zero or in the past,
 * so the caller falls back to its own backoff.
 */
export function retryAfterMs(header: unknown, now: number = Date.now()): number | undefined {
  if (typeof header !== 'string' || header.trim() === '') return undefined;
  const value = header.trim();
  const ms = /^-?\d+(\.\d+)?$/.test(value) ? Number(value) * 1000 : Date.parse(value) - now;
  return Number.isFinite(ms) && ms > 0 ? Math.ceil(ms) : undefined;
}

/** factor^attempt seconds (attempt counts from 1), plus up to 20 % jitter so parallel retries spread out. */
export function backoffMs(attempt: number, factor: number, random: () => number = Math.random): number {
  const base = Math.pow(factor, attempt) * 1000;
  return Math.round(base * (1 + 0.2 * random()));
}

/** A 2xx answer whose body is a list the connector can read: `{"data": [...]}` or a bare array. */
export function isListBody(body: unknown): boolean {
  if (Array.isArray(body)) return true;
  return typeof body === 'object' && body !== null && Array.isArray((body as { data?: unknown }).data);
}

/** No answer at all: refused, reset, cut off mid-body, or timed out. */
export function isNetworkError(error: AxiosError): boolean {
  return !error.response;
}

/** Whether one more attempt may succeed. A 2xx reaching here failed body validation. */
export function isRetriable(error: AxiosError): boolean {
  if (isNetworkError(error)) return true;
  const status = error.response!.status;
  return RETRY_STATUSES.has(status) || (status >= 200 && status < 300);
}

/**
 * The one way a 404 is asked again before it is believed. A 404 can be a
 * proxy's or cache's hiccup while the record is there, and believing it would
 * cost data; so what answered 404 (`notFound`, asked once already) is asked
 * again after the same backoff as any retry (the attempt-th), up to `retries`
 * rounds, all of a round's keys after one wait. `before` sees each round's keys
 * and wait first, and may end it by throwing. `ask` resolves undefined for a 404.
 * Returns what came back, and the keys that answered 404 every time.
 */
export async function askAgainAfter404<K, T>(
  notFound: K[],
  ask: (key: K) => Promise<T | undefined>,
  options: { retries: number; backoffFactor: number; before?: (keys: K[], attempt: number, waitMs: number) => Promise<void> | void }
): Promise<{ found: T[]; notFound: K[] }> {
  const found: T[] = [];
  let missing = notFound;
  for (let attempt = 1; attempt <= options.retries && missing.length > 0; attempt++) {
    const wait = backoffMs(attempt, options.backoffFactor);
    await options.before?.(missing, attempt, wait);
    await sleep(wait);
    const again: K[] = [];
    for (const key of missing) {
      const answer = await ask(key);
      if (answer === undefined) again.push(key);
      else found.push(answer);
    }
    missing = again;
  }
  return { found, notFound: missing };
}
