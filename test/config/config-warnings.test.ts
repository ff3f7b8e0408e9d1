import { parseConfig } from '../../src/config/config';
import { configWarnings } from '../../src/config/config-warnings';

const base = { api_key: 'key-123', api_secret: 'secret-456' };
const NOW = Date.parse('2025-06-01T12:00:00Z');
const warningsFor = (raw: Record<string, unknown>, env: NodeJS.ProcessEnv = {}) => configWarnings(raw, parseConfig(raw, env), env, NOW);

describe('configWarnings', () => {
  it('says nothing about a config of known fields, a past start_date and https', () => {
    expect(warningsFor({ ...base, start_date: '2024-01-01', page_size: 50, base_url: 'https://api.example.com' })).toEqual([]);
  });

  it('names each unknown key and the known field it probably meant', () => {
    expect(warningsFor({ ...base, startDate: '2024-01-01', pagesize: 100, 'page-size-parameter': 'count', apiKey: 'x' })).toEqual([
      "Config key 'startDate' is not a field of this connector and is ignored; did you mean 'start_date'?",
      "Config key 'pagesize' is not a field of this connector and is ignored; did you mean 'page_size'?",
      "Config key 'page-size-parameter' is not a field of this connector and is ignored; did you mean 'page_size_parameter'?",
      "Config key 'apiKey' is not a field of this connector and is ignored; did you mean 'api_key'?",
    ]);
    expect(warningsFor({ ...base, max_retry: 5, rate_limit: 1 })).toEqual([
      "Config key 'max_retry' is not a field of this connector and is ignored; did you mean 'max_retries'?",
      "Config key 'rate_limit' is not a field of this connector and is ignored; did you mean 'rate_limit_capacity' or 'rate_limit_per_second'?",
    ]);
  });

  it('names the nearest field without claiming a misspelling when the key is far from every field', () => {
    const [warning] = warningsFor({ ...base, webhook_signing_token: 'x' });
    expect(warning).toMatch(/^Config key 'webhook_signing_token' is not a field of this connector and is ignored; the closest known field is '[a-z_]+'\.$/);
  });

  it('names a start_date in the future, and only then', () => {
    expect(warningsFor({ ...base, start_date: '2025-06-02' })).toEqual([
      "Config field 'start_date' is 2025-06-02T00:00:00.000Z, in the future: the date-stamped streams will sync no records until then.",
    ]);
    expect(warningsFor({ ...base, start_date: '2025-06-01T11:59:59Z' })).toEqual([]);
  });

  it('warns about plain http to a host the traffic can leave the machine for, not to loopback', () => {
    expect(warningsFor({ ...base, base_url: 'http://127.0.0.1:8080' })).toEqual([]);
    const [docker] = warningsFor({ ...base, base_url: 'http://host.docker.internal:8080' });
    expect(docker).toMatch(/^base_url uses plain http to a local name host: the API key and secret travel unencrypted to host\.docker\.internal/);
    const [oss] = warningsFor({ ...base, base_url: 'http://api.example.com' }, { DEPLOYMENT_MODE: 'OSS' });
    expect(oss).toMatch(/public host api\.example\.com, allowed because DEPLOYMENT_MODE is OSS/);
    expect(warningsFor({ ...base, base_url: 'https://10.0.0.5' })).toEqual([]);
  });
});
