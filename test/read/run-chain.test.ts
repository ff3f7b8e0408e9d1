/**
 * src/read/run-chain.ts on its own: whether a read continues a cut sync (and
 * skips the streams an earlier attempt finished) or is a new sync that reads
 * every stream. End to end: test/guarantees/resumable-full-refresh.test.ts.
 */
import { AirbyteLogger } from 'faros-airbyte-cdk';

import { ConnectorState } from '../../src/protocol';
import { COMPLETED_KEY, RESUME_KEY, RESUME_MAX_AGE_MS } from '../../src/read/child-resume';
import { RunChain } from '../../src/read/run-chain';

const infos: string[] = [];
const logger = { info: (m: string) => infos.push(m), warn: () => undefined } as unknown as AirbyteLogger;
const CONFIG = 'a'.repeat(64);
const T0 = Date.parse('2026-01-01T00:00:00Z');
const STREAMS = ['product_options', 'products_reviews'];

const chainAt = (now: number, state: ConnectorState, streams = STREAMS, configSha256 = CONFIG) => RunChain.of(state, streams, { configSha256, now: () => now }, logger);

/** The state a run started at T0 leaves after `minutes`: product_options finished, products_reviews cut (or finished too). */
function stateOfRun(minutes: number, reviewsFinished = false): ConnectorState {
  const first = chainAt(T0, {});
  const written = { ...first.stamp(), written_at: new Date(T0 + minutes * 60_000).toISOString() };
  return {
    product_options: { [COMPLETED_KEY]: written },
    products_reviews: reviewsFinished ? { [COMPLETED_KEY]: written } : { [RESUME_KEY]: { products_done: 25, last_product: 25, prefix_sha256: '0'.repeat(64), ...written } },
  };
}

describe('the run a read belongs to', () => {
  beforeEach(() => infos.splice(0));

  it('continues a cut run: the stream it finished is skipped, its positions are used, and it keeps the run started then', () => {
    const chain = chainAt(T0 + 60 * 60_000, stateOfRun(30));
    expect(chain.run).toEqual({ started_at: new Date(T0).toISOString(), streams: STREAMS });
    expect(STREAMS.map((s) => [s, chain.finishedEarlier(s)])).toEqual([['product_options', true], ['products_reviews', false]]);
    expect(chain.owns({ run: { started_at: new Date(T0).toISOString(), streams: STREAMS } })).toBe(true);
    expect(infos.join('\n')).toMatch(/continuing the sync started at 2026-01-01T00:00:00.000Z.*not read again: product_options/);
  });

  it.each([
    ['every stream holds its completion mark: that sync finished', stateOfRun(30, true), T0 + 60 * 60_000, STREAMS, CONFIG, /finished every stream/],
    ['its latest state is older than the expiry', stateOfRun(30), T0 + 30 * 60_000 + RESUME_MAX_AGE_MS + 1, STREAMS, CONFIG, /more than 6 hours ago/],
    ['it read other streams (one more selected now)', stateOfRun(30), T0 + 60 * 60_000, [...STREAMS, 'products_images'], CONFIG, /read other streams/],
    ['it ran under another config', stateOfRun(30), T0 + 60 * 60_000, STREAMS, 'b'.repeat(64), undefined],
  ])('is a new run that reads every stream when %s', (_why, state, now, streams, configSha256, logged) => {
    const chain = chainAt(now, state, streams, configSha256);
    expect(chain.run.started_at).toBe(new Date(now).toISOString());
    expect(streams.filter((s) => chain.finishedEarlier(s))).toEqual([]);
    // A position of the run that ended is not used.
    expect(chain.owns({ run: { started_at: new Date(T0).toISOString(), streams: STREAMS } })).toBe(false);
    if (logged) expect(infos.join('\n')).toMatch(logged);
  });

  it('follows the newest run in the state: a finished newer run makes a new one even beside an older cut run', () => {
    const older = stateOfRun(10);
    const newer = RunChain.of({}, STREAMS, { configSha256: CONFIG, now: () => T0 + 20 * 60_000 }, logger).stamp();
    const state: ConnectorState = { product_options: { [COMPLETED_KEY]: newer }, products_reviews: { ...older.products_reviews, [COMPLETED_KEY]: newer } };
    const chain = chainAt(T0 + 30 * 60_000, state);
    expect(STREAMS.filter((s) => chain.finishedEarlier(s))).toEqual([]);
    expect(chain.run.started_at).toBe(new Date(T0 + 30 * 60_000).toISOString());
  });
});
