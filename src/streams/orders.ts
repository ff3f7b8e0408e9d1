import { ListStream, StreamContext } from './base';

export class Orders extends ListStream {
  constructor(ctx: StreamContext) {
    super(ctx, { name: 'orders', path: '/v1/orders', primaryKey: 'id', cursorField: 'created_at_utc', countable: true, filtersCreatedSince: true, changeFeed: 'order', filtersByIds: true, lookback: true });
  }
}
