/**
 * The one comparison with the sandbox's truth (scripts/truth-check.ts) is
 * strict: it must catch every kind of difference the connector could make.
 */
import { TruthSnapshot, compareToTruth, isClean } from '../../scripts/truth-check';

const vendorTruth: TruthSnapshot = {
  vendor: true,
  streams: {
    products_images: [{ id: 11, url: 'a', sortOrder: 1 }],
    orders: [{ id: 1, created: 'Tue, 05 Mar 2024 10:15:00 +0200', total: 5 }],
    shipping_zones: [{ id: 1, name: 'UK' }, { id: 2, name: 'EU' }],
  },
  parents: { products_images: { '11': 7 } },
};
const UUID_A = '0f8fad5b-d9cb-569f-a165-70867728950e';
const UUID_B = '7c9e6679-7425-50de-944b-e07fc1f90ae7';

describe('compareToTruth', () => {
  it('accepts exactly the truth plus product_id, the derived instants and a uuid per zone', () => {
    expect(isClean(compareToTruth('products_images', [{ id: 11, url: 'a', sortOrder: 1, product_id: 7 }], vendorTruth))).toBe(true);
    const order = { id: 1, created: 'Tue, 05 Mar 2024 10:15:00 +0200', total: 5, created_at_utc: '2024-03-05T08:15:00.000Z' };
    expect(isClean(compareToTruth('orders', [order], vendorTruth))).toBe(true);
    const zones = [{ id: 1, name: 'UK', uuid: UUID_A }, { id: 2, name: 'EU', uuid: UUID_B }];
    expect(isClean(compareToTruth('shipping_zones', zones, vendorTruth))).toBe(true);
  });

  it('flags a child record without product_id, or with another product', () => {
    for (const product_id of [undefined, 8, '7']) {
      const diff = compareToTruth('products_images', [{ id: 11, url: 'a', sortOrder: 1, product_id }], vendorTruth);
      expect(diff.changed.map((c) => c.fields.join())).toEqual([expect.stringContaining('product_id')]);
    }
  });

  it('flags a derived time at another instant, not in UTC ISO form, or missing', () => {
    for (const created_at_utc of ['2024-03-05T10:15:00.000Z', '2024-03-05T10:15:00+02:00', undefined]) {
      const diff = compareToTruth('orders', [{ id: 1, created: 'Tue, 05 Mar 2024 10:15:00 +0200', total: 5, created_at_utc }], vendorTruth);
      expect(diff.changed).toHaveLength(1);
      expect(diff.changed[0].fields.join()).toContain('created_at_utc');
    }
  });

  it('flags a changed value, an added field, a missing, an extra and a duplicated record', () => {
    const orderBase = { id: 1, created: 'Tue, 05 Mar 2024 10:15:00 +0200', created_at_utc: '2024-03-05T08:15:00.000Z' };
    expect(compareToTruth('orders', [{ ...orderBase, total: 6 }], vendorTruth).changed[0].fields).toEqual([
      'total: emitted 6, truth 5',
    ]);
    expect(compareToTruth('orders', [{ ...orderBase, total: 5, extra: 1 }], vendorTruth).changed[0].fields).toEqual([
      'extra: 1 emitted, not in the truth',
    ]);
    const diff = compareToTruth('orders', [{ ...orderBase, id: 2, total: 5 }], vendorTruth);
    expect([diff.missing, diff.extra]).toEqual([['1'], ['2']]);
    const twice = [{ ...orderBase, total: 5 }, { ...orderBase, total: 5 }];
    expect(compareToTruth('orders', twice, vendorTruth).duplicates).toEqual(['1']);
    expect(compareToTruth('orders', twice, vendorTruth, { merge: true }).duplicates).toEqual([]);
  });

  it('keys vendor zones by id, and flags a uuid that is not a UUID or is shared by two zones', () => {
    const bad = compareToTruth('shipping_zones', [{ id: 1, name: 'UK', uuid: 'x' }, { id: 2, name: 'EU', uuid: UUID_B }], vendorTruth);
    expect(bad.changed.map((c) => c.key)).toEqual(['1']);
    const shared = compareToTruth('shipping_zones', [{ id: 1, name: 'UK', uuid: UUID_A }, { id: 2, name: 'EU', uuid: UUID_A }], vendorTruth);
    expect(shared.changed.map((c) => c.fields.join())).toEqual([expect.stringContaining('also given to 1')]);
  });
});
