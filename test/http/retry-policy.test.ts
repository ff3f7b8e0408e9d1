import { askAgainAfter404, backoffMs, retryAfterMs } from '../../src/http/retry-policy';

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

describe('askAgainAfter404', () => {
  it('asks the keys that answered 404 again after one wait per round, until they answer or the rounds run out', async () => {
    const answersFrom: Record<string, number> = { a: 1, b: 3, c: 99 };
    const asked: string[] = [];
    const rounds: Array<[string[], number]> = [];
    let round = 0;
    const result = await askAgainAfter404(['a', 'b', 'c'], async (key: string) => {
      asked.push(`${round}:${key}`);
      return round >= answersFrom[key] ? { key } : undefined;
    }, {
      retries: 3,
      backoffFactor: 0.01,
      before: (keys, attempt, waitMs) => {
        round = attempt;
        rounds.push([keys, attempt]);
        expect(waitMs).toBeGreaterThanOrEqual(backoffMs(attempt, 0.01, () => 0));
      },
    });
    expect(rounds).toEqual([[['a', 'b', 'c'], 1], [['b', 'c'], 2], [['b', 'c'], 3]]);
    expect(asked).toEqual(['1:a', '1:b', '1:c', '2:b', '2:c', '3:b', '3:c']);
    expect(result).toEqual({ found: [{ key: 'a' }, { key: 'b' }], notFound: ['c'] });
  });

  it('asks nothing again with no retries, and stops when `before` throws', async () => {
    const ask = jest.fn(async () => undefined);
    expect(await askAgainAfter404([1], ask, { retries: 0, backoffFactor: 0.01 })).toEqual({ found: [], notFound: [1] });
    await expect(askAgainAfter404([1], ask, { retries: 2, backoffFactor: 0.01, before: () => { throw new Error('gone'); } })).rejects.toThrow('gone');
    expect(ask).not.toHaveBeenCalled();
  });
});
