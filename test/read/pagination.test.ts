import { PageCap } from '../../src/read/page-cap';
import { paginate, Page, Rec } from '../../src/read/pagination';

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

  describe('loop guards, each by name and message', () => {
    it('"same page twice": a server ignoring offset and limit fails within two pages', async () => {
      const requests: number[] = [];
      const fetch = async (offset: number): Promise<Page> => {
        requests.push(offset);
        return { records: range(5).map((id) => ({ id })) };
      };
      await expect(readAll(fetch)).rejects.toThrow('The API returned the same page twice for test list (offsets ignored?): stopped instead of looping.');
      expect(requests).toHaveLength(2);
    });

    it('"same page twice": a server honouring limit but not offset (the first page again, one record longer) fails within two pages', async () => {
      const requests: Array<[number, number]> = [];
      const fetch = async (offset: number, limit: number): Promise<Page> => {
        requests.push([offset, limit]);
        return { records: range(limit).map((id) => ({ id })), total: 1000 };
      };
      await expect(readAll(fetch)).rejects.toThrow('The API returned the same page twice for test list (offsets ignored?): stopped instead of looping.');
      expect(requests).toEqual([
        [0, 5],
        [4, 6],
      ]);
    });

    it('"stopped advancing": pages that differ but bring no new record fail after two such pages', async () => {
      // A list of 10 that wraps around (offset 10 is record 1 again) and claims a total of 1000:
      // pages 3 and 4 ([10,1..5] and [5..10]) differ from each other and from the first, yet hold nothing new.
      const requests: Array<[number, number]> = [];
      const fetch = async (offset: number, limit: number): Promise<Page> => {
        requests.push([offset, limit]);
        return { records: range(limit, offset).map((i) => ({ id: (i % 10) + 1 })), total: 1000 };
      };
      const got: number[] = [];
      const read = (async () => {
        for await (const page of paginate(fetch, { pageSize: 5, keyOf: (r: Rec) => r.id, what: 'test list', stream: 'test' })) {
          got.push(...page.records.map((r) => r.id));
        }
      })();
      await expect(read).rejects.toThrow('Pagination of test list stopped advancing at offset 14: stopped instead of looping.');
      expect(got).toEqual(range(10));
      expect(requests).toHaveLength(4);
    });

    it('"changed too much": a list that keeps shrinking before the offset fails after ten walks back', async () => {
      // Every answer drops the record the next request overlaps on, and everything before the offset:
      // the overlap record is never found, and no page starts with a record already read.
      let next = 1;
      const fetch = async (_offset: number, limit: number): Promise<Page> => {
        const records = range(limit, next).map((id) => ({ id }));
        next += limit + 1000;
        return { records };
      };
      await expect(readAll(fetch)).rejects.toThrow('test list changed too much while it was being read; run the sync again.');
    });
  });

  describe('a list whose order changes (records re-sorted after an update)', () => {
    it('a record already read that moves ahead of the offset does not hide the unread records before it', async () => {
      // Page 1 reads 1..5; then record 2 is updated and re-sorted to just after 8.
      // The next page (offset 4) is [6, 7, 8, 2, 9, 10]: the overlap record 5 slid behind the offset.
      const server = listServer(range(20), {
        total: false,
        between: (n, list) => {
          if (n === 1) list.splice(list.indexOf(8) + 1, 0, ...list.splice(list.indexOf(2), 1));
        },
      });
      const got = await readAll(server.fetch, 5, new PageCap());
      expect(new Set(got).size).toBe(got.length);
      expect([...got].sort((a, b) => a - b)).toEqual(range(20));
    });

    it('the overlap record itself moving down the list does not hide the records that slid before it', async () => {
      // Page 1 reads 1..5; record 5 is re-sorted to after 9: the next page is [6, 7, 8, 9, 5, 10].
      const server = listServer(range(20), {
        between: (n, list) => {
          if (n === 1) list.splice(list.indexOf(9) + 1, 0, ...list.splice(list.indexOf(5), 1));
        },
      });
      const got = await readAll(server.fetch);
      expect(new Set(got).size).toBe(got.length);
      expect([...got].sort((a, b) => a - b)).toEqual(range(20));
    });
  });

  describe('silent page caps: learned once per run, shared by every list', () => {
    const CAPS = [1, 7, 20, 50, 100];
    const PAGE_SIZES = [20, 100, 150, 250];
    const LISTS = [0, 1, 6, 7, 99, 100, 101, 230];
    const cases = CAPS.flatMap((cap) => PAGE_SIZES.flatMap((ps) => [true, false].map((total) => [cap, ps, total] as const)));

    it.each(cases)('cap %i, page size %i, total %s: lists of 0..230 records, read concurrently, lose and repeat nothing', async (cap, ps, total) => {
      const pageCap = new PageCap();
      const servers = LISTS.map((n) => listServer(range(n), { cap, total }));
      const got = await Promise.all(servers.map((s) => readAll(s.fetch, ps, pageCap)));
      got.forEach((ids, i) => expect({ n: LISTS[i], ids }).toEqual({ n: LISTS[i], ids: range(LISTS[i]) }));
      // Without a total, a cap below what is asked for is learned by one probe.
      if (!total && cap < ps) expect(pageCap.proven).toBe(cap);
    });

    it.each(PAGE_SIZES)('an honest server at page size %i without a total: the least requests per list, plus at most one probe in the run', async (ps) => {
      const pageCap = new PageCap();
      const servers = LISTS.map((n) => listServer(range(n), { total: false }));
      await Promise.all(servers.map((s) => readAll(s.fetch, ps, pageCap)));
      const least = LISTS.reduce((sum, n) => sum + Math.floor(n / ps) + 1, 0);
      const sent = servers.reduce((sum, s) => sum + s.requests.length, 0);
      expect(pageCap.probes).toBeLessThanOrEqual(1);
      expect(sent).toBe(least + pageCap.probes);
      expect(pageCap.proven).toBeUndefined();
    });

    it('a cap learned by one list is used by the lists read after it: no second probe', async () => {
      const pageCap = new PageCap();
      const first = listServer(range(30), { cap: 7, total: false });
      expect(await readAll(first.fetch, 20, pageCap)).toEqual(range(30));
      expect(pageCap.probes).toBe(1);
      for (const n of [7, 14, 50]) {
        const later = listServer(range(n), { cap: 7, total: false });
        expect(await readAll(later.fetch, 20, pageCap)).toEqual(range(n));
      }
      expect(pageCap.probes).toBe(1);
    });

    it('logs once when page_size is above what the vendor serves, and once when a cap is learned', async () => {
      const warn = jest.fn();
      const info = jest.fn();
      const pageCap = PageCap.forRun(150, { warn, info });
      for (const n of [180, 230]) {
        const server = listServer(range(n), { cap: 100, total: false });
        expect(await readAll(server.fetch, 150, pageCap)).toEqual(range(n));
      }
      expect(warn.mock.calls).toEqual([[expect.stringContaining('page_size 150 is more than the 100 records per page')]]);
      expect(info.mock.calls).toEqual([[expect.stringContaining('serves at most 100 records per page')]]);
      PageCap.forRun(100, { warn, info });
      expect(warn).toHaveBeenCalledTimes(1);
    });
  });
});
