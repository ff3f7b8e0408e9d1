import { ListStream, StreamContext } from './base';

export class Themes extends ListStream {
  constructor(ctx: StreamContext) {
    super(ctx, { name: 'themes', path: '/v1/themes', primaryKey: 'id', cursor: { field: 'created_at_utc', newestFirst: true } });
  }
}
