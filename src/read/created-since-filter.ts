import { AirbyteLogger } from 'faros-airbyte-cdk';

import { toInstant } from './dialect';
import { Rec } from './pagination';

/**
 * How far before the saved state `from` asks: the vendor's clients filter
 * orders on the creation time, but whether the server reads `from` in UTC or in
 * the shop's zone is not documented, and zones reach ±14 h. The client-side
 * filter trims what the margin brings back again, so it costs a page at most.
 */
export const FROM_MARGIN_SECONDS = 24 * 60 * 60;

/**
 * The server-side half of an incremental read of a list that takes `from`
 * (UNIX seconds, created at or after) and `sort=date` (orders). The
 * client-side cursor filter always stays: a server that ignores `from` costs
 * requests, never records. Being sorted by date, the list still pages with the
 * same overlap checks as any other.
 */
export class CreatedSinceFilter {
  readonly params: { from: number; sort: 'date' };
  private readonly fromMs: number;
  private noticed = false;

  constructor(
    sinceMs: number,
    private readonly field: string,
    private readonly stream: string,
    private readonly logger: AirbyteLogger
  ) {
    const from = Math.max(0, Math.floor(sinceMs / 1000) - FROM_MARGIN_SECONDS);
    this.params = { from, sort: 'date' };
    this.fromMs = from * 1000;
  }

  /** Logs once when the answer holds a record created before `from`: the server ignored it. */
  check(record: Rec): void {
    if (this.noticed) return;
    const at = toInstant(record[this.field]);
    if (at !== undefined && at < this.fromMs) {
      this.noticed = true;
      this.logger.info(
        `Stream '${this.stream}': the API ignored from=${this.params.from} (record ${JSON.stringify(record.id ?? null)} is older); every record is read and filtered here instead.`
      );
    }
  }
}
