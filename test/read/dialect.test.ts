import { deriveTimestamps, readPage, readRecord, toIsoUtc, zoneUuid } from '../../src/read/dialect';

describe('readPage', () => {
  it('reads the documented envelope with its total', () => {
    expect(readPage({ data: [{ id: 1 }], total: 7 })).toEqual({ records: [{ id: 1 }], total: 7 });
    expect(readPage({ data: [], meta: { total: 0 } })).toEqual({ records: [], total: 0 });
  });
  it('reads the vendor bare array, without a total', () => {
    expect(readPage([{ id: 1 }])).toEqual({ records: [{ id: 1 }] });
  });
  it.each([[{ message: 'ok' }], ['<html>'], [null], [{ data: {} }]])('refuses %j', (body) => {
    expect(readPage(body)).toBeUndefined();
  });
});

describe('readRecord', () => {
  it('reads one record: under "data" (documented form) or bare with its id (vendor form)', () => {
    expect(readRecord({ data: { id: 5, status: 'paid' } })).toEqual({ id: 5, status: 'paid' });
    expect(readRecord({ id: 5, status: { id: 2, name: 'Paid' } })).toEqual({ id: 5, status: { id: 2, name: 'Paid' } });
    // A bare record that carries a field named data (the vendor's events do) stays whole.
    expect(readRecord({ id: 9, data: { id: 1 } })).toEqual({ id: 9, data: { id: 1 } });
    expect(readRecord({ data: [{ id: 1 }] })).toBeUndefined();
    expect(readRecord([{ id: 1 }])).toBeUndefined();
    expect(readRecord(null)).toBeUndefined();
  });
});

describe('deriveTimestamps', () => {
  it('derives ISO UTC cursor fields from RFC 2822 vendor fields', () => {
    expect(deriveTimestamps({ createdAt: 'Tue, 05 Mar 2024 10:15:00 +0000', updatedAt: 'Tue, 05 Mar 2024 12:15:00 +0200' })).toMatchObject({
      created_at_utc: '2024-03-05T10:15:00.000Z',
      updated_at_utc: '2024-03-05T10:15:00.000Z',
    });
    expect(deriveTimestamps({ created: '2024-03-05T10:15:00+01:00' }).created_at_utc).toBe('2024-03-05T09:15:00.000Z');
  });
  it('keeps fields the API already sends, and marks unreadable ones null', () => {
    expect(deriveTimestamps({ created_at_utc: '2024-01-01T00:00:00Z', createdAt: 'x' }).created_at_utc).toBe('2024-01-01T00:00:00Z');
    expect(deriveTimestamps({ createdAt: 'not a date' }).created_at_utc).toBeNull();
    expect(deriveTimestamps({ id: 1 })).toEqual({ id: 1 });
  });
  it('reads fractional seconds and offsets', () => {
    expect(toIsoUtc('2024-03-05T10:15:00.123456+00:00')).toBe('2024-03-05T10:15:00.123Z');
    expect(toIsoUtc('2024-03-05T10:15:00')).toBe('2024-03-05T10:15:00.000Z');
  });
});

describe('zoneUuid', () => {
  it.each([
    ['2024-03-01', '2024-03-01T00:00:00.000Z'],
    ['2024-03-01 10:00', '2024-03-01T10:00:00.000Z'],
    ['2024-03-01T11:30:00+0200', '2024-03-01T09:30:00.000Z'],
    ['Fri, 01 Mar 2024 12:00:00 +0200', '2024-03-01T10:00:00.000Z'],
    ['01 Mar 2024 12:00 GMT', '2024-03-01T12:00:00.000Z'],
  ])('accepts ISO 8601 and RFC 2822: %j', (value, iso) => {
    expect(toIsoUtc(value)).toBe(iso);
  });

  it.each(['1', 'March 7', '2024', 'soon', 'Friday', '2024-13-45', '12/03/2024', ''])('refuses what Date.parse alone would guess at: %j', (value) => {
    expect(toIsoUtc(value)).toBeUndefined();
  });

  it('gives the same zone the same uuid every time, and different zones different ones', () => {
    const a = zoneUuid({ id: 1, name: 'UK' });
    expect(zoneUuid({ id: 1, name: 'UK renamed' })).toBe(a);
    expect(a).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    const all = new Set(Array.from({ length: 5000 }, (_, id) => zoneUuid({ id })));
    expect(all.size).toBe(5000);
  });
});
