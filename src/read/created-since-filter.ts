import { AirbyteLogger } from 'faros-airbyte-cdk';

import { toInstant } from './dialect';
import { Rec } from './pagination';
import { CREATED_SINCE } from './vendor';

/**
 * The server-side half of an incremental read of a list that takes `from`
 * (UNIX seconds, created at or after) and `sort=date` (orders). The
 * client-side cursor filter always stays: a server that ignores `from` costs
 * requests, never records. Being sorted by date, the list still pages with the
 * same overlap checks as any other.
 */
export class CreatedSinceFilter {
  readonly params: Record<string, string | number>;
  private readonly fromMs: number | undefined;
  private noticed = false;

  constructor(
    /** undefined (a first sync without start_date): the whole list, sorted by creation time. */
    sinceMs: number | undefined,
    private readonly field: string,
    private readonly stream: string,
    private readonly logger: AirbyteLogger
  ) {
    // The margin costs a page at most: the client-side filter trims what it brings back again.
    const sort = { [CREATED_SINCE.sort]: CREATED_SINCE.sortValue };
    if (sinceMs === undefined) {
      this.params = sort;
      return;
    }
    const from = Math.max(0, Math.floor(sinceMs / 1000) - CREATED_SINCE.marginSeconds);
    this.params = { [CREATED_SINCE.from]: from, ...sort };
    this.fromMs = from * 1000;
  }

  /** Logs once when the answer holds a record created before `from`: the server ignored it. */
  check(record: Rec): void {
    if (this.noticed || this.fromMs === undefined) return;
    const at = toInstant(record[this.field]);
    if (at !== undefined && at < this.fromMs) {
      this.noticed = true;
      this.logger.info(
        `Stream '${this.stream}': the API ignored ${CREATED_SINCE.from}=${this.fromMs / 1000} (record ${JSON.stringify(record.id ?? null)} is older); every record is read and filtered here instead.`
      );
    }
  }
}
