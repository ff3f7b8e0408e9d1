/** What the user sees: a progress line per stream while it runs, and the summary table at the end. */
import { table } from 'table';

import { MergeCounts } from './store';

export interface StreamReport extends MergeCounts {
  stream: string;
  mode: 'incremental' | 'full_refresh';
  status: string;
  records: number;
  rows: number;
  seconds: number;
}

export class Progress {
  private readonly started = new Map<string, number>();
  private readonly records = new Map<string, number>();
  private readonly lastLine = new Map<string, number>();
  private readonly ended = new Map<string, number>();

  constructor(
    private readonly write: (line: string) => void,
    private readonly everyMs = 1000
  ) {}

  start(stream: string): void {
    if (!this.started.has(stream)) this.started.set(stream, Date.now());
  }

  record(stream: string): void {
    this.start(stream);
    this.records.set(stream, (this.records.get(stream) ?? 0) + 1);
    const now = Date.now();
    if (now - (this.lastLine.get(stream) ?? this.started.get(stream)!) >= this.everyMs) {
      this.lastLine.set(stream, now);
      this.write(this.line(stream, 'reading'));
    }
  }

  done(stream: string, status: string): void {
    this.start(stream);
    this.ended.set(stream, Date.now());
    this.write(this.line(stream, status.toLowerCase()));
  }

  count(stream: string): number {
    return this.records.get(stream) ?? 0;
  }

  seconds(stream: string): number {
    const start = this.started.get(stream);
    return start === undefined ? 0 : ((this.ended.get(stream) ?? Date.now()) - start) / 1000;
  }

  private line(stream: string, what: string): string {
    const n = this.count(stream);
    const seconds = Math.max(this.seconds(stream), 0.001);
    return `[sync] ${stream}: ${what}, ${n} records, ${Math.round(n / seconds)} records/s`;
  }
}

export function summaryTable(reports: StreamReport[]): string {
  const rows = [['table', 'mode', 'status', 'records read', 'inserted', 'updated', 'deleted', 'rows in table', 'seconds']];
  for (const r of reports) {
    rows.push([
      r.stream,
      r.mode,
      r.status,
      String(r.records),
      String(r.inserted),
      String(r.updated),
      String(r.deleted),
      String(r.rows),
      r.seconds.toFixed(1),
    ]);
  }
  return table(rows);
}
