import { PageCap } from '../../src/page-cap';
import { paginate, Page, Rec } from '../../src/pagination';

/** A list served with offset/limit, recording every request; `between` mutates it between pages. */
function listServer(ids: number[], opts: { total?: boolean; cap?: number; between?: (n: number, list: number[]) => void } = {}) {
  const list = [...ids];
  const requests: Array<[number, number]> = [];
  const fetch = async (offset: number, limit: number): Promise<Page> => {
    if (requests.length > 0) opts.between?.(requests.length, list);
    requests.push([offset, limit]);
    const records = list.slice(offset, offset + Math.min(limit, opts.cap ?? Infinity)).map((id) => ({ id }));
    return { records, total: opts.total === false ? undefined : list.length };
  };
  return { fetch, requests, list };
}

async function readAll(fetch: (o: number, l: number) => Promise<Page>, pageSize = 5, pageCap?: PageCap): Promise<number[]> {
  const out: number[] = [];
  for await (const page of paginate(fetch, { pageSize, keyOf: (r: Rec) => r.id, what: 'test list', stream: 'test', pageCap })) {
    out.push(...page.records.map((r) => r.id));
  }
  return out;
}

const range = (n: number, from = 1) => Array.from({ length: n }, (_, i) => i + from);

describe('paginate', () => {
  it.each([0, 1, 4, 5, 6, 10, 11, 23])('reads a list of %i records exactly once, with a total', async (n) => {
    const server = listServer(range(n));
    expect(await readAll(server.fetch)).toEqual(range(n));
    // A known total ends the list without a trailing request: ceil(n / 5) requests, at least one.
    expect(server.requests).toHaveLength(Math.max(1, Math.ceil(n / 5)));
  });

  it.each([0, 1, 4, 5, 6, 9, 10, 11, 23])('reads a list of %i records exactly once, without a total: floor(n / 5) + 1 requests, plus the run\'s one probe', async (n) => {
    // A run that has already seen a full overlapped page (6 records) knows short pages are ends.
    const informed = new PageCap();
    informed.served(6);
    const server = listServer(range(n), { total: false });
    expect(await readAll(server.fetch, 5, informed)).toEqual(range(n));
    expect(server.requests).toHaveLength(Math.floor(n / 5) + 1);
    expect(informed.probes).toBe(0);

    // A run that knows nothing yet may have to read one page further to tell an end from a cap.
    const fresh = new PageCap();
    const again = listServer(range(n), { total: false });
    expect(await readAll(again.fetch, 5, fresh)).toEqual(range(n));
    expect(fresh.probes).toBeLessThanOrEqual(1);
    expect(again.requests).toHaveLength(Math.floor(n / 5) + 1 + fresh.probes);
  });

  it('overlaps each page by the last record read, asking for one more', async () => {
    const server = listServer(range(12));
    await readAll(server.fetch);
    expect(server.requests).toEqual([
      [0, 5],
      [4, 6],
      [9, 6],
    ]);
  });

  it('loses nothing when records before the offset are deleted between pages', async () => {
    const server = listServer(range(30), {
      between: (n, list) => {
        if (n === 2) list.splice(0, 3); // three records already read disappear
      },
    });
    const got = await readAll(server.fetch);
    expect(new Set(got).size).toBe(got.length);
    for (const id of range(30, 1).filter((id) => id > 3)) expect(got).toContain(id);
  });

  it('loses nothing and repeats nothing when records are inserted before the offset', async () => {
    const server = listServer(range(20, 10), {
      between: (n, list) => {
        if (n === 1) list.unshift(1, 2);
      },
    });
    const got = await readAll(server.fetch);
    expect(new Set(got).size).toBe(got.length);
    for (const id of range(20, 10)) expect(got).toContain(id);
  });

  it('loses nothing when the last record read is itself deleted', async () => {
    const server = listServer(range(20), {
      between: (n, list) => {
        if (n === 1) list.splice(list.indexOf(5), 1);
      },
    });
    const got = await readAll(server.fetch);
    expect(got.filter((id) => id !== 5)).toEqual(range(20).filter((id) => id !== 5));
  });

  it('reads a silently capped list to the end when the API gives a total', async () => {
    const server = listServer(range(23), { cap: 3 });
    expect(await readAll(server.fetch)).toEqual(range(23));
  });

  it('reads on when the page size equals a silent cap, without a total', async () => {
    // page size 5, the API caps at 5: the overlapped request for 6 comes back with 5.
    const server = listServer(range(17), { cap: 5, total: false });
    expect(await readAll(server.fetch)).toEqual(range(17));
  });

  it('fails on a page identical to the one before (offset ignored) within two pages', async () => {
    const requests: number[] = [];
    const fetch = async (offset: number): Promise<Page> => {
      requests.push(offset);
      return { records: range(5).map((id) => ({ id })) };
    };
    await expect(readAll(fetch)).rejects.toThrow(/same page twice for test list/);
    expect(requests).toHaveLength(2);
  });

  it('fails when pages stop bringing new records', async () => {
    // A server that honours limit but not offset, and claims a large total.
    const fetch = async (_offset: number, limit: number): Promise<Page> => ({
      records: range(limit).map((id) => ({ id })),
      total: 1000,
    });
    await expect(readAll(fetch)).rejects.toThrow(/test list/);
  });
});
