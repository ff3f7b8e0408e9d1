/** The rate-limit watch on a fake clock (jest's modern fake timers fake Date, setTimeout and performance). */
import { RATE_LIMIT_WATCH, RateLimitWatch } from '../../src/http/rate-limit-watch';
import { RequestLimiter } from '../../src/http/rate-limiter';

const START = Date.parse('2025-06-01T12:00:00Z');

let reports: Array<{ stream: string; at: number; quotaReset?: number }>;
let watch: RateLimitWatch;
const newWatch = (streams = ['orders', 'customers']) =>
  new RateLimitWatch(new Set(streams), (stream, quotaReset) =>
    reports.push({ stream, at: Date.now() - START, ...(quotaReset !== undefined && { quotaReset: quotaReset - START }) })
  );

beforeEach(() => {
  jest.useFakeTimers({ now: START });
  reports = [];
  watch = newWatch();
});
afterEach(() => {
  watch.close();
  jest.useRealTimers();
});

describe('RateLimitWatch', () => {
  it('is 5 s of hold and one report a minute per stream by default', () => {
    expect(RATE_LIMIT_WATCH).toEqual({ holdMs: 5_000, everyMs: 60_000 });
  });

  it('says nothing of a wait that ends before 5 s, and reports one that lasts 5 s when it reaches 5 s', () => {
    const short = watch.held('orders');
    jest.advanceTimersByTime(4_999);
    short();
    jest.advanceTimersByTime(10_000);
    expect(reports).toEqual([]);

    const long = watch.held('orders');
    jest.advanceTimersByTime(4_999);
    expect(reports).toEqual([]);
    jest.advanceTimersByTime(1);
    expect(reports).toEqual([{ stream: 'orders', at: 14_999 + 5_000 }]);
    long();
  });

  it('reports a stream at most once a minute, each stream on its own', () => {
    for (let second = 0; second < 130; second += 5) {
      watch.held('orders');
      watch.held('customers');
      jest.advanceTimersByTime(5_000);
    }
    expect(reports.filter((r) => r.stream === 'orders').map((r) => r.at)).toEqual([5_000, 65_000, 125_000]);
    expect(reports.filter((r) => r.stream === 'customers').map((r) => r.at)).toEqual([5_000, 65_000, 125_000]);
  });

  it("reports a 429's Retry-After of 5 s or more at once, with the quota reset it implies", () => {
    watch.throttled('orders', 4_000, true);
    expect(reports).toEqual([]);
    jest.advanceTimersByTime(1_000);
    watch.throttled('orders', 30_000, true);
    expect(reports).toEqual([{ stream: 'orders', at: 1_000, quotaReset: 31_000 }]);
  });

  it('repeats the report once a minute while a hold lasts, and stops when the request goes', () => {
    const release = watch.held('orders');
    jest.advanceTimersByTime(190_000);
    release();
    jest.advanceTimersByTime(300_000);
    expect(reports.map((r) => r.at)).toEqual([5_000, 65_000, 125_000, 185_000]);
  });

  it('repeats the report once a minute through a long Retry-After, each with the same quota reset, none after the retry', () => {
    watch.throttled('orders', 200_000, true);
    jest.advanceTimersByTime(600_000);
    expect(reports).toEqual([0, 60_000, 120_000, 180_000].map((at) => ({ stream: 'orders', at, quotaReset: 200_000 })));
  });

  it('reports a long backoff after a 429 without Retry-After with no quota reset: the API did not say', () => {
    watch.throttled('customers', 8_000, false);
    expect(reports).toEqual([{ stream: 'customers', at: 0 }]);
  });

  it('ignores streams it was not given, and holds still pending when closed', () => {
    watch.held('products'); // the product list read for child streams: no stream of the catalog
    watch.throttled('connection check', 60_000, true);
    watch.held('orders');
    watch.close();
    jest.advanceTimersByTime(60_000);
    expect(reports).toEqual([]);
  });
});

describe('RateLimitWatch with the request limiter', () => {
  it("reports a request held by the limiter's bucket for 5 s, not the ones that went at once", async () => {
    // A burst of 2 (one kept as headroom) draining 1 request every 10 s.
    const limiter = new RequestLimiter({ capacity: 2, perSecond: 0.1, maxConcurrent: 4 });
    const sent: number[] = [];
    const request = () =>
      limiter.run(
        async () => sent.push(Date.now() - START),
        () => undefined,
        () => watch.held('orders')
      );
    const all = Promise.all([request(), request()]);
    await jest.advanceTimersByTimeAsync(4_999);
    expect(sent).toEqual([0]);
    expect(reports).toEqual([]);
    await jest.advanceTimersByTimeAsync(1);
    expect(reports).toEqual([{ stream: 'orders', at: 5_000 }]);
    await jest.advanceTimersByTimeAsync(5_000);
    await all;
    expect(sent).toEqual([0, 10_000]);
    expect(reports).toHaveLength(1);
    limiter.stop();
  });

  it('tells nobody when a token is there at once', async () => {
    const limiter = new RequestLimiter({ capacity: 40, perSecond: 2, maxConcurrent: 8 });
    let held = 0;
    await Promise.all(Array.from({ length: 10 }, () => limiter.run(async () => undefined, () => undefined, () => (held++, () => undefined))));
    expect(held).toBe(0);
  });
});
