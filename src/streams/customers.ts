import { TRADE } from '../read/vendor';
import { ListStream, StreamContext } from './base';

export class Customers extends ListStream {
  constructor(ctx: StreamContext) {
    super(ctx, { name: 'customers', path: '/v1/customers', primaryKey: 'id', cursor: { field: 'created_at_utc', changeFeed: 'customer', stampsChange: true, newestFirst: true }, countable: true, listFilter: TRADE });
  }
}
