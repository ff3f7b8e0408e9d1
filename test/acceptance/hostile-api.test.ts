/**
 * Acceptance under a hostile API: the same ground-truth equality as basic_read
 * when the sandbox rate-limits, injects faults, or silently caps its pages.
 * Each scenario also checks the sandbox's counters, so that a scenario whose
 * hostility never materialised fails instead of passing for nothing.
 */
import { DriftSpec, FaultKind, Sandbox, SandboxOptions, startSandbox } from '../../sandbox/server';
import { Run } from '../helpers/connector';
import {
  Connector,
  Rec,
  catTests,
  catalogPathOf,
  catalogStreams,
  compareToTruth,
  configFor,
  expectMatchesTruth,
  expectSuccessfulRead,
  readJson,
  recordsByStream,
  TruthSnapshot,
  truthOf,
} from '../helpers/acceptance';

jest.setTimeout(180_000);

const test = catTests('basic_read')[0];
const catalog = readJson(catalogPathOf(test));
const streams = catalogStreams(catalog);
const names = streams.map((s) => s.name);

const connector = new Connector();
afterAll(() => connector.cleanup());

interface Outcome {
  run: Run;
  truth: TruthSnapshot;
  counters: ReturnType<Sandbox['counters']>;
  ms: number;
}

/** One full read of the basic_read catalog against a sandbox with `options`, connector config with `overrides`. */
async function fullRead(options: SandboxOptions, overrides: Rec): Promise<Outcome> {
  const sandbox = await startSandbox({ port: 0, ...options });
  try {
    const started = Date.now();
    const run = await connector.read({ config: configFor(sandbox.url, overrides, test.config_path), catalog });
    return { run, truth: truthOf(sandbox), counters: sandbox.counters(), ms: Date.now() - started };
  } finally {
    await sandbox.close();
  }
}

function expectWholeTruth(outcome: Outcome): void {
  expectSuccessfulRead(outcome.run, names);
  expectMatchesTruth(recordsByStream(outcome.run, names), outcome.truth, streams);
}

/** The rate-limit and fault scenarios in both dialects the API speaks (docs/vendor-api.md, "The two forms the connector reads"). */
const DIALECTS: Array<[string, { sandbox: SandboxOptions; config: Rec }]> = [
  ['documented form', { sandbox: {}, config: {} }],
  ['vendor dialect', { sandbox: { vendor: true }, config: { page_size_parameter: 'count' } }],
];

describe.each(DIALECTS)('%s', (_dialect, dialect) => {
  it('the sandbox speaks this dialect (else the scenarios below prove nothing for it)', async () => {
    const sandbox = await startSandbox({ port: 0, rateLimitCapacity: 0, ...dialect.sandbox });
    try {
      expect(truthOf(sandbox).vendor).toBe(dialect.sandbox.vendor === true);
    } finally {
      await sandbox.close();
    }
  });

  describe('rate-limited API (leaky bucket of 10, draining 20/s), connector paced to the same limit', () => {
    const capacity = 10;
    const perSecond = 20;
    let outcome: Outcome;
    beforeAll(async () => {
      outcome = await fullRead(
        {
          ...dialect.sandbox, rateLimitCapacity: capacity, rateLimitPerSecond: perSecond },
        { ...dialect.config, rate_limit_capacity: capacity, rate_limit_per_second: perSecond, max_retries: 8 }
      );
    });

    it('reads the whole truth', () => expectWholeTruth(outcome));

    it('the limit was binding: the read took at least (requests - burst) / rate, and was (almost) never throttled', () => {
      const { requests, rateLimited } = outcome.counters;
      expect(requests).toBeGreaterThan(capacity * 5);
      expect(outcome.ms).toBeGreaterThanOrEqual(((requests - capacity) / perSecond) * 1000 * 0.9);
      // The connector models the API's bucket; a stray 429 from arrival jitter is tolerated, a pattern is not.
      expect(rateLimited).toBeLessThanOrEqual(2);
    });
  });

  describe('rate-limited API (10, 40/s) with the connector configured faster than the API allows (10, 60/s)', () => {
    let outcome: Outcome;
    beforeAll(async () => {
      outcome = await fullRead(
        {
          ...dialect.sandbox, rateLimitCapacity: 10, rateLimitPerSecond: 40 },
        { ...dialect.config, rate_limit_capacity: 10, rate_limit_per_second: 60, max_retries: 8 }
      );
    });

    it('the API really answered 429s', () => {
      expect(outcome.counters.rateLimited).toBeGreaterThan(0);
      expect(outcome.counters.byStatus['429']).toBe(outcome.counters.rateLimited);
    });

    it('reads the whole truth anyway: no record lost or repeated by a retried page', () => expectWholeTruth(outcome));
  });

  describe('faulty API (15 % of requests: 500, 502, 503, 504, reset, truncate, nonjson)', () => {
    const kinds: FaultKind[] = ['500', '502', '503', '504', 'reset', 'truncate', 'nonjson'];
    let outcome: Outcome;
    beforeAll(async () => {
      outcome = await fullRead(
        {
          ...dialect.sandbox, rateLimitCapacity: 0, faultRate: 0.15, faults: kinds },
        { ...dialect.config, max_retries: 8, backoff_factor: 0.05, request_timeout_seconds: 5 }
      );
    });

    it('the faults really happened, every kind of them', () => {
      expect(outcome.counters.faults).toBeGreaterThan(10);
      expect(kinds.filter((k) => !(outcome.counters.byFault[k]! > 0))).toEqual([]);
    });

    it('reads the whole truth anyway', () => expectWholeTruth(outcome));
  });
});

describe('API silently capping pages at 7 records while the connector asks for 20', () => {
  let outcome: Outcome;
  beforeAll(async () => {
    outcome = await fullRead({ rateLimitCapacity: 0, pageCap: 7 }, { page_size: 20 });
  });

  it('the cap really bit: a long list took at least one request per 7 records', () => {
    const byResource = outcome.counters.byResource as Record<string, number>;
    // Images and variations come embedded in the products list (only the products holding the longest arrays are paged).
    const embedded = ['products_images', 'products_variations'];
    const capped = streams.filter(
      (s) => s.name !== 'countries' && !embedded.includes(s.name) && outcome.truth.streams[s.name].length > 20
    );
    expect(capped.length).toBeGreaterThan(0);
    for (const s of capped) {
      expect([s.name, byResource[s.name] >= Math.ceil(outcome.truth.streams[s.name].length / 7)]).toEqual([s.name, true]);
    }
  });

  it('reads the whole truth anyway', () => expectWholeTruth(outcome));
});

describe('a list that shifts while it is read (records deleted before the offset, others appended)', () => {
  // Each drift fires right after the Nth clean page of its resource; deletes
  // take records already read, so every later record moves back by that many.
  const drifts: DriftSpec[] = [
    { resource: 'orders', afterRequests: 3, op: 'delete', ids: [2, 3] },
    { resource: 'orders', afterRequests: 6, op: 'delete', ids: [10] },
    { resource: 'customers', afterRequests: 2, op: 'delete', ids: [1, 5, 7] },
    { resource: 'events', afterRequests: 2, op: 'insert', count: 4 },
    { resource: 'events', afterRequests: 4, op: 'delete', ids: [4] },
  ];
  let outcome: Outcome;
  let applied: ReturnType<Sandbox['drifts']>['applied'];
  beforeAll(async () => {
    const sandbox = await startSandbox({ port: 0, rateLimitCapacity: 0 });
    try {
      for (const d of drifts) sandbox.drift(d);
      const run = await connector.read({ config: configFor(sandbox.url, {}, test.config_path), catalog });
      outcome = { run, truth: truthOf(sandbox), counters: sandbox.counters(), ms: 0 };
      applied = sandbox.drifts().applied;
    } finally {
      await sandbox.close();
    }
  });

  it('every drift really fired during the read', () => {
    expect(applied.map((a) => a.error ?? 'ok')).toEqual(drifts.map(() => 'ok'));
  });

  it('completes', () => expectSuccessfulRead(outcome.run, names));

  it('emits every record present for the whole read exactly once; only deleted ones may be extra', () => {
    const emitted = recordsByStream(outcome.run, names);
    const problems: string[] = [];
    for (const s of streams) {
      const diff = compareToTruth(s.name, emitted[s.name], outcome.truth);
      const deleted = new Set(
        applied.flatMap((a) => (a.result?.deleted[s.name as keyof typeof a.result.deleted] ?? []).map((k) => JSON.stringify(k)))
      );
      const unexpectedExtra = diff.extra.filter((k) => !deleted.has(k));
      if (diff.missing.length || diff.duplicates.length || diff.changed.length || unexpectedExtra.length) {
        problems.push(
          `${s.name}: missing ${JSON.stringify(diff.missing)}, duplicates ${JSON.stringify(diff.duplicates)}, ` +
            `changed ${JSON.stringify(diff.changed.map((c) => c.key))}, extra (not deleted) ${JSON.stringify(unexpectedExtra)}`
        );
      }
    }
    expect(problems).toEqual([]);
  });
});
