import { EVENTS } from '../read/vendor';
import { ListStream, StreamContext } from './base';

export class Events extends ListStream {
  constructor(ctx: StreamContext) {
    super(ctx, { name: EVENTS.stream, path: EVENTS.path, primaryKey: 'id', cursorField: 'created_at_utc' });
  }
}
