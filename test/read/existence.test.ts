/**
 * src/read/existence.ts on its own: the one rule for "is this 404 a deletion?",
 * shared by products (child lists) and orders and customers (re-reads by id).
 * End to end: test/guarantees/child-404.test.ts, test/acceptance/fresh-data-fallbacks.test.ts.
 */
import type { ApiClient } from '../../src/http';
import { ApiError } from '../../src/protocol';
import { existenceOf, RecordExistence } from '../../src/read/existence';

/** A client whose single-record endpoint serves `existing` ids and answers 404 for the rest; records each path asked. */
function clientServing(existing: Array<string | number>) {
  const asked: string[] = [];
  const client = {
    get: async (path: string) => {
      asked.push(path);
      const id = path.split('/').pop();
      if (existing.map(String).includes(id!)) return { status: 200, body: { data: { id } } };
      throw new ApiError('Not Found', 'system_error', 404, path);
    },
  } as unknown as ApiClient;
  return { client, asked };
}

const none = async () => [];

describe('RecordExistence', () => {
  it('takes a 404 as a deletion once a listed record answered 200 from the same endpoint', async () => {
    const { client, asked } = clientServing([1]);
    const rule = new RecordExistence(client, '/v1/orders');
    rule.answered(1);
    expect(await rule.existence(9, 'orders', none)).toBe('gone');
    expect(asked).toEqual(['/v1/orders/9', '/v1/orders/1']);
    // Proven once per run: the next 404 costs no witness request.
    expect(await rule.existence(8, 'orders', none)).toBe('gone');
    expect(asked).toEqual(['/v1/orders/9', '/v1/orders/1', '/v1/orders/8']);
  });

  it('does not take a 404 as a deletion when the endpoint answers 404 for a record known to exist too', async () => {
    const { client } = clientServing([]);
    const rule = new RecordExistence(client, '/v1/customers');
    expect(await rule.confirmsDeletion(9, 'customers', async () => [4, 9])).toBe(false);
    expect(await rule.existence(9, 'customers', async () => [4])).toBe('unknown');
  });

  it('does not take a 404 as a deletion when no record is known to exist', async () => {
    const { client, asked } = clientServing([1, 2]);
    expect(await new RecordExistence(client, '/v1/orders').confirmsDeletion(9, 'orders', none)).toBe(false);
    expect(asked).toEqual([]);
  });

  it('is proven by the endpoint answering the record asked for, without a witness', async () => {
    const { client, asked } = clientServing([]);
    const rule = new RecordExistence(client, '/v1/orders');
    rule.proven();
    expect(await rule.confirmsDeletion(9, 'orders', none)).toBe(true);
    expect(asked).toEqual([]);
  });

  it('keeps one rule per run and list: orders proven says nothing of customers', async () => {
    const { client } = clientServing([]);
    existenceOf(client, '/v1/orders').proven();
    expect(existenceOf(client, '/v1/orders')).toBe(existenceOf(client, '/v1/orders'));
    expect(await existenceOf(client, '/v1/orders').confirmsDeletion(9, 'orders', none)).toBe(true);
    expect(await existenceOf(client, '/v1/customers').confirmsDeletion(9, 'customers', none)).toBe(false);
  });
});
