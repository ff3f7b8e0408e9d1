import { ListStream, StreamContext } from './base';

export class Events extends ListStream {
  constructor(ctx: StreamContext) {
    super(ctx, { name: 'events', path: '/v1/events', primaryKey: 'id', cursorField: 'created_at_utc' });
  }
}
