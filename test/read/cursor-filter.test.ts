import { CursorFilter } from '../../src/read/cursor-filter';
import { deriveTimestamps } from '../../src/read/dialect';

const at = (iso: string) => ({ created_at_utc: iso });

describe('CursorFilter', () => {
  it('emits records at or after the state, compared as instants, not strings', () => {
    const f = new CursorFilter('created_at_utc', 'orders', { created_at_utc: '2024-03-01T10:00:00Z' }, undefined);
    expect(f.accepts(at('2024-03-01T10:00:00Z'))).toBe(true); // a tie is re-emitted
    expect(f.accepts(at('2024-03-01T10:00:00.000+00:00'))).toBe(true);
    expect(f.accepts(at('2024-03-01T11:30:00+02:00'))).toBe(false); // 09:30Z, lexically later
    expect(f.accepts(at('2024-03-01T09:59:59.999Z'))).toBe(false);
    expect(f.accepts(at('2024-03-01T10:00:00.001Z'))).toBe(true);
    expect(f.accepts({ created_at_utc: 'Fri, 01 Mar 2024 12:00:00 +0200' })).toBe(true);
  });

  it('emits records without a cursor value and leaves the state alone', () => {
    const f = new CursorFilter('created_at_utc', 'orders', { created_at_utc: '2024-03-01T10:00:00Z' }, undefined);
    expect(f.accepts({ created_at_utc: null })).toBe(true);
    expect(f.accepts({})).toBe(true);
    expect(f.final(undefined)).toEqual({ created_at_utc: '2024-03-01T10:00:00.000Z' });
  });

  it('applies start_date on every read: a first sync, a later one, and one whose lookback window reaches before it', () => {
    const first = new CursorFilter('created_at_utc', 'orders', undefined, '2024-01-01T00:00:00.000Z');
    expect(first.accepts(at('2023-12-31T23:59:59Z'))).toBe(false);
    expect(first.accepts(at('2024-01-01T00:00:00Z'))).toBe(true);
    const later = new CursorFilter('created_at_utc', 'orders', { created_at_utc: '2023-06-01T00:00:00Z' }, '2024-01-01T00:00:00.000Z');
    expect(later.accepts(at('2023-12-31T23:59:59Z'))).toBe(false);
    expect(later.accepts(at('2024-01-01T00:00:00Z'))).toBe(true);
    // The case: state 2024-06-10, start_date 2024-06-01, a 30-day lookback.
    const day = 24 * 60 * 60 * 1000;
    const windowed = new CursorFilter('created_at_utc', 'orders', { created_at_utc: '2024-06-10T00:00:00Z' }, '2024-06-01T00:00:00Z', undefined, 30 * day);
    expect(windowed.accepts(at('2024-05-11T00:00:00Z'))).toBe(false);
    expect(windowed.accepts(at('2024-05-31T23:59:59Z'))).toBe(false);
    expect(windowed.accepts(at('2024-06-01T00:00:00Z'))).toBe(true);
    expect(windowed.since).toBe(Date.parse('2024-06-01T00:00:00Z'));
  });

  it('keeps the previous state in mid-stream checkpoints and the maximum at the end', () => {
    const f = new CursorFilter('created_at_utc', 'orders', { created_at_utc: '2024-01-01T00:00:00Z' }, undefined);
    f.accepts(at('2024-05-01T00:00:00Z'));
    f.accepts(at('2024-02-01T00:00:00Z'));
    expect(f.startingState()).toEqual({ created_at_utc: '2024-01-01T00:00:00.000Z' });
    expect(f.final(undefined)).toEqual({ created_at_utc: '2024-05-01T00:00:00.000Z' });
  });

  it('caps the final state at the server clock of the stream start', () => {
    const f = new CursorFilter('created_at_utc', 'orders', undefined, undefined);
    f.accepts(at('2024-05-01T00:00:00Z'));
    expect(f.final(Date.parse('2024-04-01T00:00:00Z'))).toEqual({ created_at_utc: '2024-04-01T00:00:00.000Z' });
  });

  it('never moves the state backwards', () => {
    const f = new CursorFilter('created_at_utc', 'orders', { created_at_utc: '2099-01-01T00:00:00Z' }, undefined);
    expect(f.accepts(at('2024-05-01T00:00:00Z'))).toBe(false);
    expect(f.final(Date.parse('2024-06-01T00:00:00Z'))).toEqual({ created_at_utc: '2099-01-01T00:00:00.000Z' });
    const g = new CursorFilter('created_at_utc', 'orders', { created_at_utc: '2024-05-01T00:00:00Z' }, undefined);
    g.accepts(at('2024-06-01T00:00:00Z'));
    expect(g.final(Date.parse('2024-01-01T00:00:00Z'))).toEqual({ created_at_utc: '2024-05-01T00:00:00.000Z' });
  });

  it.each(['soon', '1', 'March 7', '2024-13-45'])('rejects a state value that is not an ISO 8601 or RFC 2822 timestamp (%j), naming the stream', (value) => {
    expect(() => new CursorFilter('created_at_utc', 'orders', { created_at_utc: value }, undefined)).toThrow(
      /stream 'orders'.*not an ISO 8601 or RFC 2822 timestamp/
    );
  });

  it('emits records whose cursor is not a timestamp ("1", "March 7"), leaves the state alone, and warns once per stream', () => {
    const warnings: string[] = [];
    const logger = { warn: (m: string) => warnings.push(m) } as never;
    const f = new CursorFilter('created_at_utc', 'orders', { created_at_utc: '2024-01-01T00:00:00Z' }, undefined, logger);
    expect(f.accepts({ id: 1, created_at_utc: '1' })).toBe(true);
    expect(f.accepts({ id: 2, created_at_utc: 'March 7' })).toBe(true);
    expect(f.accepts(at('2024-02-01T00:00:00Z'))).toBe(true);
    expect(f.final(undefined)).toEqual({ created_at_utc: '2024-02-01T00:00:00.000Z' });
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/'orders': record 1 has "1"/);
  });

  it('a vendor time the dialect cannot read (+01, BST) is kept as sent beside a null derived field, and warned once per stream, naming it', () => {
    const warnings: string[] = [];
    const logger = { warn: (m: string) => warnings.push(m) } as never;
    const f = new CursorFilter('created_at_utc', 'orders', { created_at_utc: '2024-01-01T00:00:00Z' }, undefined, logger);
    const bst = deriveTimestamps({ id: 7, created: 'Mon, 01 Jul 2024 10:00:00 BST' });
    const offset = deriveTimestamps({ id: 8, created: '2024-07-01T10:00:00+01' });
    expect(bst).toEqual({ id: 7, created: 'Mon, 01 Jul 2024 10:00:00 BST', created_at_utc: null });
    expect(offset).toEqual({ id: 8, created: '2024-07-01T10:00:00+01', created_at_utc: null });
    expect(f.accepts(bst)).toBe(true);
    expect(f.accepts(offset)).toBe(true);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/'orders': record 7 has "Mon, 01 Jul 2024 10:00:00 BST" in 'created', which is not an ISO 8601 or RFC 2822 timestamp \(kept as sent; 'created_at_utc' is null\)/);
  });

  it('a lookback widens what is emitted before a saved state, never the state itself nor start_date', () => {
    const day = 24 * 60 * 60 * 1000;
    const f = new CursorFilter('created_at_utc', 'orders', { created_at_utc: '2024-03-31T00:00:00Z' }, undefined, undefined, 30 * day);
    expect(f.since).toBe(Date.parse('2024-03-01T00:00:00Z'));
    expect(f.accepts(at('2024-03-01T00:00:00Z'))).toBe(true); // inside the window
    expect(f.accepts(at('2024-02-29T23:59:59Z'))).toBe(false); // outside
    expect(f.startingState()).toEqual({ created_at_utc: '2024-03-31T00:00:00.000Z' });
    expect(f.final(undefined)).toEqual({ created_at_utc: '2024-03-31T00:00:00.000Z' }); // window records never move it
    expect(f.accepts(at('2024-04-02T00:00:00Z'))).toBe(true);
    expect(f.final(undefined)).toEqual({ created_at_utc: '2024-04-02T00:00:00.000Z' });
    const first = new CursorFilter('created_at_utc', 'orders', undefined, '2024-01-01T00:00:00.000Z', undefined, 30 * day);
    expect(first.accepts(at('2023-12-31T23:59:59Z'))).toBe(false);
  });
});
