import os from 'node:os';

import { ProtocolOutput } from './output';

/** How long a cancelled run waits for stdout's reader before exiting anyway. */
const DRAIN_GRACE_MS = 5_000;

/**
 * A platform cancels a sync with SIGTERM (docker stop, Airbyte, Kubernetes);
 * a user at a terminal with SIGINT. The records already produced are flushed
 * (delivery is at least once) but no STATE is added, so the last STATE still
 * covers only records emitted before it, and the process exits at once with
 * 128 + the signal's number instead of finishing the sync.
 *
 * Needed in the image above all: there the connector is PID 1, which the
 * kernel gives no default action for SIGTERM, so without a handler a cancel
 * would be ignored until the platform's kill timeout, and records batched in
 * ProtocolOutput would be lost with the SIGKILL.
 */
export function exitOnCancel(output: ProtocolOutput): void {
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      const code = 128 + os.constants.signals[signal];
      output.message({
        type: 'LOG',
        log: { level: 'WARN', message: `Received ${signal}: the sync stops here; it resumes from the last STATE emitted.` },
      });
      setTimeout(() => process.exit(code), DRAIN_GRACE_MS);
      void output.end().finally(() => process.exit(code));
    });
  }
}
