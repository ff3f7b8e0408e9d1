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
