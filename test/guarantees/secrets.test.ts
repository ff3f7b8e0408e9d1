/**
 * Guarantee 10: the API key and secret never leave the process except in the
 * Authorization header of a request to the configured host: not in logs, TRACE
 * errors, connection statuses or stderr, whatever fails and with debug on; only
 * over https unless the host is this machine; never across a redirect. Records
 * and state are the shop's data: they leave exactly as the API sent them, even
 * where a credential is also a word of the shop.
 */
import { Run, catalogFor, lastStates, records } from '../helpers/connector';
import { json } from '../helpers/scripted-server';
import { ALL, Resources, STREAM, errorTraces, listHandler, logs, read, runWithFiles, statesOf, testConfig } from '../helpers/guarantees';
import { encodeIds } from '../../src/read/deletions';

jest.setTimeout(60_000);

const KEY = 'KEY-7f3Zq9';
const SECRET = 'SECRET-x8Pw2';
const BASIC = Buffer.from(`${KEY}:${SECRET}`).toString('base64');
const FORBIDDEN = [KEY, SECRET, BASIC];

const res = new Resources();
afterEach(() => res.closeAll());

const config = (url: string, extra: Record<string, unknown> = {}) => testConfig(url, { api_key: KEY, api_secret: SECRET, ...extra });

/** Neither credential nor their Basic encoding anywhere in what the process printed. */
function expectNoSecrets(...runs: Run[]) {
  for (const run of runs) {
    expect(run.signal).toBeNull();
    const printed = run.stdout + run.stderr;
    for (const secret of FORBIDDEN) expect(printed).not.toContain(secret);
  }
}

/** Everything the process printed except the shop's data (RECORD and STATE lines): logs, traces, statuses, stderr. */
function notData(run: Run): string {
  const lines = run.stdout.split('\n').filter((l) => !/^\{"type":"(RECORD|STATE)"/.test(l));
  return lines.join('\n') + run.stderr;
}

function expectFailedCheck(run: Run) {
  expect(run.code).toBe(0);
  const status = run.messages.find((m) => m.type === 'CONNECTION_STATUS');
  expect(status?.connectionStatus.status).toBe('FAILED');
}

const SOME = ['orders', 'products', 'products_reviews', 'themes'];

describe('Guarantee 10: secrets never appear in the output', () => {
  it.each([false, true])('wrong secret, the sandbox answers 401 (debug: %s): check, discover and read leak nothing', async (debug) => {
    const sb = await res.sandbox({ apiKey: KEY, apiSecret: 'the-real-secret' });
    const [check, discover, readRun] = await Promise.all([
      runWithFiles('check', { config: config(sb.url, { debug }) }),
      runWithFiles('discover', { config: config(sb.url, { debug }) }),
      read(config(sb.url, { debug }), { streams: ALL, mode: 'incremental' }),
    ]);
    expectFailedCheck(check);
    expect(discover.code).toBe(0);
    expect(readRun.code).toBe(1);
    expect(errorTraces(readRun).map((e) => e.failure_type)).toEqual(['config_error']);
    expect(sb.counters().byStatus['401']).toBeGreaterThan(0);
    expectNoSecrets(check, discover, readRun);
  });

  it.each([['503'], ['reset'], ['truncate'], ['nonjson'], ['hang']] as const)(
    "retries exhausted on sandbox fault '%s', with debug on: nothing leaks",
    async (kind) => {
      const sb = await res.sandbox({ apiKey: KEY, apiSecret: SECRET, faultRate: 1, faults: [kind] });
      const extra = { debug: true, max_retries: 1, request_timeout_seconds: 0.3 };
      const [check, readRun] = await Promise.all([
        runWithFiles('check', { config: config(sb.url, extra) }),
        read(config(sb.url, extra), { streams: SOME, mode: 'incremental', timeoutMs: 30_000 }),
      ]);
      expectFailedCheck(check);
      expect(readRun.code).toBe(1);
      expect(errorTraces(readRun).length).toBeGreaterThan(0);
      expect(sb.counters().faults).toBeGreaterThan(0);
      expectNoSecrets(check, readRun);
    }
  );

  it('an API that echoes the Authorization header and the credentials in its answers: nothing leaks', async () => {
    let n = 0;
    const server = await res.server((req, r) => {
      const auth = req.headers.authorization ?? '';
      const decoded = Buffer.from(auth.replace(/^Basic /, ''), 'base64').toString();
      const echo = `you sent ${auth} i.e. ${decoded}`;
      const path = new URL(req.url ?? '/', 'http://x').pathname;
      if (path === '/v1/orders') return json(r, 500, { error: { message: echo } }); // retried, then fails
      if (path === '/v1/themes') return json(r, 400, { error: { message: echo } }); // fails at once
      if (path === '/v1/pages') return r.writeHead(200, { 'content-type': 'text/html' }).end(`<p>${echo}</p>`); // not JSON
      if (path === '/v1/events') return json(r, 429, { error: echo }, { 'retry-after': '99999' }); // waits too long
      n++;
      json(r, 404, { error: { message: echo } });
    });
    const run = await read(config(server.url, { debug: true, max_retries: 1 }), {
      streams: ['orders', 'themes', 'pages', 'events', 'customers'],
    });
    expect(run.code).toBe(1);
    expect(errorTraces(run)).toHaveLength(5);
    // The server really was given the credentials it echoed.
    expect(server.seen.every((s) => s.authorization === `Basic ${BASIC}`)).toBe(true);
    expect(n).toBe(1);
    // The echoed bodies reached the output (error excerpts), redacted.
    expect(run.stdout).toContain('you sent Basic ***');
    expectNoSecrets(run);
  });

  it.each([
    ['a 3-character key and a secret with a double quote and a backslash', 'k9Z', 'se"cr\\et'],
    ['a secret with characters URLs encode', 'key-with space', 'sé/cr=t&x'],
  ])('%s, echoed by the API in every spelling (raw, JSON, URL-encoded, Basic): masked in errors, records left as sent', async (_what, key, secret) => {
    const basic = Buffer.from(`${key}:${secret}`).toString('base64');
    const echo = `raw ${key} ${secret} url ${encodeURIComponent(secret)} basic ${basic}`;
    const server = await res.server((req, r) => {
      const path = new URL(req.url ?? '/', 'http://x').pathname;
      if (path === '/v1/orders') return json(r, 400, { error: { message: echo } });
      json(r, 200, { data: [{ id: 1, created_at_utc: '2024-01-01T00:00:00Z', note: echo }], total: 1 });
    });
    const run = await read(config(server.url, { api_key: key, api_secret: secret, debug: true }), { streams: ['orders', 'customers'] });
    expect(run.code).toBe(1);
    expect(server.seen.every((s) => s.authorization === `Basic ${basic}`)).toBe(true);
    expect(errorTraces(run)[0].internal_message).toContain('raw *** ***'); // the echoed body excerpt, masked
    // The record is the shop's data: it leaves as the API sent it, credentials included.
    expect(records(run, 'customers')).toEqual([{ id: 1, created_at_utc: '2024-01-01T00:00:00Z', note: echo }]);
    const printed = notData(run);
    for (const form of [key, secret, basic, encodeURIComponent(secret), JSON.stringify(secret).slice(1, -1)]) {
      expect(printed).not.toContain(form);
    }
  });

  it('a key that is a word of the shop ("Mug") and a secret that is part of the cursor values: records and state leave as sent, logs and errors are masked, the next run reads its own state', async () => {
    const key = 'Mug';
    const secret = '2024-01';
    const products = [
      { id: 1, title: 'Bamboo Mug', updated_at_utc: '2024-01-02T00:00:00Z' },
      { id: 2, title: 'Mug rack', updated_at_utc: '2024-01-03T00:00:00Z' },
    ];
    const orders = [
      { id: 10, created_at_utc: '2024-01-04T00:00:00Z', note: 'two Mugs' },
      { id: 11, created_at_utc: '2024-01-05T00:00:00Z', note: 'gift' },
    ];
    const lists = listHandler({ '/v1/products': products, '/v1/orders': orders });
    const server = await res.server((req, r) => {
      const path = new URL(req.url ?? '/', 'http://x').pathname;
      if (path === '/v1/themes') return json(r, 400, { error: { message: `No themes for the Mug shop since ${secret}` } });
      if (path.startsWith('/v1/products/')) return json(r, 200, { data: [], total: 0 }); // no children
      lists(req, r);
    });
    const cfg = config(server.url, { api_key: key, api_secret: secret, debug: true, use_order_filters: false });
    const first = await read(cfg, { streams: ['products', 'orders', 'themes'], mode: 'incremental' });

    expect(first.code).toBe(1); // themes fails, on purpose, with the credentials in its error
    expect(records(first, 'products')).toEqual(products);
    // As sent, plus the cursor value an incremental read derives (changed_at_utc: here the creation time).
    expect(records(first, 'orders')).toEqual(orders.map((o) => ({ ...o, changed_at_utc: new Date(o.created_at_utc).toISOString() })));
    // listed_ids: the products listed, to see a deletion by absence next time (docs/data.md).
    expect(statesOf(first, 'products').at(-1)).toEqual({ updated_at_utc: '2024-01-03T00:00:00.000Z', listed_ids: encodeIds([1, 2]) });
    // changes_since: where the next sync's events-log read starts (docs/data.md); the secret inside it stays too.
    expect(statesOf(first, 'orders').at(-1)).toEqual({ created_at_utc: '2024-01-05T00:00:00.000Z', changed_at_utc: '2024-01-05T00:00:00.000Z', changes_since: '2024-01-05T00:00:00.000Z' });
    const themes = errorTraces(first);
    expect(themes).toHaveLength(1);
    expect(themes[0].internal_message).toContain('No themes for the *** shop since ***');
    expect(themes[0].failure_type).not.toMatch(/\*/);
    // The protocol's words are untouched even where the free text around them is masked.
    expect(first.messages.every((m) => !JSON.stringify(m.type).includes('*'))).toBe(true);
    expect(notData(first)).not.toContain(key);
    expect(notData(first)).not.toContain(secret);

    const next = await read(cfg, { streams: ['products', 'orders'], mode: 'incremental', state: lastStates(first) });
    expect(next.code).toBe(0);
    expect(errorTraces(next)).toEqual([]);
    expect(records(next, 'products')).toEqual([products[1]]); // re-emitted at the saved cursor
    expect(statesOf(next, 'products').at(-1)).toEqual({ updated_at_utc: '2024-01-03T00:00:00.000Z', listed_ids: encodeIds([1, 2]) });
    // The log line naming the saved state quotes the cursor: the secret in it is masked there only.
    expect(logs(next)).toContain("Stream 'products': incremental, from the saved state, updated_at_utc ***-03T00:00:00.000Z.");
    expect(notData(next)).not.toContain(secret);
  });

  it.each([
    ['api_key', { api_key: 'M' }, "'api_key' has 1 character"],
    ['api_key', { api_key: 'Mu' }, "'api_key' has 2 characters"],
    ['api_secret', { api_secret: '2' }, "'api_secret' has 1 character"],
    ['api_secret', { api_secret: '20' }, "'api_secret' has 2 characters"],
  ])('%s of 1 or 2 characters (%j) is refused with a readable config_error in check and read, before any request', async (_field, short, expected) => {
    const server = await res.server((_req, r) => json(r, 200, { data: [], total: 0 }));
    const cfg = config(server.url, short);
    const [check, readRun] = await Promise.all([
      runWithFiles('check', { config: cfg }),
      read(cfg, { streams: ['products'] }),
    ]);
    expectFailedCheck(check);
    expect(check.messages.find((m) => m.type === 'CONNECTION_STATUS')!.connectionStatus.message).toContain(`${expected}, too few to be a real credential`);
    expect(readRun.code).toBe(1);
    const errors = errorTraces(readRun);
    expect(errors).toHaveLength(1);
    expect(errors[0].failure_type).toBe('config_error');
    expect(errors[0].message).toContain(`${expected}, too few to be a real credential (at least 3)`);
    expect(server.seen).toEqual([]);
  });

  // The last element: whether the failing value is quoted in the message, so that it must show redacted.
  const BAD: Array<[string, () => { config: unknown; catalog?: unknown; state?: unknown }, boolean]> = [
    ['page_size as text', () => ({ config: config('http://127.0.0.1:9', { page_size: 'abc' }) }), false],
    ['the secret pasted into start_date', () => ({ config: config('http://127.0.0.1:9', { start_date: SECRET }) }), true],
    ['the key pasted into base_url', () => ({ config: config(KEY) }), false],
    ['credentials inside base_url', () => ({ config: config(`http://${KEY}:${SECRET}@127.0.0.1:9/`) }), false],
    ['the secret of the wrong type, the key present', () => ({ config: { ...config('http://127.0.0.1:9'), api_secret: [SECRET] } }), false],
    ['a config file that is not JSON', () => ({ config: `{"api_key": "${KEY}", "api_secret": "${SECRET}", "page_size": }` }), false],
    ['a catalog naming an unknown stream', () => ({ config: config('http://127.0.0.1:9'), catalog: catalogFor([{ name: SECRET, pk: 'id' }], 'full_refresh') }), true],
    ['a state that is not JSON', () => ({ config: config('http://127.0.0.1:9'), state: `{"${SECRET}": ` }), false],
    ['a state whose cursor holds the secret', () => ({
      config: config('http://127.0.0.1:9'),
      state: { orders: { created_at_utc: SECRET } },
    }), true],
  ];

  it.each(BAD)('bad input with the credentials present (%s): check, discover and read leak nothing', async (_name, files, quoted) => {
    const catalog = catalogFor([STREAM.orders], 'incremental');
    const [check, discover, readRun] = await Promise.all([
      runWithFiles('check', { config: files().config }),
      runWithFiles('discover', { config: files().config }),
      runWithFiles('read', { catalog, ...files() }),
    ]);
    expect(readRun.code).toBe(1);
    expect(errorTraces(readRun).length).toBeGreaterThan(0);
    if (quoted) expect(errorTraces(readRun)[0].message).toContain('***');
    expectNoSecrets(check, discover, readRun);
  });

  it('a successful sync of all 14 streams with debug on leaks nothing (records, logs and STATE included)', async () => {
    const sb = await res.sandbox({ apiKey: KEY, apiSecret: SECRET });
    const run = await read(config(sb.url, { debug: true }), { streams: ALL, mode: 'incremental' });
    expect(run.code).toBe(0);
    expect(run.messages.some((m) => m.type === 'STATE')).toBe(true);
    expectNoSecrets(run);
  });
});

describe('Guarantee 10: credentials travel only over https (or to this machine), never across a redirect', () => {
  it('base_url http://example.com is refused before any request (an HTTP proxy trap sees nothing)', async () => {
    const trap = await res.server((_req, r) => json(r, 200, { data: [], total: 0 }));
    const env = { HTTP_PROXY: trap.url, http_proxy: trap.url, HTTPS_PROXY: trap.url, https_proxy: trap.url, NO_PROXY: '', no_proxy: '' };
    const catalog = catalogFor([STREAM.themes], 'full_refresh');

    // Control: a request the connector does make goes through the trap.
    const control = await runWithFiles('read', { config: config('http://127.0.0.1:9', { max_retries: 0 }), catalog }, { env });
    expect(control.code).toBe(0);
    expect(trap.seen.map((s) => s.url)).toEqual(['http://127.0.0.1:9/v1/themes?offset=0&limit=20']);
    trap.seen.length = 0;

    const insecure = config('http://example.com', { max_retries: 0 });
    const [check, readRun] = await Promise.all([
      runWithFiles('check', { config: insecure }, { env }),
      runWithFiles('read', { config: insecure, catalog }, { env }),
    ]);
    expect(trap.seen).toEqual([]);
    expectFailedCheck(check);
    expect(check.messages.find((m) => m.type === 'CONNECTION_STATUS')!.connectionStatus.message).toMatch(/https/);
    expect(readRun.code).toBe(1);
    const errors = errorTraces(readRun);
    expect(errors).toHaveLength(1);
    expect(errors[0].failure_type).toBe('config_error');
    expect(errors[0].message).toMatch(/'base_url' must use https.*example\.com/);
    expectNoSecrets(check, readRun, control);
  });

  it.each([301, 302, 303, 307, 308])('a %i redirect to another server: that server sees no request, the stream fails clearly', async (status) => {
    const other = await res.server((_req, r) => json(r, 200, { data: [], total: 0 }));
    const server = await res.server((req, r) => r.writeHead(status, { location: `${other.url}${req.url}` }).end());
    const run = await read(config(server.url), { streams: ['orders'] });

    expect(other.seen).toEqual([]);
    expect(server.seen).toHaveLength(1);
    expect(server.seen[0].authorization).toBe(`Basic ${BASIC}`);
    expect(run.code).toBe(1);
    const errors = errorTraces(run);
    expect(errors).toHaveLength(1);
    expect(errors[0].message).toMatch(/redirected/);
    expect(errors[0].message).toContain(`HTTP ${status}`);
    expectNoSecrets(run);
  });
});
