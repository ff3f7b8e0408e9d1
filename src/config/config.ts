import { ConfigError, MIN_CREDENTIAL_LENGTH } from '../protocol';
// The file, not '../read': every command loads the config, spec too, which needs no read path.
import { toIsoUtc } from '../read/dialect';
import { likelyMeant } from './nearest-name';
import { plainHttpVerdict } from './plain-http-policy';

/** The connector's configuration, as validated from the user's JSON (see resources/spec.json). */
export type Config = {
  readonly api_key: string;
  readonly api_secret: string;
  readonly base_url: string;
  readonly start_date?: string;
  readonly page_size: number;
  readonly page_size_parameter: 'limit' | 'count';
  readonly rate_limit_capacity: number;
  readonly rate_limit_per_second: number;
  readonly max_concurrency: number;
  readonly request_timeout_seconds: number;
  readonly max_retries: number;
  readonly backoff_factor: number;
  readonly max_retry_wait_seconds: number;
  readonly debug: boolean;
  /** Read images, variations and options from the products list (`embed=images,variations,options`) where it carries them. */
  readonly use_embedded_children: boolean;
  /** Ask the API for orders created at or after the state (`from`, `sort=date`) on incremental syncs. */
  readonly use_order_filters: boolean;
  /** Ask `/v1/<resource>/count` for progress estimates when lists carry no total. */
  readonly use_counts: boolean;
  /** Incremental orders reads start this many days before the state, to catch recent orders that changed (0 = off). */
  readonly lookback_days: number;
};

export const DEFAULTS = {
  base_url: 'https://api.ecommerceapi.uk',
  page_size: 20,
  page_size_parameter: 'limit',
  rate_limit_capacity: 40,
  rate_limit_per_second: 2,
  max_concurrency: 8,
  request_timeout_seconds: 60,
  max_retries: 3,
  backoff_factor: 2,
  max_retry_wait_seconds: 300,
  lookback_days: 30,
} as const;

// The spec's pattern is the check, so that the form and the connector accept the same dates.
// eslint-disable-next-line @typescript-eslint/no-var-requires
const DATE_TIME = new RegExp(require('../../resources/spec.json').connectionSpecification.properties.start_date.pattern);

type Raw = Record<string, unknown>;

/**
 * Validates every field before any request is made. Messages name the field and
 * what was wrong; they never repeat the value of a secret.
 */
export function parseConfig(raw: unknown, env: NodeJS.ProcessEnv = process.env): Config {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new ConfigError('The config must be a JSON object.');
  }
  const r = raw as Raw;
  return {
    api_key: secret(r, 'api_key'),
    api_secret: secret(r, 'api_secret'),
    base_url: baseUrl(r, env),
    start_date: startDate(r),
    page_size: integer(r, 'page_size', 1),
    page_size_parameter: oneOf(r, 'page_size_parameter', ['limit', 'count']),
    rate_limit_capacity: integer(r, 'rate_limit_capacity', 0),
    rate_limit_per_second: number(r, 'rate_limit_per_second', 0, false),
    max_concurrency: integer(r, 'max_concurrency', 1),
    request_timeout_seconds: number(r, 'request_timeout_seconds', 0, true),
    max_retries: integer(r, 'max_retries', 0),
    backoff_factor: number(r, 'backoff_factor', 0, true),
    max_retry_wait_seconds: number(r, 'max_retry_wait_seconds', 0, false),
    debug: flag(r, 'debug', false),
    use_embedded_children: flag(r, 'use_embedded_children', true),
    use_order_filters: flag(r, 'use_order_filters', true),
    use_counts: flag(r, 'use_counts', true),
    lookback_days: integer(r, 'lookback_days', 0),
  };
}

function given(r: Raw, field: string): unknown {
  // Airbyte's UI sends null for fields the user cleared; treat it as "not set".
  return r[field] === null ? undefined : r[field];
}

function secret(r: Raw, field: 'api_key' | 'api_secret'): string {
  const value = given(r, field);
  if (value === undefined) {
    const misspelt = Object.keys(r).find((key) => key !== field && given(r, key) !== undefined && likelyMeant(key, [field]) === field);
    throw new ConfigError(
      misspelt
        ? `Config field '${field}' is required; the config has '${misspelt}': did you mean '${field}'?`
        : `Config field '${field}' is required: copy it from the shop's API settings.`
    );
  }
  if (typeof value !== 'string') {
    throw new ConfigError(`Config field '${field}' must be a string.`);
  }
  if (value.trim() === '') {
    throw new ConfigError(`Config field '${field}' must not be empty.`);
  }
  if (value.length < MIN_CREDENTIAL_LENGTH) {
    throw new ConfigError(`Config field '${field}' has ${value.length} character${value.length === 1 ? '' : 's'}, too few to be a real credential (at least ${MIN_CREDENTIAL_LENGTH}): copy it again from the shop's API settings.`);
  }
  return value;
}

function baseUrl(r: Raw, env: NodeJS.ProcessEnv): string {
  const value = given(r, 'base_url') ?? DEFAULTS.base_url;
  let url: URL | undefined;
  try {
    url = typeof value === 'string' ? new URL(value) : undefined;
  } catch {
    url = undefined;
  }
  if (!url || !['http:', 'https:'].includes(url.protocol)) {
    throw new ConfigError(
      `Config field 'base_url' must be an http(s) URL such as ${DEFAULTS.base_url}.`
    );
  }
  if (url.username || url.password) {
    throw new ConfigError(
      "Config field 'base_url' must not contain credentials; use 'api_key' and 'api_secret'."
    );
  }
  if (url.protocol === 'http:' && !plainHttpVerdict(url.hostname, env).allowed) {
    throw new ConfigError(
      `Config field 'base_url' must use https for the public host ${url.hostname}: plain http would send the API key and secret unencrypted. ` +
        'Plain http is accepted for local, private and link-local hosts (localhost, 10.x, 192.168.x, *.internal, ...) only.'
    );
  }
  return url.toString().replace(/\/+$/, '');
}

function startDate(r: Raw): string | undefined {
  const value = given(r, 'start_date');
  if (value === undefined || value === '') return undefined;
  const iso = typeof value === 'string' && DATE_TIME.test(value) ? toIsoUtc(value) : undefined;
  if (iso !== undefined && !onTheCalendar(value as string)) {
    // Date.parse rolls 2024-02-30 over to 2024-03-01: a start the user did not write.
    throw new ConfigError(`Config field 'start_date' is ${JSON.stringify(value)}, a day that does not exist: use a date on the calendar such as 2024-02-29.`);
  }
  if (iso === undefined) {
    throw new ConfigError(
      `Config field 'start_date' must be a date or date-time such as 2024-01-01T00:00:00Z; got ${JSON.stringify(value)}.`
    );
  }
  return iso;
}

function onTheCalendar(value: string): boolean {
  const [year, month, day] = value.slice(0, 10).split('-').map(Number);
  return day <= new Date(Date.UTC(year, month, 0)).getUTCDate();
}

function number(r: Raw, field: keyof typeof DEFAULTS, min: number, exclusive: boolean): number {
  const value = given(r, field) ?? DEFAULTS[field];
  const ok = typeof value === 'number' && Number.isFinite(value) && (exclusive ? value > min : value >= min);
  if (!ok) {
    const bound = exclusive ? `greater than ${min}` : `at least ${min}`;
    throw new ConfigError(`Config field '${field}' must be a number ${bound}; got ${JSON.stringify(value)}.`);
  }
  return value as number;
}

function integer(r: Raw, field: keyof typeof DEFAULTS, min: number): number {
  const value = given(r, field) ?? DEFAULTS[field];
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min) {
    throw new ConfigError(`Config field '${field}' must be a whole number of at least ${min}; got ${JSON.stringify(value)}.`);
  }
  return value;
}

type FlagField = 'debug' | 'use_embedded_children' | 'use_order_filters' | 'use_counts';

function flag(r: Raw, field: FlagField, fallback: boolean): boolean {
  const value = given(r, field) ?? fallback;
  if (typeof value !== 'boolean') {
    throw new ConfigError(`Config field '${field}' must be true or false; got ${JSON.stringify(value)}.`);
  }
  return value;
}

function oneOf<T extends string>(r: Raw, field: keyof typeof DEFAULTS, allowed: T[]): T {
  const value = given(r, field) ?? DEFAULTS[field];
  if (typeof value !== 'string' || !allowed.includes(value as T)) {
    throw new ConfigError(
      `Config field '${field}' must be one of ${allowed.map((a) => `'${a}'`).join(', ')}; got ${JSON.stringify(value)}.`
    );
  }
  return value as T;
}
