import { once } from 'node:events';
import { Writable } from 'node:stream';

import { shouldWriteLog } from 'faros-airbyte-cdk/lib/logger';
import { AirbyteMessageType } from 'faros-airbyte-cdk/lib/protocol';
import { AirbyteSourceLogger } from 'faros-airbyte-cdk/lib/sources/source-logger';

import { NO_SECRETS, Redactor } from './redact';

const FLUSH_BYTES = 64 * 1024;

/**
 * Writes Airbyte protocol messages, one JSON object per line, in the order they
 * are given. Records are batched; any other message flushes the batch first, so
 * a STATE line can never overtake the records it covers. `ready()` is the
 * backpressure point: it waits while the reader of stdout is behind.
 *
 * Hand-written because the CDK's logger calls console.log per message, which
 * has no backpressure and is lost by process.exit on a pipe.
 */
export class ProtocolOutput {
  private chunks: string[] = [];
  private size = 0;
  private blocked = false;
  /** One wait for 'drain' shared by every caller (streams and slices wait concurrently). */
  private drained?: Promise<void>;
  private redactor: Redactor = NO_SECRETS;

  constructor(private readonly out: Writable = process.stdout) {}

  /** Every message is redacted before it is written; a record only when its text may hold a secret. */
  setRedactor(redactor: Redactor): void {
    this.redactor = redactor;
  }

  record(stream: string, data: unknown): void {
    let json = JSON.stringify(data);
    if (this.redactor.mayHold(json)) json = JSON.stringify(this.redactor.value(data, true));
    this.push(`{"type":"RECORD","record":{"stream":${JSON.stringify(stream)},"emitted_at":${Date.now()},"data":${json}}}\n`);
  }

  message(msg: object): void {
    this.push(JSON.stringify(this.redactor.value(msg)) + '\n');
    this.flush();
  }

  async ready(): Promise<void> {
    while (this.blocked) {
      this.blocked = false;
      if (this.out.writableNeedDrain) await this.drain();
    }
  }

  /** Flushes and resolves once everything has been handed to the OS. */
  async end(): Promise<void> {
    this.flush();
    if (this.out.writableNeedDrain) await this.drain();
  }

  private drain(): Promise<void> {
    this.drained ??= once(this.out, 'drain').then(() => {
      this.drained = undefined;
    });
    return this.drained;
  }

  private push(line: string): void {
    this.chunks.push(line);
    this.size += line.length;
    if (this.size >= FLUSH_BYTES) this.flush();
  }

  private flush(): void {
    if (this.size === 0) return;
    const text = this.chunks.length === 1 ? this.chunks[0] : this.chunks.join('');
    this.chunks = [];
    this.size = 0;
    if (!this.out.write(text)) this.blocked = true;
  }
}

/**
 * The CDK's logger, writing through the same ordered, redacting output as
 * everything else, without the Faros-only log batches.
 */
export class ProtocolLogger extends AirbyteSourceLogger {
  constructor(private readonly output: ProtocolOutput) {
    super();
  }

  override write(msg: any): void {
    if (msg.type === AirbyteMessageType.LOG && !shouldWriteLog(msg, this.level)) return;
    this.output.message(msg);
  }

  override flush(): void {}
}
