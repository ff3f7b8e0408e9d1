import { ListStream, StreamContext } from './base';

export class Customers extends ListStream {
  constructor(ctx: StreamContext) {
    super(ctx, { name: 'customers', path: '/v1/customers', primaryKey: 'id', cursorField: 'created_at_utc', countable: true, changeFeed: 'customer' });
  }
}
