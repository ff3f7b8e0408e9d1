import { decodeIds, encodeIds } from '../../src/read/deletions';
import { deletionCursorValue } from '../../src/read/cursors';

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
  it('is the greatest of the saved state, the moment seen and the entity\'s own value', () => {
    expect(deletionCursorValue('updated_at_utc', { updated_at_utc: '2025-07-01T00:00:00Z' }, at)).toBe('2025-07-01T00:00:00.000Z');
    expect(deletionCursorValue('updated_at_utc', { updated_at_utc: '2025-05-01T00:00:00Z' }, at)).toBe('2025-06-01T00:00:00.000Z');
    expect(deletionCursorValue('updated_at_utc', undefined, at, { updated_at_utc: '2025-08-01T00:00:00Z' })).toBe('2025-08-01T00:00:00.000Z');
  });
});
