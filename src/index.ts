import v8 from 'node:v8';

import { Command } from 'commander';

import { exitOnCancel, ProtocolLogger, ProtocolOutput, terminalEcho } from './protocol';
import { SourceRunner } from './runner';
import { EcommerceSource } from './source';

export { EcommerceSource };

/** The connector's command line: spec, check, discover, read (bin/main). */
export function mainCommand(): Command {
  keepHeapNearLiveSize();
  const output = new ProtocolOutput();
  output.echoTo(terminalEcho());
  exitOnCancel(output);
  const logger = new ProtocolLogger(output);
  const source = new EcommerceSource(logger);
  return new SourceRunner(logger, source, output).mainCommand();
}

/**
 * A sync's live heap is small and flat: records stream through, and only ids
 * and small windows are kept (docs/performance.md). V8's default lets the old
 * generation grow to several times its live size between full collections, so
 * peak memory rose with the length of a sync (big shop: 117 -> 129 MB when the
 * data doubled). With 30 % headroom it stays flat (116 MB at both sizes) for
 * about 5 % more CPU. V8 reads this flag at every collection, so setting it at
 * start-up takes effect. The young generation's size is fixed at process start:
 * bin/main's #! line sets it.
 */
function keepHeapNearLiveSize(): void {
  v8.setFlagsFromString('--heap-growing-percent=30');
}
