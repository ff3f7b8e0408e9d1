import net from 'node:net';
import zlib from 'node:zlib';

import { parseConfig } from '../../src/config/config';
import { ApiError, ConnectorError } from '../../src/protocol/errors';
import { ApiClient, RetryNotice } from '../../src/http/client';
import { RequestLimiter } from '../../src/http/rate-limiter';
import { json, scriptedServer } from '../helpers/scripted-server';

const KEY = 'key-Zq81xK';
const SECRET = 'secret-Pw93yT';

function client(url: string, extra: Record<string, unknown> = {}, notices: RetryNotice[] = []) {
  const config = parseConfig({
    api_key: KEY,
    api_secret: SECRET,
    base_url: url,
    backoff_factor: 0.01,
    rate_limit_capacity: 0,
    ...extra,
  });
  return new ApiClient(config, { retry: (n) => notices.push(n) });
}

async function failure(p: Promise<unknown>): Promise<ApiError> {
  const error = await p.then(
    () => undefined,
    (e) => e
  );
  expect(error).toBeInstanceOf(ApiError);
  const text = JSON.stringify({ message: error.message, internal: error.internalMessage, stack: error.stack });
  expect(text).not.toContain(KEY);
  expect(text).not.toContain(SECRET);
  expect(text).not.toContain(Buffer.from(`${KEY}:${SECRET}`).toString('base64'));
  return error;
}

describe('ApiClient', () => {
  const servers: Array<{ close(): Promise<void> }> = [];
  const clients: ApiClient[] = [];
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.close()));
    await Promise.all(servers.splice(0).map((s) => s.close()));
  });
  async function serve(handler: Parameters<typeof scriptedServer>[0]) {
    const server = await scriptedServer(handler);
    servers.push(server);
    return server;
  }
  function make(url: string, extra?: Record<string, unknown>, notices?: RetryNotice[]) {
    const c = client(url, extra, notices);
    clients.push(c);
    return c;
  }

  it('tells the exchange listener (debug logs) every attempt: URL, status or network error, duration', async () => {
    let calls = 0;
    const server = await serve((req, res) => {
      calls++;
      if (calls === 1) return json(res, 503, { error: 'busy' });
      if (calls === 2) return req.socket.destroy();
      json(res, 200, { data: [] });
    });
    const seen: Array<[string, string, string, number]> = [];
    const config = parseConfig({ api_key: KEY, api_secret: SECRET, base_url: server.url, backoff_factor: 0.01, rate_limit_capacity: 0 });
    const c = new ApiClient(config, { exchange: (...args) => seen.push(args) });
    clients.push(c);
    await c.get('/v1/orders', { offset: 0, limit: 20 }, 'orders');
    expect(seen.map(([stream, url, outcome]) => [stream, url, outcome])).toEqual([
      ['orders', `${server.url}/v1/orders?offset=0&limit=20`, 'HTTP 503'],
      ['orders', `${server.url}/v1/orders?offset=0&limit=20`, 'ECONNRESET'],
      ['orders', `${server.url}/v1/orders?offset=0&limit=20`, 'HTTP 200'],
    ]);
    for (const [, , , ms] of seen) expect(ms).toBeGreaterThanOrEqual(0);
  });

  it('sends Basic auth and the paging parameters', async () => {
    const server = await serve((_req, res) => json(res, 200, { data: [] }));
    await make(server.url).get('/v1/orders', { offset: 20, limit: 21 }, 'orders');
    expect(server.seen[0].url).toBe('/v1/orders?offset=20&limit=21');
    expect(server.seen[0].authorization).toBe(`Basic ${Buffer.from(`${KEY}:${SECRET}`).toString('base64')}`);
  });

  it.each([429, 500, 502, 503, 504])('retries HTTP %i, then succeeds', async (status) => {
    const server = await serve((_req, res, n) => (n < 3 ? json(res, status, { error: 'x' }) : json(res, 200, { data: [{ id: 1 }] })));
    const res = await make(server.url).get('/v1/orders', undefined, 'orders');
    expect(res.body).toEqual({ data: [{ id: 1 }] });
    expect(server.seen).toHaveLength(3);
  });

  it('decodes a gzip or brotli answer, whichever the server picks from what it was offered', async () => {
    const offered: string[] = [];
    const server = await serve((req, res, n) => {
      offered.push(String(req.headers['accept-encoding']));
      const body = JSON.stringify({ data: [{ id: n, name: 'Ürün ✓' }] });
      const [encoding, bytes] = n === 1 ? ['gzip', zlib.gzipSync(body)] : ['br', zlib.brotliCompressSync(body)];
      res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': encoding }).end(bytes);
    });
    const api = make(server.url);
    expect((await api.get('/v1/orders', undefined, 'orders')).body).toEqual({ data: [{ id: 1, name: 'Ürün ✓' }] });
    expect((await api.get('/v1/orders', undefined, 'orders')).body).toEqual({ data: [{ id: 2, name: 'Ürün ✓' }] });
    expect(offered.every((o) => /\bgzip\b/.test(o) && /\bbr\b/.test(o))).toBe(true);
  });

  it('keeps the path of a base_url that has one, and sends the query as axios serialises it', async () => {
    const server = await serve((_req, res) => json(res, 200, { data: [] }));
    await make(`${server.url}/shop-api/`).get('/v1/orders', { from: '2024-01-02T03:04:05Z', ids: '1,2', q: 'a b&c' }, 'orders');
    expect(server.seen[0].url).toBe('/shop-api/v1/orders?from=2024-01-02T03:04:05Z&ids=1,2&q=a+b%26c');
  });

  it('gives up after max_retries and names stream, path and status', async () => {
    const server = await serve((_req, res) => json(res, 503, { error: 'down' }));
    const error = await failure(make(server.url, { max_retries: 2 }).get('/v1/orders', { offset: 0, limit: 20 }, 'orders'));
    expect(server.seen).toHaveLength(3);
    expect(error.message).toMatch(/HTTP 503 on \/v1\/orders\?offset=0&limit=20 for stream 'orders' \(3 attempts\)/);
    expect(error.failureType).toBe('transient_error');
  });

  it.each([
    [401, /rejected the credentials.*api_key and api_secret/],
    [403, /refused \/v1\/orders .*HTTP 403.*may not read this data/],
  ])('does not retry HTTP %i and calls it a config problem the user must fix', async (status, says) => {
    const server = await serve((_req, res) => json(res, status, { error: { message: 'bad credentials' } }));
    const error = await failure(make(server.url).get('/v1/orders', undefined, 'orders'));
    expect(server.seen).toHaveLength(1);
    expect(error.failureType).toBe('config_error');
    expect(error.message).toMatch(says);
  });

  it('does not retry other 4xx', async () => {
    const server = await serve((_req, res) => json(res, 400, { error: 'bad' }));
    const error = await failure(make(server.url).get('/v1/orders', undefined, 'orders'));
    expect(server.seen).toHaveLength(1);
    expect(error.status).toBe(400);
  });

  it('honours Retry-After in seconds and as an HTTP date, and backs off without it', async () => {
    const answers = [
      (res: any) => json(res, 429, {}, { 'retry-after': '1' }),
      (res: any) => json(res, 503, {}, { 'retry-after': new Date(Date.now() + 2000).toUTCString() }),
      (res: any) => json(res, 503, {}, { 'retry-after': '0' }),
      (res: any) => json(res, 200, { data: [] }),
    ];
    const server = await serve((_req, res, n) => answers[n - 1](res));
    const notices: RetryNotice[] = [];
    await make(server.url, { max_retries: 3, backoff_factor: 0.05 }, notices).get('/v1/orders', undefined, 'orders');
    expect(notices.map((n) => n.reason)).toEqual(['HTTP 429', 'HTTP 503', 'HTTP 503']);
    expect(notices[0].delayMs).toBe(1000);
    expect(notices[1].delayMs).toBeGreaterThan(500); // an HTTP date ~2 s ahead, at one-second resolution
    expect(notices[1].delayMs).toBeLessThanOrEqual(2000);
    expect(notices[2].delayMs).toBeLessThan(100); // 0 falls back to 0.05^3 s plus jitter
  });

  it('fails at once when Retry-After asks for more than max_retry_wait_seconds', async () => {
    const server = await serve((_req, res) => json(res, 429, {}, { 'retry-after': '3600' }));
    const error = await failure(make(server.url, { max_retry_wait_seconds: 60 }).get('/v1/orders', undefined, 'orders'));
    expect(server.seen).toHaveLength(1);
    expect(error.message).toMatch(/asked to wait 3600 s.*max_retry_wait_seconds/);
    expect(error.message).toMatch(/stream 'orders'/);
  });

  it('retries a 200 whose body is not JSON or has no data list, then fails naming it', async () => {
    const server = await serve((_req, res, n) =>
      n % 2 ? res.writeHead(200, { 'content-type': 'text/html' }).end('<html>oops</html>') : json(res, 200, { message: 'ok' })
    );
    const error = await failure(make(server.url, { max_retries: 3 }).get('/v1/pages', undefined, 'pages'));
    expect(server.seen).toHaveLength(4);
    expect(error.message).toMatch(/\/v1\/pages for stream 'pages' with HTTP 200 but a JSON object without a 'data' list/);
  });

  it('retries connection resets and responses cut off mid-body', async () => {
    const server = await serve((req, res, n) => {
      if (n === 1) return req.socket.destroy();
      if (n === 2) {
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': '100' });
        res.write('{"data": [');
        return setTimeout(() => req.socket.destroy(), 20);
      }
      json(res, 200, { data: [{ id: 9 }] });
    });
    const res = await make(server.url).get('/v1/orders', undefined, 'orders');
    expect(res.body).toEqual({ data: [{ id: 9 }] });
    expect(server.seen).toHaveLength(3);
  });

  it('times out a server that never answers, retries, and fails clearly', async () => {
    const server = await serve(() => undefined);
    const error = await failure(
      make(server.url, { request_timeout_seconds: 0.2, max_retries: 1 }).get('/v1/orders', undefined, 'orders')
    );
    expect(server.seen).toHaveLength(2);
    expect(error.message).toMatch(/did not answer \/v1\/orders for stream 'orders' in time/);
  });

  it('follows no redirect, so credentials never reach another host', async () => {
    const other = await serve((_req, res) => json(res, 200, { data: [] }));
    const server = await serve((_req, res) => res.writeHead(302, { location: `${other.url}/v1/orders` }).end());
    const error = await failure(make(server.url).get('/v1/orders', undefined, 'orders'));
    expect(error.message).toMatch(/redirected/);
    expect(other.seen).toHaveLength(0);
  });

  it('reuses one keep-alive connection without resetting its keep-alive probe on every request', async () => {
    // Counts the calls that reach the socket handle (a system call each); net.Socket skips them when the
    // setting is unchanged. axios sets a 60 s delay per request: an agent with another delay would reset it twice.
    const handleCalls: unknown[][] = [];
    const original = net.Socket.prototype.setKeepAlive;
    const spy = jest.spyOn(net.Socket.prototype, 'setKeepAlive').mockImplementation(function (this: net.Socket, ...args) {
      const handle = (this as unknown as { _handle?: { setKeepAlive?: (...a: unknown[]) => unknown; counted?: boolean } })._handle;
      if (handle?.setKeepAlive && !handle.counted) {
        const set = handle.setKeepAlive.bind(handle);
        handle.setKeepAlive = (...a: unknown[]) => (handleCalls.push(a), set(...a));
        handle.counted = true;
      }
      return original.apply(this, args);
    });
    try {
      const server = await serve((_req, res) => json(res, 200, { data: [{ id: 1 }] }));
      const api = make(server.url);
      for (let i = 0; i < 10; i++) await api.get('/v1/orders', { offset: i, limit: 1 }, 'orders');
      expect(server.seen).toHaveLength(10);
      expect(handleCalls).toEqual([[true, 60]]);
    } finally {
      spy.mockRestore();
    }
  });

  it('keeps at most max_concurrency requests in flight', async () => {
    const server = await serve((_req, res) => setTimeout(() => json(res, 200, { data: [] }), 30));
    const c = make(server.url, { max_concurrency: 3 });
    await Promise.all(Array.from({ length: 12 }, () => c.get('/v1/orders', undefined, 'orders')));
    expect(server.peak()).toBe(3);
    expect(c.statsFor('orders').requests).toBe(12);
  });

  // Whether the pacing avoids 429s is decided on a fake clock in rate-limiter.test.ts; here, that the client uses it.
  it('sends every attempt, retries included, through the rate limiter, and tells it of each 429', async () => {
    const run = jest.spyOn(RequestLimiter.prototype, 'run');
    const throttled = jest.spyOn(RequestLimiter.prototype, 'throttled');
    try {
      let n = 0;
      const server = await serve((_req, res) => (++n === 3 ? json(res, 429, {}, { 'retry-after': '0' }) : json(res, 200, { data: [] })));
      const c = make(server.url, { rate_limit_capacity: 5, rate_limit_per_second: 20, max_concurrency: 8 });
      await Promise.all(Array.from({ length: 10 }, () => c.get('/v1/orders', undefined, 'orders')));
      expect(server.seen).toHaveLength(11);
      expect(run).toHaveBeenCalledTimes(11);
      expect(throttled).toHaveBeenCalledTimes(1);
    } finally {
      run.mockRestore();
      throttled.mockRestore();
    }
  });

  it('is a ConnectorError for every failure, never a raw axios error', async () => {
    const error = await make('http://127.0.0.1:9', { max_retries: 0 })
      .get('/v1/orders', undefined, 'orders')
      .catch((e) => e);
    expect(error).toBeInstanceOf(ConnectorError);
    expect(error.message).toMatch(/Could not reach the API for stream 'orders' \(ECONNREFUSED on http:\/\/127\.0\.0\.1:9\/v1\/orders, 1 attempt\)/);
  });

  it('a base_url whose host does not exist: the message names the URL tried and says to check base_url', async () => {
    // .invalid never resolves (RFC 2606): the lookup fails at once, as a misspelt host does.
    const error = await make('https://api.ecommerceapi.invalid', { max_retries: 0 })
      .get('/v1/orders', undefined, 'orders')
      .catch((e) => e);
    expect(error).toBeInstanceOf(ConnectorError);
    expect(error.message).toMatch(
      /^Could not reach the API for stream 'orders': the host of https:\/\/api\.ecommerceapi\.invalid\/v1\/orders was not found \((ENOTFOUND|EAI_AGAIN), 1 attempt\)\. Check base_url for a typo/
    );
  });
});
