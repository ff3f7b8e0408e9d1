import { AirbyteLogger } from 'faros-airbyte-cdk';

/**
 * The longest a read that emits nothing (the events log before the lists, the
 * products list read for child streams alone) goes without a LOG line: the
 * issue asks one at least every 60 s, and a platform kills a source silent
 * past `maxSecondsBetweenMessages` (metadata.yaml) on every retry. Half of 60 s,
 * so that a busy event loop still keeps within it.
 */
export const HEARTBEAT_MS = 30_000;

/**
 * A LOG line every `everyMs` while a silent read runs, saying what it has
 * done so far; a timer rather than a per-page log, so that one slow page or a
 * long wait for the rate limit is covered too. unref'd: it never keeps the
 * process alive.
 */
export class Heartbeat {
  private readonly timer: NodeJS.Timeout;

  private constructor(logger: AirbyteLogger, what: () => string, everyMs: number) {
    const startedAt = Date.now();
    this.timer = setInterval(() => logger.info(`Still ${what()} (${Math.round((Date.now() - startedAt) / 1000)} s so far).`), everyMs);
    this.timer.unref();
  }

  static start(logger: AirbyteLogger, what: () => string, everyMs = HEARTBEAT_MS): Heartbeat {
    return new Heartbeat(logger, what, everyMs);
  }

  stop(): void {
    clearInterval(this.timer);
  }
}
