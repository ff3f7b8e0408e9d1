/**
 * The client tells axios once that no proxy applies when none is set in the
 * environment at start-up (src/http/client.ts: axios would otherwise read the
 * variables on every request). A proxy that is set must still carry every request.
 */
import { parseConfig } from '../../src/config';
import { ApiClient } from '../../src/http/client';
import { json, scriptedServer } from '../helpers/scripted-server';

const PROXY_NAMES = ['http_proxy', 'https_proxy', 'all_proxy', 'no_proxy'].flatMap((n) => [n, n.toUpperCase()]);

describe('ApiClient and proxy variables', () => {
  const saved = Object.fromEntries(PROXY_NAMES.map((n) => [n, process.env[n]]));
  beforeEach(() => PROXY_NAMES.forEach((n) => delete process.env[n]));
  afterEach(() => PROXY_NAMES.forEach((n) => (saved[n] === undefined ? delete process.env[n] : (process.env[n] = saved[n]))));

  async function exchange(setEnv: (api: string, proxy: string) => void) {
    const api = await scriptedServer((_req, res) => json(res, 200, { data: [{ id: 1 }] }));
    const proxy = await scriptedServer((_req, res) => json(res, 200, { data: [{ id: 'via proxy' }] }));
    setEnv(api.url, proxy.url);
    const client = new ApiClient(parseConfig({ api_key: 'key-1', api_secret: 'secret-1', base_url: api.url, rate_limit_capacity: 0 }));
    try {
      const res = await client.get('/v1/orders', { offset: 0, limit: 20 }, 'orders');
      return { body: res.body, api: api.seen.map((s) => s.url), proxy: proxy.seen.map((s) => s.url) };
    } finally {
      await client.close();
      await Promise.all([api.close(), proxy.close()]);
    }
  }

  it('sends every request through HTTP_PROXY when it is set', async () => {
    const seen = await exchange((_api, proxy) => (process.env.HTTP_PROXY = proxy));
    expect(seen.body).toEqual({ data: [{ id: 'via proxy' }] });
    expect(seen.api).toEqual([]);
    expect(seen.proxy).toEqual([expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+\/v1\/orders\?offset=0&limit=20$/)]);
  });

  it('sends through all_proxy (lower case) too', async () => {
    const seen = await exchange((_api, proxy) => (process.env.all_proxy = proxy));
    expect(seen.api).toEqual([]);
    expect(seen.proxy).toHaveLength(1);
  });

  it('goes straight to the API when no proxy is set', async () => {
    const seen = await exchange(() => undefined);
    expect(seen.body).toEqual({ data: [{ id: 1 }] });
    expect(seen.api).toEqual(['/v1/orders?offset=0&limit=20']);
    expect(seen.proxy).toEqual([]);
  });
});
