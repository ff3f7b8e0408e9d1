/**
 * src/read/newest-first.ts through the one paginator: a list asked newest
 * first stops after the page that reaches a record older than the cursor only
 * where the answers prove the order; otherwise it is read to its end. Pages
 * come from an in-memory list (the acceptance test drives the sandbox).
 */
import { AirbyteLogger } from 'faros-airbyte-cdk';

import { NewestFirst } from '../../src/read/newest-first';
import { paginate, Rec } from '../../src/read/pagination';

const CUTOFF = Date.parse('2024-06-01T00:00:00Z');
const day = (d: number) => new Date(CUTOFF + d * 86_400_000).toISOString();

function harness(list: Rec[], pageSize: number, mayStop = () => true) {
  const said: string[] = [];
  const logger = { info: (m: string) => said.push(m), warn: (m: string) => said.push(m) } as unknown as AirbyteLogger;
  const order = new NewestFirst(CUTOFF, 'created_at_utc', 'pages', logger, mayStop);
  const asked: number[] = [];
  const read = async () => {
    const out: Rec[] = [];
    const fetch = async (offset: number, limit: number) => {
      asked.push(offset);
      return { records: list.slice(offset, offset + limit), total: list.length };
    };
    for await (const page of paginate(fetch, { pageSize, keyOf: (r) => r.id, what: 'pages', stream: 'pages', end: order.newList() })) out.push(...page.records);
    return out.map((r) => r.id);
  };
  return { read, asked, said };
}

const recs = (days: number[]) => days.map((d, i) => ({ id: i + 1, created_at_utc: day(d) }));

describe('a list asked newest first', () => {
  it('stops after the page that holds a record older than the cursor; the ties at the cursor on the next page still come', async () => {
    // 3 new, 2 at the cursor, then older ones: page 1 holds no older record, page 2 does.
    const { read, asked, said } = harness(recs([3, 2, 1, 0, 0, -1, -2, -3, -4, -5, -6]), 4);
    expect(await read()).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(asked).toEqual([0, 3]);
    expect(said.filter((m) => m.includes('read newest first'))).toHaveLength(1);
  });

  it('answers in the default order (oldest first): read to the end, said once', async () => {
    const { read, asked, said } = harness(recs([-6, -5, -4, -3, -2, -1, 0, 1, 2]), 4);
    expect(await read()).toHaveLength(9);
    expect(asked).toEqual([0, 3, 7]);
    expect(said.filter((m) => m.includes('did not answer sort=created_desc newest first'))).toHaveLength(1);
  });

  it('pages each newest first but a later page newer than the one before (boundary): read to the end', async () => {
    // Page 1 holds no older record; page 2 starts with the overlap record, then a newer one.
    const { read, asked, said } = harness(recs([3, 2, 1, 0, 5, 4, 3, -2, -3, -4]), 4);
    expect(await read()).toHaveLength(10);
    expect(asked).toEqual([0, 3, 7]);
    expect(said.filter((m) => m.includes('did not answer sort=created_desc newest first'))).toHaveLength(1);
  });

  it('equal creation times prove nothing: a full page of one time is read past, even with an older record behind it', async () => {
    // All of page 1 share one time before the cursor: no strictly older record yet, so no stop.
    const { read, asked } = harness(recs([-1, -1, -1, -1, -1, -2, -3, -4, -5, -6]), 4);
    expect(await read()).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(asked).toEqual([0, 3]);
  });

  it('single-record pages prove the order across their boundaries only', async () => {
    const { read, asked } = harness(recs([1, -1, -2, -3, -4, -5, -6, -7, -8, -9, -10]), 1);
    // One record a page proves nothing alone; across the boundaries, the 8th record in order (older than the
    // cursor) is the proof: the list stops there, three records before its end.
    expect(await read()).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(asked).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
  });

  it('a record without a creation time: the order is not proven, the list is read to its end', async () => {
    const list: Rec[] = [...recs([2, 1]), { id: 3 }, ...recs([-1, -2, -3]).map((r) => ({ ...r, id: r.id + 3 }))];
    const { read } = harness(list, 3);
    expect(await read()).toHaveLength(6);
  });

  it('does not stop while the cursor says it may not (a change the events log named is not yet brought), then stops', async () => {
    let asked: number[] = [];
    const h = harness(recs([1, -1, -2, -3, -4, -5, -6, -7, -8, -9, -10, -11, -12, -13]), 3, () => asked.length >= 4);
    asked = h.asked;
    // Page 3 already holds the proof (9 records in order, older ones among them; each later page starts with
    // the one before's last record), but the cursor lets the list stop only after page 4.
    expect(await h.read()).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    expect(asked).toEqual([0, 2, 5, 8]);
  });
});

describe('a list asked newest first, with pages smaller than the proof', () => {
  it('a few records in order prove nothing: with a page size of 2, the list is read on until 8 records came in order', async () => {
    // An unsorted list whose first page happens to fall in order (newer, then older than the cursor), and a
    // record newer than the cursor further on: page 1 alone must not stop it.
    const list = recs([1, -1, -2, 4, -3, -4, 2, -5, -6]);
    const { read, asked } = harness(list, 2);
    expect(await read()).toEqual(list.map((r) => r.id));
    expect(asked.length).toBeGreaterThan(1);
  });

  it('once 8 records came in order, a page that reaches an older record stops the list', async () => {
    const { read, asked } = harness(recs([9, 8, 7, 6, 5, 4, 3, 2, 1, -1, -2, -3, -4, -5, -6, -7]), 2);
    const got = await read();
    expect(got.length).toBeLessThan(16);
    expect(got).toEqual(Array.from({ length: got.length }, (_, i) => i + 1));
    expect(got.length).toBeGreaterThanOrEqual(10);
    expect(asked.length).toBeLessThan(15);
  });
});
