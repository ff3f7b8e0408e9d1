import { AxiosError } from './axios';

import { ApiError, ConnectorError } from '../protocol';

/** The stream name the connection check's request is filed under. */
export const CHECK = 'connection check';

export interface FailedRequest {
  stream: string;
  /** Path and query, e.g. /v1/orders?offset=19&limit=21 — never the credentials. */
  path: string;
  attempts: number;
  /** Set when the API asked for a longer wait than max_retry_wait_seconds allows. */
  retryAfterTooLongMs?: number;
}

/**
 * Turns an axios failure into an error a shop owner can act on. Axios errors
 * carry the request config, including the Authorization header; nothing of
 * them travels further than this function except status, code and a body excerpt.
 */
export function describeError(error: unknown, req: FailedRequest): ConnectorError {
  if (error instanceof ConnectorError) return error;
  const err = error as AxiosError;
  const { stream, path, attempts } = req;
  const who = stream === CHECK ? 'during the connection check' : `for stream '${stream}'`;
  const tries = attempts === 1 ? '1 attempt' : `${attempts} attempts`;
  const res = err.response;
  if (!res) {
    const code = err.code ?? 'network error';
    const timedOut = code === 'ECONNABORTED' || code === 'ETIMEDOUT';
    // base_url holds no credentials (the config refuses them): naming it shows a misspelt one at a glance.
    const url = `${err.config?.baseURL ?? ''}${path}`;
    const noSuchHost = code === 'ENOTFOUND' || code === 'EAI_AGAIN';
    return new ApiError(
      timedOut
        ? `The API did not answer ${path} ${who} in time (${tries}). It may be overloaded; retry the sync later, or raise request_timeout_seconds.`
        : noSuchHost
          ? `Could not reach the API ${who}: the host of ${url} was not found (${code}, ${tries}). Check base_url for a typo, and the network's DNS.`
          : `Could not reach the API ${who} (${code} on ${url}, ${tries}). Check base_url and the network; the sync can be retried.`,
      'transient_error',
      undefined,
      path,
      `GET ${path}: ${code}: ${err.message}`,
      stream
    );
  }
  const status = res.status;
  const internal = `GET ${path} answered HTTP ${status} (${tries}): ${excerpt(res.data)}`;
  const fail = (message: string, type: ConnectorError['failureType']) =>
    new ApiError(message, type, status, path, internal, stream);

  if (req.retryAfterTooLongMs !== undefined) {
    const seconds = Math.ceil(req.retryAfterTooLongMs / 1000);
    return fail(
      `The API answered HTTP ${status} on ${path} ${who} and asked to wait ${seconds} s, longer than max_retry_wait_seconds allows. Retry the sync later, or raise max_retry_wait_seconds.`,
      'transient_error'
    );
  }
  if (status === 401) {
    return fail(
      `The API rejected the credentials (HTTP 401) ${who}. Check api_key and api_secret in the source settings.`,
      'config_error'
    );
  }
  if (status === 403) {
    return fail(
      `The API refused ${path} ${who} (HTTP 403): the credentials were accepted but may not read this data. Grant them access to it in the shop's API settings, or deselect the stream.`,
      'config_error'
    );
  }
  if (status >= 300 && status < 400) {
    return fail(
      `The API redirected ${path} (HTTP ${status}); credentials are never sent across a redirect. Set base_url to the API's final address.`,
      'config_error'
    );
  }
  if (status === 429) {
    return fail(
      `The API kept rate-limiting requests ${who} (HTTP 429 on ${path}, ${tries}). Lower rate_limit_per_second, or retry the sync later.`,
      'transient_error'
    );
  }
  if (status >= 500) {
    return fail(
      `The API failed with HTTP ${status} on ${path} ${who} (${tries}). This is usually temporary; retry the sync later.`,
      'transient_error'
    );
  }
  if (status >= 200 && status < 300) {
    return fail(
      `The API answered ${path} ${who} with HTTP ${status} but ${bodyKind(res.data)} instead of a list of records (${tries}).`,
      'system_error'
    );
  }
  return fail(
    `The API refused ${path} ${who} with HTTP ${status}${status === 404 ? ' (not found: check base_url)' : ''}.`,
    'system_error'
  );
}

function bodyKind(body: unknown): string {
  if (typeof body === 'string') return body.trim() === '' ? 'an empty body' : 'a body that is not JSON';
  if (body && typeof body === 'object') {
    return `a JSON object without a 'data' list (keys: ${Object.keys(body).slice(0, 5).join(', ') || 'none'})`;
  }
  return `the JSON value ${JSON.stringify(body)}`;
}

function excerpt(body: unknown): string {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  return (text ?? '').slice(0, 300);
}
