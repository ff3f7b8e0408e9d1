import path from 'node:path';

import { loadOnFirstUse } from '../load-on-first-use';

/**
 * The kit's logger module, without loading pino on start-up. The kit requires
 * pino when its logger module loads, for `asPino()`, which this connector never
 * calls (its messages go through ProtocolOutput); pino and what it pulls in cost
 * about 40 ms of CPU on every spec, check, discover and read (docs/performance.md).
 * The kit gets a stand-in that loads pino the first time anything uses it.
 */
const KIT_LOGGER = 'faros-airbyte-cdk/lib/logger';

loadOnFirstUse('pino', path.dirname(require.resolve(KIT_LOGGER)), { callable: true, noEsModuleFlag: true });

// eslint-disable-next-line @typescript-eslint/no-var-requires
export const { shouldWriteLog }: typeof import('faros-airbyte-cdk/lib/logger') = require(KIT_LOGGER);
// eslint-disable-next-line @typescript-eslint/no-var-requires
export const { AirbyteSourceLogger }: typeof import('faros-airbyte-cdk/lib/sources/source-logger') = require('faros-airbyte-cdk/lib/sources/source-logger');
