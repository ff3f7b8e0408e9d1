import { ChangeStamp } from '../../src/read/change-stamp';
import { decodeIds, deletionRecord, encodeIds } from '../../src/read/deletions';

describe('listed_ids: the products state that shows a deletion by absence', () => {
  it('round-trips ids sorted and without duplicates, 0 and ids beyond 32 bits included', () => {
    const ids = [5, 3, 3, 0, 2 ** 40 + 7, 128, 129, 16384];
    expect(decodeIds(encodeIds(ids))).toEqual([0, 3, 5, 128, 129, 16384, 2 ** 40 + 7]);
    expect(decodeIds(encodeIds([]))).toEqual([]);
  });

  it('keeps no set for ids that are not non-negative integers, and reads no foreign or damaged text', () => {
    expect(encodeIds([1, '2'])).toBeUndefined();
    expect(encodeIds([1, -2])).toBeUndefined();
    expect(encodeIds([1.5])).toBeUndefined();
    expect(decodeIds([1, 2, 3])).toBeUndefined();
    expect(decodeIds('1,2,3')).toBeUndefined();
    expect(decodeIds('z1:not deflate!')).toBeUndefined();
  });
});

describe('the cursor of a deletion record', () => {
  const at = Date.parse('2025-06-01T00:00:00Z');
  const deletion = (field: string, saved?: Record<string, string>) =>
    new ChangeStamp(field, field === 'changed_at_utc' ? 'created_at_utc' : field, saved).stamp(deletionRecord(7, field, at), at);

  it("is set by the read's stamp: the greatest of the saved state and the moment seen, for a stream's own cursor (products)", () => {
    expect(deletion('updated_at_utc', { updated_at_utc: '2025-07-01T00:00:00Z' })).toEqual({ id: 7, updated_at_utc: '2025-07-01T00:00:00.000Z', _ab_cdc_deleted_at: '2025-06-01T00:00:00.000Z' });
    expect(deletion('updated_at_utc', { updated_at_utc: '2025-05-01T00:00:00Z' })).toEqual({ id: 7, updated_at_utc: '2025-06-01T00:00:00.000Z', _ab_cdc_deleted_at: '2025-06-01T00:00:00.000Z' });
    expect(deletion('updated_at_utc')).toEqual({ id: 7, updated_at_utc: '2025-06-01T00:00:00.000Z', _ab_cdc_deleted_at: '2025-06-01T00:00:00.000Z' });
  });

  it('and the same way for the derived changed_at_utc (orders, customers), an older state\'s creation position standing for it', () => {
    expect(deletion('changed_at_utc', { changed_at_utc: '2025-07-01T00:00:00Z' }).changed_at_utc).toBe('2025-07-01T00:00:00.000Z');
    expect(deletion('changed_at_utc', { created_at_utc: '2025-08-01T00:00:00Z' }).changed_at_utc).toBe('2025-08-01T00:00:00.000Z');
    expect(deletion('changed_at_utc', { changed_at_utc: '2025-05-01T00:00:00Z' }).changed_at_utc).toBe('2025-06-01T00:00:00.000Z');
  });
});
