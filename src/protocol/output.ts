import { once } from 'node:events';
import { Writable } from 'node:stream';

import { AirbyteMessageType } from 'faros-airbyte-cdk/lib/protocol';

import { AirbyteSourceLogger, shouldWriteLog } from './kit-logger';
import { NO_SECRETS, Redactor, redactMessage } from './redact';

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
  private masking: Redactor = NO_SECRETS;
  private echo?: (msg: object) => void;

  /** Set once the reader of stdout has closed its end: nothing written after that can arrive. */
  private gone = false;

  constructor(
    private readonly out: Writable = process.stdout,
    onReaderGone: (error: Error) => void = stopForGoneReader
  ) {
    // A reader that closed its end (`bin/main read | head`, a platform that went away) makes every write
    // fail with EPIPE and 'drain' never come: without this the read waited on it forever.
    out.on('error', (error) => {
      this.gone = true;
      this.chunks = [];
      this.size = 0;
      onReaderGone(error);
    });
  }

  /** Masks secrets in the free text of LOG, TRACE and connection-status messages from now on (see redact.ts). */
  setRedactor(redactor: Redactor): void {
    this.masking = redactor;
  }

  get redactor(): Redactor {
    return this.masking;
  }

  /** The record's data exactly as given: records are the shop's data, never masked. */
  record(stream: string, data: unknown): void {
    this.push(`{"type":"RECORD","record":{"stream":${JSON.stringify(stream)},"emitted_at":${Date.now()},"data":${JSON.stringify(data)}}}\n`);
  }

  message(msg: object): void {
    const masked = redactMessage(msg, this.masking);
    this.push(JSON.stringify(masked) + '\n');
    this.flush();
    this.echo?.(masked);
  }

  /** Also shows each message meant for people to a person at a terminal (see terminal-echo.ts). */
  echoTo(echo: ((msg: object) => void) | undefined): void {
    this.echo = echo;
  }

  async ready(): Promise<void> {
    while (this.blocked && !this.gone) {
      this.blocked = false;
      if (this.out.writableNeedDrain) await this.drain();
    }
  }

  /** Flushes and resolves once everything has been handed to the OS. */
  async end(): Promise<void> {
    this.flush();
    if (this.out.writableNeedDrain && !this.gone) await this.drain();
  }

  private drain(): Promise<void> {
    this.drained ??= once(this.out, 'drain').then(() => {
      this.drained = undefined;
    });
    return this.drained;
  }

  private push(line: string): void {
    if (this.gone) return;
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

/** No message can be delivered any more, so the sync stops; stderr may still have a reader. */
function stopForGoneReader(error: Error): void {
  const code = (error as NodeJS.ErrnoException).code ?? error.message;
  process.stderr.write(`stdout was closed by its reader (${code}): nothing more can be delivered, stopping.\n`);
  process.exit(1);
}

/**
 * The CDK's logger, writing through the same ordered, masking output as
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
