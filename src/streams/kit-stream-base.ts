import path from 'node:path';

import type { AirbyteStreamBase as KitStreamBase } from 'faros-airbyte-cdk/lib/sources/streams/stream-base';

import { loadOnFirstUse } from '../load-on-first-use';

/**
 * The kit's AirbyteStreamBase, without loading faros-js-client on start-up.
 *
 * The kit's stream-base module requires faros-js-client when it loads, for one
 * date helper (Utils.toDate) inside calculateUpdatedStreamState, a function this
 * connector never calls: its read loop is its own (src/sync.ts). That package and
 * what it pulls in (graphql, luxon, fs-extra, es-abstract, ...) cost ~0.2 s and
 * ~35 MB on every spec, check, discover and read, each of which Airbyte runs in a
 * fresh container. So the kit is handed a stand-in that loads the real package
 * the first time anything reads from it: nothing the kit does changes, only when
 * the package loads. test/startup/loaded-modules.test.ts checks it stays unloaded.
 */
const STREAM_BASE = 'faros-airbyte-cdk/lib/sources/streams/stream-base';

const KIT_STREAMS = path.dirname(require.resolve(STREAM_BASE));
loadOnFirstUse('faros-js-client', KIT_STREAMS);
// The same module requires lodash (snakeCase, for a default stream name every stream here overrides; isNil) and
// moment, both for that same state helper: ~0.7 MB of source and the objects lodash builds when it loads.
loadOnFirstUse('lodash', KIT_STREAMS, { callable: true, noEsModuleFlag: true });
loadOnFirstUse('moment', KIT_STREAMS, { callable: true, noEsModuleFlag: true });

// eslint-disable-next-line @typescript-eslint/no-var-requires
export const AirbyteStreamBase: typeof KitStreamBase = require(STREAM_BASE).AirbyteStreamBase;
