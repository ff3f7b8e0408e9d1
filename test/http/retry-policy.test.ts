import { backoffMs, retryAfterMs } from '../../src/http/retry-policy';

describe('retryAfterMs', () => {
  const now = Date.parse('2024-03-05T10:00:00Z');
  it('reads delta-seconds', () => {
    expect(retryAfterMs('3', now)).toBe(3000);
    expect(retryAfterMs(' 1.5 ', now)).toBe(1500);
  });
  it('reads an HTTP date', () => {
    expect(retryAfterMs('Tue, 05 Mar 2024 10:00:07 GMT', now)).toBe(7000);
  });
  it.each([['0'], ['-4'], [''], [undefined], ['soon'], ['Tue, 05 Mar 2024 09:59:00 GMT']])(
    'falls back (undefined) for %j',
    (header) => expect(retryAfterMs(header, now)).toBeUndefined()
  );
});

describe('backoffMs', () => {
  it('grows as factor^attempt seconds, with up to 20 % jitter', () => {
    expect([1, 2, 3].map((a) => backoffMs(a, 2, () => 0))).toEqual([2000, 4000, 8000]);
    expect(backoffMs(3, 2, () => 1)).toBe(9600);
    expect(backoffMs(1, 0.5, () => 0.5)).toBe(550);
  });
});
