import { ListStream, StreamContext } from './base';

export class Categories extends ListStream {
  constructor(ctx: StreamContext) {
    super(ctx, { name: 'categories', path: '/v1/categories', primaryKey: 'id', cursor: { field: 'created_at_utc', newestFirst: true }, countable: true });
  }
}
