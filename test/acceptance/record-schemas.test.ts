/**
 * The acceptance suite's reads check every record against the schema the
 * connector's discover returns (test/helpers/record-schemas.ts). Here: that the
 * check runs and catches a wrong type, and that the schemas accept a product id
 * in every form the products list can send: integer or string, on products and
 * as product_id on the four per-product streams.
 */
import { Connector } from '../helpers/acceptance';
import { catalogFor, records } from '../helpers/connector';
import { Rec, Resources, STREAM, listHandler, testConfig } from '../helpers/guarantees';
import { discoveredValidators, recordSchemaProblems } from '../helpers/record-schemas';

jest.setTimeout(60_000);

const res = new Resources();
const connector = new Connector();
afterEach(() => res.closeAll());
afterAll(() => connector.cleanup());

const CHILDREN = ['products_images', 'products_reviews', 'product_options', 'products_variations'];
const PATHS: Record<string, string> = { products_images: 'images', products_reviews: 'reviews', product_options: 'options', products_variations: 'variations' };
const AT = '2024-01-01T00:00:00Z';

/** A shop whose products have the given ids, each with one child of every kind. */
function shop(ids: Array<string | number>, product: (id: string | number) => Rec = (id) => ({ id, title: 'Mug', updated_at_utc: AT })) {
  const lists: Record<string, Rec[]> = { '/v1/products': ids.map(product) };
  ids.forEach((id, n) => {
    for (const child of CHILDREN) lists[`/v1/products/${encodeURIComponent(String(id))}/${PATHS[child]}`] = [{ id: 100 + n, created_at_utc: AT }];
  });
  return listHandler(lists);
}

const catalog = catalogFor(['products', ...CHILDREN].map((n) => STREAM[n]), 'full_refresh');

describe('every record of an acceptance read matches the schema discover returns', () => {
  it('string product ids (as a products list may send them) validate on products and as product_id on every child stream', async () => {
    const server = await res.server(shop(['p-1', '42']));
    const run = await connector.read({ config: testConfig(server.url), catalog }); // rejects if a record does not match
    expect(run.code).toBe(0);
    expect(records(run, 'products').map((p) => p.id)).toEqual(['p-1', '42']);
    for (const child of CHILDREN) expect(records(run, child).map((r) => r.product_id)).toEqual(['p-1', '42']);
  });

  it('integer product ids validate the same way', async () => {
    const server = await res.server(shop([7, 8]));
    const run = await connector.read({ config: testConfig(server.url), catalog });
    expect(run.code).toBe(0);
    for (const child of CHILDREN) expect(records(run, child).map((r) => r.product_id)).toEqual([7, 8]);
  });

  it('a record of the wrong type fails the read helper, naming stream, record and field', async () => {
    const server = await res.server(shop([1, 2], (id) => ({ id, title: id === 2 ? 42 : 'Mug', updated_at_utc: AT })));
    await expect(connector.read({ config: testConfig(server.url), catalog })).rejects.toThrow(
      /1 records do not match the schema discover gives their stream:\n {2}products id 2: \/title must be string,null/
    );
  });

  it('the discovered schemas reject a product id or product_id that is neither integer nor string', async () => {
    const validators = await discoveredValidators(testConfig('http://127.0.0.1:9'));
    const run = {
      code: 0, signal: null, stdout: '', stderr: '',
      messages: [
        { type: 'RECORD', record: { stream: 'products', data: { id: 'p-1' } } },
        { type: 'RECORD', record: { stream: 'products', data: { id: true } } },
        { type: 'RECORD', record: { stream: 'products_images', data: { id: 1, product_id: 'p-1' } } },
        { type: 'RECORD', record: { stream: 'products_images', data: { id: 2, product_id: { id: 1 } } } },
        { type: 'RECORD', record: { stream: 'products_reviews', data: { id: 3, product_id: null } } },
        { type: 'RECORD', record: { stream: 'no_such_stream', data: { id: 4 } } },
      ],
    };
    expect(recordSchemaProblems(run, validators)).toEqual([
      'products id true: /id must be integer,string',
      'products_images id 2: /product_id must be integer,string',
      'products_reviews id 3: /product_id must be integer,string',
      'no_such_stream: a record of a stream discover does not list',
    ]);
  });
});
