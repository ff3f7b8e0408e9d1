/**
 * RequestLimiter against a strict leaky-bucket API, on a fake clock: the
 * requests' arrival times are the limiter's own schedule, not the machine's
 * speed, so "never throttled" is decided by the pacing alone.
 */
import { RequestLimiter } from '../../src/http/rate-limiter';

/** An API that drains `perSecond` from a bucket of `capacity` and answers 429 to a request that would overflow it. */
function leakyBucketApi(capacity: number, perSecond: number, answerMs: number) {
  let level = 0;
  let last = Date.now();
  const arrivals: number[] = [];
  let throttled = 0;
  const exchange = async (): Promise<number> => {
    const now = Date.now();
    level = Math.max(0, level - ((now - last) / 1000) * perSecond);
    last = now;
    arrivals.push(now);
    const status = level + 1 > capacity + 1e-9 ? 429 : 200;
    if (status === 429) throttled++;
    else level++;
    await new Promise((resolve) => setTimeout(resolve, answerMs));
    return status;
  };
  return { exchange, arrivals, throttled: () => throttled };
}

/** Sends n requests at once through the limiter and lets the fake clock run until all are answered. */
async function burst(limiter: RequestLimiter, api: ReturnType<typeof leakyBucketApi>, n: number) {
  const waits: number[] = [];
  const all = Promise.all(Array.from({ length: n }, () => limiter.run(api.exchange, (ms) => waits.push(ms))));
  await jest.advanceTimersByTimeAsync(60_000);
  return { statuses: await all, waits };
}

describe('RequestLimiter on a fake clock', () => {
  beforeEach(() => jest.useFakeTimers({ now: 1_700_000_000_000 }));
  afterEach(() => jest.useRealTimers());

  it('paces 60 requests sent at once so that an API with the same bucket (5, 20/s) answers 0 × 429', async () => {
    const api = leakyBucketApi(5, 20, 30);
    const limiter = new RequestLimiter({ capacity: 5, perSecond: 20, maxConcurrent: 8 });
    const { statuses, waits } = await burst(limiter, api, 60);

    expect(statuses.filter((s) => s === 429)).toHaveLength(0);
    expect(api.throttled()).toBe(0);
    // Paced, not merely lucky: the burst (4, one slot of headroom) left at once, the rest at 20/s.
    const span = api.arrivals[api.arrivals.length - 1] - api.arrivals[0];
    expect(span).toBeGreaterThanOrEqual(((60 - 4) / 20) * 1000);
    expect(span).toBeLessThan(((60 - 4) / 20) * 1000 + 100);
    expect(waits.filter((ms) => ms > 0).length).toBeGreaterThanOrEqual(56);
  });

  it('control: with pacing off (capacity 0) the same API throttles the same requests', async () => {
    const api = leakyBucketApi(5, 20, 30);
    const limiter = new RequestLimiter({ capacity: 0, perSecond: 20, maxConcurrent: 8 });
    const { statuses } = await burst(limiter, api, 60);
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThan(0);
  });

  it('after a 429 (throttled()), the next request waits one drain interval instead of bursting', async () => {
    const api = leakyBucketApi(5, 2, 10);
    const limiter = new RequestLimiter({ capacity: 5, perSecond: 2, maxConcurrent: 8 });
    await burst(limiter, api, 1); // the burst is not spent
    limiter.throttled();
    const { waits } = await burst(limiter, api, 1);
    expect(waits).toEqual([500]);
  });
});
