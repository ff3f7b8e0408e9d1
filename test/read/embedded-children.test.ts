/**
 * Issue 21 (1): what a run learns about cut embedded arrays, and when it trusts
 * one. A server cutting at N sends every product with N or more children as an
 * array of exactly N; the rule must never hand over such an array as whole.
 */
import { EmbeddedChildren } from '../../src/read/embedded-children';
import { Rec } from '../../src/read/pagination';

const arrayOf = (n: number, base = 0): Rec[] => Array.from({ length: n }, (_, i) => ({ id: base + i }));

/** A product record as the products list sends it, its images cut at `cap` (0: whole). */
const product = (id: number, images: number, cap = 0): Rec => ({ id, images: arrayOf(cap > 0 ? Math.min(images, cap) : images, id * 1000) });

describe('EmbeddedChildren: which embedded arrays are whole', () => {
  it('the first product of a run is never trusted: nothing yet shows how long an array the server sends', () => {
    for (const n of [0, 1, 7]) {
      const embedded = new EmbeddedChildren(['images']);
      embedded.takeFrom(product(1, n));
      expect(embedded.take('images', 1)).toBeUndefined();
    }
  });

  it('an array shorter than the longest seen is whole; one as long as the longest is read from its list', () => {
    const embedded = new EmbeddedChildren(['images']);
    for (const [id, n] of [[1, 4], [2, 2], [3, 4], [4, 0]]) embedded.takeFrom(product(id, n));
    expect(embedded.take('images', 1)).toBeUndefined();
    expect(embedded.take('images', 2)).toEqual(arrayOf(2, 2000));
    expect(embedded.take('images', 3)).toBeUndefined();
    expect(embedded.take('images', 4)).toEqual([]);
    expect(embedded.take('images', 2)).toBeUndefined(); // handed over once
  });

  it('a missing array is read from the list; the product record loses its embedded arrays either way', () => {
    const embedded = new EmbeddedChildren(['images', 'variations']);
    const p = { id: 1, title: 'Mug', images: arrayOf(1), variations: 'not a list' };
    embedded.takeFrom({ id: 9, images: arrayOf(5), variations: arrayOf(5) });
    embedded.takeFrom(p);
    expect(p).toEqual({ id: 1, title: 'Mug' });
    expect(embedded.take('images', 1)).toEqual(arrayOf(1));
    expect(embedded.take('variations', 1)).toBeUndefined();
  });

  it('a server that embeds some names and not others (options absent): those products are read from their lists, said once in the log, and the other names stay trusted', () => {
    const log: string[] = [];
    const embedded = new EmbeddedChildren(['images', 'options'], (m) => log.push(m));
    expect(embedded.params).toEqual({ embed: 'images,options' });
    for (const id of [1, 2, 3]) embedded.takeFrom({ id, images: arrayOf(4 - id, id * 1000) });
    for (const id of [1, 2, 3]) expect(embedded.take('options', id)).toBeUndefined();
    expect(embedded.take('images', 3)).toEqual(arrayOf(1, 3000));
    expect(log).toHaveLength(1);
    expect(log[0]).toMatch(/did not embed options although embed=options was asked \(product 1 came without them\)/);
  });

  it('each name learns on its own: long images say nothing about variations', () => {
    const embedded = new EmbeddedChildren(['images', 'variations']);
    embedded.takeFrom({ id: 1, images: arrayOf(9), variations: arrayOf(3) });
    embedded.takeFrom({ id: 2, images: arrayOf(3), variations: arrayOf(3) });
    expect(embedded.take('images', 2)).toEqual(arrayOf(3));
    expect(embedded.take('variations', 2)).toBeUndefined();
  });

  it('a list longer than its embedded array proves the cut: logged once; shorter arrays stay trusted until a longer one shows the server does not cut at one length', () => {
    const log: string[] = [];
    const embedded = new EmbeddedChildren(['images'], (m) => log.push(m));
    for (const [id, n] of [[1, 5], [2, 5], [3, 2]]) embedded.takeFrom(product(id, n));
    expect(embedded.take('images', 1)).toBeUndefined();
    expect(embedded.take('images', 2)).toBeUndefined();
    embedded.checked('images', 1, 5); // whole after all: proves nothing
    expect(log).toEqual([]);
    embedded.checked('images', 2, 12);
    embedded.checked('images', 2, 12); // reported twice: counted once
    expect(log).toHaveLength(1);
    expect(log[0]).toMatch(/cuts embedded images short.*product 2 carried 5 and its own list holds 12/);
    embedded.takeFrom(product(4, 4));
    expect(embedded.take('images', 3)).toEqual(arrayOf(2, 3000));
    expect(embedded.take('images', 4)).toEqual(arrayOf(4, 4000));
    // An array longer than the proven cut: the server does not cut at one length, nothing is trusted after.
    embedded.takeFrom(product(5, 8));
    embedded.takeFrom(product(6, 1));
    expect(embedded.take('images', 5)).toBeUndefined();
    expect(embedded.take('images', 6)).toBeUndefined();
  });
});

describe('EmbeddedChildren against a server cutting at 1, 3, 5, 9, 10, 50 or not at all', () => {
  /** A shop of 300 products with 0-12 children, a few with 20, 21 and 45 (as the sandbox), in a fixed pseudo-random order. */
  const counts = (() => {
    let seed = 7;
    const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    return Array.from({ length: 300 }, (_, i) => ([17, 140, 290].includes(i) ? [20, 21, 45][[17, 140, 290].indexOf(i)] : Math.floor(next() * 13)));
  })();

  it.each([1, 3, 5, 9, 10, 50, 0])('cap %i (0: none): no cut array is ever handed over as whole, the cut is logged once, and at most a handful of products beyond those the cap forces are read from their lists', (cap) => {
    const log: string[] = [];
    const embedded = new EmbeddedChildren(['images'], (m) => log.push(m));
    const got = new Map<number, number>();
    let readFromList = 0;
    // Pages of 20 products; the child stream takes a page's products while the next page is read,
    // and its list reads (several in flight) report back in no particular order.
    const pending: number[] = [];
    for (let start = 0; start < counts.length; start += 20) {
      const page = counts.slice(start, start + 20).map((n, i) => product(start + i + 1, n, cap));
      for (const p of page) embedded.takeFrom(p);
      for (const p of page) {
        const whole = embedded.take('images', p.id);
        if (whole) got.set(p.id, whole.length);
        else pending.push(p.id);
      }
      while (pending.length > 3) {
        const id = pending.splice(pending.length % 2 ? 0 : pending.length - 1, 1)[0];
        readFromList++;
        got.set(id, counts[id - 1]);
        embedded.checked('images', id, counts[id - 1]);
      }
    }
    for (const id of pending.splice(0)) {
      readFromList++;
      got.set(id, counts[id - 1]);
      embedded.checked('images', id, counts[id - 1]);
    }

    expect([...got.entries()].filter(([id, n]) => n !== counts[id - 1])).toEqual([]);
    expect(got.size).toBe(counts.length);
    const forced = cap === 0 ? 0 : counts.filter((n) => n >= cap).length;
    expect({ readFromList, forced, withinAHandful: readFromList - forced <= 5 }).toEqual({ readFromList, forced, withinAHandful: true });
    expect(log).toHaveLength(cap === 0 || cap > 45 ? 0 : 1);
  });
});

describe('EmbeddedChildren.room: how far the products list may run ahead of the child streams', () => {
  afterEach(() => jest.useRealTimers());

  /** Whether `promise` has settled once pending callbacks ran. */
  async function settled(promise: Promise<unknown>): Promise<boolean> {
    let done = false;
    void promise.then(() => (done = true));
    await jest.advanceTimersByTimeAsync(0);
    return done;
  }

  /** Five products embedding one image and one variation each, both streams following the list. */
  function fiveHeld() {
    const embedded = new EmbeddedChildren(['images', 'variations']);
    embedded.follow('images');
    embedded.follow('variations');
    for (let id = 1; id <= 5; id++) embedded.takeFrom({ id, images: arrayOf(1), variations: arrayOf(1) });
    return embedded;
  }

  it('waits while a following stream has more than the limit of products untaken, and goes on once takes bring it back', async () => {
    jest.useFakeTimers();
    const embedded = fiveHeld();
    expect(await settled(embedded.room(5, 2_000))).toBe(true);
    const room = embedded.room(3, 2_000);
    expect(await settled(room)).toBe(false);
    for (const id of [1, 2]) embedded.take('images', id);
    // images hold 3 products now, variations still 5: the list waits for the slowest stream.
    expect(await settled(room)).toBe(false);
    for (const id of [1, 2]) embedded.take('variations', id);
    expect(await settled(room)).toBe(true);
  });

  it('no array taken for the stall time (a stream held back by the rate limit): that wait ends, and the next one waits again', async () => {
    jest.useFakeTimers();
    const embedded = fiveHeld();
    const room = embedded.room(1, 2_000);
    await jest.advanceTimersByTimeAsync(1_999);
    expect(await settled(room)).toBe(false);
    await jest.advanceTimersByTimeAsync(1);
    expect(await settled(room)).toBe(true);
    expect(await settled(embedded.room(1, 2_000))).toBe(false);
  });

  it('a stream that ended (done, failed, or finished by an earlier attempt): its arrays are dropped, no more are kept, and the list stops waiting for it', async () => {
    jest.useFakeTimers();
    const embedded = fiveHeld();
    for (let id = 1; id <= 5; id++) embedded.take('images', id);
    const room = embedded.room(1, 60_000);
    expect(await settled(room)).toBe(false);
    embedded.release('variations');
    expect(await settled(room)).toBe(true);
    embedded.takeFrom({ id: 6, images: arrayOf(1), variations: arrayOf(1) });
    expect(embedded.take('variations', 6)).toBeUndefined();
    expect(embedded.take('variations', 3)).toBeUndefined();
  });

  it('a stream that does not follow the list (not started yet) is not waited for; its arrays are kept for it', async () => {
    jest.useFakeTimers();
    const embedded = new EmbeddedChildren(['images']);
    embedded.takeFrom({ id: 9, images: arrayOf(3) }); // the longest seen: the next shorter arrays are whole
    for (let id = 1; id <= 5; id++) embedded.takeFrom({ id, images: arrayOf(1) });
    expect(await settled(embedded.room(1, 60_000))).toBe(true);
    expect(embedded.take('images', 4)).toEqual(arrayOf(1));
  });

  it('arrays of a name the server left out of a later product are not waited for (that stream reads whole lists)', async () => {
    jest.useFakeTimers();
    const embedded = fiveHeld();
    for (let id = 1; id <= 5; id++) embedded.take('images', id);
    embedded.takeFrom({ id: 6, images: arrayOf(1) }); // no variations
    expect(embedded.carries('variations')).toBe(false);
    expect(await settled(embedded.room(1, 60_000))).toBe(true);
  });
});
