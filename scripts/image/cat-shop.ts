import type { Sandbox } from '../../sandbox/server';

/**
 * The shop `npm run cat` serves: the sandbox's, with activity after its newest
 * record was created, as on any live shop (an old order ships after the newest
 * was placed): the oldest, a middle and the newest order and two customers are
 * changed, so the events log names existing records after the latest creation
 * time. CAT's incremental checks (two sequential reads, sequential slices) then
 * meet re-read records, as they would on a real shop. The jest mirror of those
 * checks (test/acceptance/incremental-contract.test.ts) starts the same shop.
 */
export function addShopActivity(sandbox: Sandbox): void {
  const idsOf = (stream: 'orders' | 'customers') =>
    (sandbox.truth()[stream] as Array<{ id: number }>).map((r) => r.id).sort((a, b) => a - b);
  const orders = idsOf('orders');
  const customers = idsOf('customers');
  sandbox.mutate({ op: 'update', resource: 'orders', ids: [orders[0], orders[Math.floor(orders.length / 2)], orders[orders.length - 1]] });
  sandbox.mutate({ op: 'update', resource: 'customers', ids: [customers[0], customers[Math.floor(customers.length / 2)]] });
}
