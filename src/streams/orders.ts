import { ARCHIVED } from '../read/vendor';
import { ListStream, StreamContext } from './base';

export class Orders extends ListStream {
  constructor(ctx: StreamContext) {
    super(ctx, { name: 'orders', path: '/v1/orders', primaryKey: 'id', cursor: { field: 'created_at_utc', createdSince: true, changeFeed: 'order', lookback: true, stampsChange: true }, countable: true, listFilter: ARCHIVED, filtersByIds: true });
  }
}
