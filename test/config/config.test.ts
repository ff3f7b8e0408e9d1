import { DEFAULTS, parseConfig } from '../../src/config/config';
import { ConfigError } from '../../src/protocol/errors';

const base = { api_key: 'key-123', api_secret: 'secret-456' };

function error(raw: unknown): ConfigError {
  try {
    parseConfig(raw);
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return e as ConfigError;
  }
  throw new Error('parseConfig accepted an invalid config');
}

describe('parseConfig', () => {
  it('fills every default from the spec', () => {
    const config = parseConfig(base);
    expect(config).toMatchObject({ ...DEFAULTS, ...base, debug: false });
    expect(config.start_date).toBeUndefined();
  });

  it('keeps the spec defaults and the code defaults in step', () => {
    const spec = require('../../resources/spec.json').connectionSpecification.properties;
    for (const [field, value] of Object.entries(DEFAULTS)) expect([field, spec[field]?.default]).toEqual([field, value]);
  });

  it.each([
    [{ api_secret: 's' }, /'api_key' is required/],
    [{ ...base, api_key: '' }, /'api_key' must not be empty/],
    [{ ...base, api_secret: '   ' }, /'api_secret' must not be empty/],
    [{ ...base, api_key: 42 }, /'api_key' must be a string/],
    [{ ...base, page_size: 0 }, /'page_size' must be a whole number of at least 1; got 0/],
    [{ ...base, page_size: -5 }, /'page_size'.*got -5/],
    [{ ...base, page_size: 'twenty' }, /'page_size'.*got "twenty"/],
    [{ ...base, page_size: 2.5 }, /'page_size'/],
    [{ ...base, max_retries: -1 }, /'max_retries'/],
    [{ ...base, backoff_factor: 0 }, /'backoff_factor' must be a number greater than 0/],
    [{ ...base, max_concurrency: 0 }, /'max_concurrency'/],
    [{ ...base, rate_limit_per_second: -2 }, /'rate_limit_per_second'/],
    [{ ...base, request_timeout_seconds: 0 }, /'request_timeout_seconds'/],
    [{ ...base, page_size_parameter: 'size' }, /'page_size_parameter' must be one of 'limit', 'count'/],
    [{ ...base, start_date: 'yesterday' }, /'start_date' must be a date/],
    [{ ...base, start_date: '2024-13-45' }, /'start_date'/],
    [{ ...base, start_date: '2024-02-30' }, /'start_date' is "2024-02-30", a day that does not exist/],
    [{ ...base, start_date: '2023-02-29T10:00:00Z' }, /'start_date' is "2023-02-29T10:00:00Z", a day that does not exist/],
    [{ ...base, start_date: '2024-04-31' }, /a day that does not exist/],
    [{ api_key: 'key-123', api_secrets: 'secret-456' }, /'api_secret' is required; the config has 'api_secrets': did you mean 'api_secret'\?/],
    [{ apikey: 'key-123', api_secret: 'secret-456' }, /'api_key' is required; the config has 'apikey': did you mean 'api_key'\?/],
    [{ ...base, base_url: 'not a url' }, /'base_url' must be an http\(s\) URL/],
    [{ ...base, base_url: 'ftp://example.com' }, /'base_url' must be an http\(s\) URL/],
    [{ ...base, base_url: 'http://api.example.com' }, /'base_url' must use https/],
    [{ ...base, base_url: 'https://u:p@api.example.com' }, /must not contain credentials/],
    [{ ...base, debug: 'yes' }, /'debug' must be true or false; got "yes"/],
    [{ ...base, debug: 1 }, /'debug' must be true or false; got 1/],
    [{ ...base, api_secret: 'x' }, /'api_secret' has 1 character, too few to be a real credential \(at least 3\)/],
    [{ ...base, api_key: 'k' }, /'api_key' has 1 character, too few/],
    [{ ...base, api_key: 'k9' }, /'api_key' has 2 characters, too few/],
    [{ ...base, api_secret: 'ab' }, /'api_secret' has 2 characters, too few/],
    [[], /must be a JSON object/],
    ['text', /must be a JSON object/],
  ])('rejects %j naming the problem', (raw, message) => {
    expect(error(raw).message).toMatch(message);
    expect(error(raw).failureType).toBe('config_error');
  });

  it('lookback_days: 30 by default, 0 turns it off, a negative or fractional number is refused', () => {
    expect(parseConfig(base).lookback_days).toBe(30);
    expect(parseConfig({ ...base, lookback_days: 0 }).lookback_days).toBe(0);
    expect(error({ ...base, lookback_days: -1 }).message).toMatch(/'lookback_days' must be a whole number of at least 0/);
    expect(error({ ...base, lookback_days: 1.5 }).message).toMatch(/'lookback_days'/);
  });

  it('never repeats a secret in its message', () => {
    for (const raw of [
      { api_key: { nested: 'key-123' }, api_secret: 'secret-456' },
      { api_key: 'key-123', api_secret: ['secret-456'] },
    ]) {
      expect(error(raw).message).not.toMatch(/key-123|secret-456/);
    }
  });

  it('accepts a key and a secret of 3 characters, the shortest it does not refuse', () => {
    const config = parseConfig({ ...base, api_key: 'Mug', api_secret: 'x9Q' });
    expect([config.api_key, config.api_secret]).toEqual(['Mug', 'x9Q']);
  });

  it('accepts plain http for loopback, private, link-local and local-name hosts, wherever it runs', () => {
    const local = ['http://localhost:8080', 'http://127.0.0.1:9', 'http://[::1]:8080', 'http://172.17.0.1:8080',
      'http://192.168.1.5', 'http://169.254.0.9', 'http://host.docker.internal:8080', 'http://sandbox:8080'];
    for (const url of local) {
      expect(parseConfig({ ...base, base_url: url }, { DEPLOYMENT_MODE: 'CLOUD' }).base_url).toBe(url.replace(/\/$/, ''));
    }
    expect(parseConfig({ ...base, base_url: 'https://api.example.com/' }).base_url).toBe('https://api.example.com');
  });

  it('refuses plain http to a public host as a config_error naming the host, unless DEPLOYMENT_MODE is set and not CLOUD', () => {
    for (const env of [{}, { DEPLOYMENT_MODE: 'CLOUD' }]) {
      try {
        parseConfig({ ...base, base_url: 'http://api.example.com' }, env);
        throw new Error('accepted');
      } catch (e) {
        expect(e).toBeInstanceOf(ConfigError);
        expect((e as ConfigError).failureType).toBe('config_error');
        expect((e as ConfigError).message).toMatch(/'base_url' must use https for the public host api\.example\.com/);
      }
    }
    expect(parseConfig({ ...base, base_url: 'http://api.example.com' }, { DEPLOYMENT_MODE: 'OSS' }).base_url).toBe('http://api.example.com');
  });

  it("accepts exactly the start_date values the spec's pattern accepts", () => {
    const field = require('../../resources/spec.json').connectionSpecification.properties.start_date;
    expect(field.format).toBeUndefined(); // a JSON-schema date-time would refuse the bare dates the check accepts
    expect(field.pattern_descriptor).toBe('YYYY-MM-DD or YYYY-MM-DDTHH:mm:ssZ');
    expect(field.description).toMatch(/first sync only/);
    const form = new RegExp(field.pattern);
    const samples = ['2024-01-01', '2024-01-01T00:00:00Z', '2024-01-01T10:30Z', '2024-01-01 10:30:00', '2024-01-01T10:30:00.123+02:00',
      '2024-01-01T10:30:00-0500', '2024-12-31T23:59:59Z', '2024-13-01', '2024-00-10', '2024-01-32', '2024-01-01T24:00:00Z',
      '2024-01-01T10:60Z', '2024-1-1', '24-01-01', '2024-01-01T', '2024-01-01t10:00:00z', 'yesterday', '2024/01/01', ' 2024-01-01'];
    for (const value of samples) {
      let accepted = true;
      try {
        parseConfig({ ...base, start_date: value });
      } catch {
        accepted = false;
      }
      expect([value, accepted]).toEqual([value, form.test(value)]);
    }
    expect(samples.filter((v) => form.test(v)).length).toBe(7);
  });

  it('accepts the last day of each month, 29 February in a leap year included', () => {
    expect(parseConfig({ ...base, start_date: '2024-02-29' }).start_date).toBe('2024-02-29T00:00:00.000Z');
    expect(parseConfig({ ...base, start_date: '2023-12-31T23:59:59Z' }).start_date).toBe('2023-12-31T23:59:59.000Z');
  });

  it('normalizes start_date to ISO 8601 UTC, reading a bare date-time as UTC', () => {
    expect(parseConfig({ ...base, start_date: '2024-03-01' }).start_date).toBe('2024-03-01T00:00:00.000Z');
    expect(parseConfig({ ...base, start_date: '2024-03-01T12:00:00' }).start_date).toBe('2024-03-01T12:00:00.000Z');
    expect(parseConfig({ ...base, start_date: '2024-03-01T12:00:00+02:00' }).start_date).toBe('2024-03-01T10:00:00.000Z');
  });

  it('treats null as "not set", as Airbyte sends cleared fields', () => {
    expect(parseConfig({ ...base, page_size: null, start_date: null }).page_size).toBe(20);
  });
});
