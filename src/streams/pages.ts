import { ListStream, StreamContext } from './base';

export class Pages extends ListStream {
  constructor(ctx: StreamContext) {
    super(ctx, { name: 'pages', path: '/v1/pages', primaryKey: 'id', cursor: { field: 'created_at_utc', newestFirst: true } });
  }
}
