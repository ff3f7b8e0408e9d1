/**
 * Acceptance: spec, connection and discovery, as Airbyte's Connector
 * Acceptance Tests run them (acceptance-test-config.yml: spec, connection,
 * discovery), with bin/main run as a separate process for every call and the
 * in-process sandbox as the API.
 */
import Ajv from 'ajv';
import addFormats from 'ajv-formats';

import { Sandbox, startSandbox } from '../../sandbox/server';
import { Run, ofType, traces } from '../helpers/connector';
import { Connector, Json, catTests, catalogPathOf, catalogStreams, configFor, describeRun, invalidMessages, readJson } from '../helpers/acceptance';

jest.setTimeout(120_000);

/** Draft-07 (Ajv's default), strict: an unknown keyword is an error, except Airbyte's UI annotations. */
function draft07() {
  const ajv = new Ajv({ strict: true, strictTypes: false, allErrors: true });
  addFormats(ajv);
  ajv.addVocabulary(['airbyte_secret', 'airbyte_hidden', 'order', 'group', 'groups', 'always_show', 'display_type', 'pattern_descriptor']);
  return ajv;
}

/** Compiles a schema as draft-07; returns the problems (meta-schema errors or the compile error). */
function draft07Problems(schema: Json): string[] {
  const ajv = draft07();
  if (schema.$schema !== undefined && schema.$schema !== 'http://json-schema.org/draft-07/schema#') {
    return [`$schema is ${schema.$schema}, not draft-07`];
  }
  if (!ajv.validateSchema(schema)) return (ajv.errors ?? []).map((e) => `${e.instancePath} ${e.message}`);
  try {
    ajv.compile(schema);
    return [];
  } catch (error) {
    return [(error as Error).message];
  }
}

const expectValidMessages = (run: Run) => expect(invalidMessages(run)).toEqual([]);

const connector = new Connector();
afterAll(() => connector.cleanup());

describe('spec (acceptance_tests.spec)', () => {
  const specTests = catTests('spec');
  let run: Run;
  beforeAll(async () => {
    run = await connector.spec();
  });

  it('prints exactly one SPEC message and exits 0', () => {
    expect(run.code).toBe(0);
    expect(ofType(run, 'SPEC')).toHaveLength(1);
    expect(traces(run, 'ERROR')).toEqual([]);
  });

  it('every stdout line is a valid AirbyteMessage', () => expectValidMessages(run));

  for (const test of specTests) {
    it(`the spec equals ${test.spec_path}`, () => {
      expect(ofType(run, 'SPEC')[0].spec).toEqual(readJson(test.spec_path));
    });
  }

  it('connectionSpecification is a valid draft-07 JSON schema', () => {
    const spec = ofType(run, 'SPEC')[0].spec.connectionSpecification;
    expect(draft07Problems(spec)).toEqual([]);
    expect(spec.type).toBe('object');
    for (const field of spec.required ?? []) expect(Object.keys(spec.properties)).toContain(field);
  });

  it('api_key and api_secret are marked airbyte_secret, and so is every other secret-looking field', () => {
    const { properties } = ofType(run, 'SPEC')[0].spec.connectionSpecification;
    expect(properties.api_key.airbyte_secret).toBe(true);
    expect(properties.api_secret.airbyte_secret).toBe(true);
    const secretLooking = Object.keys(properties).filter((k) => /secret|password|token|api_key|credential/i.test(k));
    expect(secretLooking.filter((k) => properties[k].airbyte_secret !== true)).toEqual([]);
  });

  it('every default is valid for its own property', () => {
    const { properties } = ofType(run, 'SPEC')[0].spec.connectionSpecification;
    const bad = Object.entries<Json>(properties)
      .filter(([, p]) => p.default !== undefined)
      .filter(([, p]) => {
        const { default: _d, ...schema } = p;
        return !draft07().validate(schema, p.default);
      })
      .map(([k]) => k);
    expect(bad).toEqual([]);
  });

  it('every config the CAT file names matches the spec (test_config_match_spec)', () => {
    const validate = draft07().compile(ofType(run, 'SPEC')[0].spec.connectionSpecification);
    const paths = [...new Set(catTests('connection').map((t) => t.config_path as string))];
    const invalid = paths.filter((p) => !validate(readJson(p))).map((p) => ({ p, errors: validate.errors }));
    expect(invalid).toEqual([]);
  });
});

describe('connection (acceptance_tests.connection)', () => {
  let sandbox: Sandbox;
  beforeAll(async () => {
    sandbox = await startSandbox({ port: 0, rateLimitCapacity: 0 });
  });
  afterAll(() => sandbox.close());

  /** A check ends in one CONNECTION_STATUS, exit 0, no TRACE error, no secret on stdout or stderr. */
  function statusOf(run: Run, config: Json): { status: string; message: string } {
    const statuses = ofType(run, 'CONNECTION_STATUS');
    if (run.code !== 0 || statuses.length !== 1 || traces(run, 'ERROR').length > 0) {
      throw new Error(`check must end in exactly one CONNECTION_STATUS and exit 0, got:\n${run.stdout}\n${describeRun(run)}`);
    }
    for (const secret of [config.api_secret, config.api_key]) {
      expect(run.stdout.includes(secret) || run.stderr.includes(secret)).toBe(false);
    }
    return statuses[0].connectionStatus;
  }

  for (const test of catTests('connection')) {
    it(`${test.config_path}: ${test.status}`, async () => {
      sandbox.resetCounters();
      const config = configFor(sandbox.url, {}, test.config_path);
      const run = await connector.check(config);
      const status = statusOf(run, config);
      expect(status.status).toBe(test.status === 'succeed' ? 'SUCCEEDED' : 'FAILED');
      expect(status.message).toEqual(expect.any(String));
      // The check really asked the API, and the API's answer is what decided.
      const counters = sandbox.counters();
      expect(counters.requests).toBeGreaterThan(0);
      if (test.status === 'failed') expect(counters.byStatus['401'] ?? 0).toBeGreaterThan(0);
      else expect(counters.byStatus['200'] ?? 0).toBeGreaterThan(0);
    });
  }

  it('an unreachable host: FAILED, not a crash', async () => {
    const config = configFor('http://127.0.0.1:9', { max_retries: 1, request_timeout_seconds: 5 });
    const run = await connector.check(config);
    const status = statusOf(run, config);
    expect(status.status).toBe('FAILED');
    expect(status.message.length).toBeGreaterThan(0);
  });

  it('check output is valid AirbyteMessages', async () => {
    const run = await connector.check(configFor(sandbox.url, {}, catTests('connection')[0].config_path));
    expectValidMessages(run);
  });
});

describe('discovery (acceptance_tests.discovery)', () => {
  const fullCatalog = readJson(catalogPathOf(catTests('basic_read')[0]));
  const incrementalCatalog = readJson(catTests('incremental')[0].configured_catalog_path);
  let sandbox: Sandbox;
  const runs: Array<{ configPath: string; run: Run; requests: number }> = [];
  const catalog = () => ofType(runs[0].run, 'CATALOG')[0].catalog;
  const streams = (): Json[] => catalog().streams;
  const byName = (name: string): Json => streams().find((s) => s.name === name);

  beforeAll(async () => {
    sandbox = await startSandbox({ port: 0, rateLimitCapacity: 0 });
    for (const test of catTests('discovery')) {
      sandbox.resetCounters();
      const run = await connector.discover(configFor(sandbox.url, {}, test.config_path));
      runs.push({ configPath: test.config_path, run, requests: sandbox.counters().requests });
    }
  });
  afterAll(() => sandbox.close());

  it('prints one CATALOG and exits 0', () => {
    for (const { run } of runs) {
      expect([run.code, traces(run, 'ERROR')]).toEqual([0, []]);
      expect(ofType(run, 'CATALOG')).toHaveLength(1);
    }
  });

  it('every stdout line is a valid AirbyteMessage', () => runs.forEach(({ run }) => expectValidMessages(run)));

  it('sends no request to the API', () => {
    expect(runs.map((r) => [r.configPath, r.requests])).toEqual(runs.map((r) => [r.configPath, 0]));
  });

  it('discovers the 14 streams, the ones the API serves and the CAT catalogs select', () => {
    const names = streams().map((s) => s.name).sort();
    expect(names).toHaveLength(14);
    expect(new Set(names).size).toBe(14);
    expect(names).toEqual(Object.keys(sandbox.truth()).sort());
    expect(names).toEqual(catalogStreams(fullCatalog).map((s) => s.name).sort());
  });

  it('declares source-defined primary keys ([["uuid"]] for shipping_zones), present in the schema', () => {
    expect(byName('shipping_zones').source_defined_primary_key).toEqual([['uuid']]);
    for (const s of catalogStreams(fullCatalog)) {
      const found = byName(s.name);
      expect([s.name, found.source_defined_primary_key]).toEqual([s.name, [[s.pk]]]);
      expect([s.name, Object.keys(found.json_schema.properties)]).toEqual([s.name, expect.arrayContaining([s.pk])]);
    }
  });

  it('the four per-product streams and every incremental stream, and only they, are resumable (is_resumable, with the source-defined cursor the protocol asks of one)', () => {
    const children = ['product_options', 'products_images', 'products_reviews', 'products_variations'];
    const incremental = streams().filter((s) => s.supported_sync_modes.includes('incremental')).map((s) => s.name);
    expect(incremental.length).toBeGreaterThan(0);
    const expected = [...new Set([...children, ...incremental])].sort();
    expect(streams().filter((s) => s.is_resumable === true).map((s) => s.name).sort()).toEqual(expected);
    for (const name of expected) expect([name, byName(name).source_defined_cursor]).toEqual([name, true]);
    expect(streams().filter((s) => s.is_resumable !== undefined && s.is_resumable !== true)).toEqual([]);
  });

  it('cursor streams support full_refresh and incremental with a source-defined cursor; the others full_refresh only', () => {
    const incremental = catalogStreams(incrementalCatalog).filter((s) => s.syncMode === 'incremental');
    expect(incremental.length).toBeGreaterThan(0);
    const truth = sandbox.truth() as Record<string, Json[]>;
    for (const s of streams()) {
      const inc = incremental.find((i) => i.name === s.name);
      if (inc) {
        expect([s.name, s.supported_sync_modes]).toEqual([s.name, ['full_refresh', 'incremental']]);
        expect([s.name, s.source_defined_cursor, s.default_cursor_field]).toEqual([s.name, true, [inc.cursor]]);
        // The cursor is in the schema and in every record the API serves (seed form); the derived change cursor
        // (changed_at_utc, stamped by incremental reads) is made from the creation time, which every record carries.
        expect([s.name, Object.keys(s.json_schema.properties)]).toEqual([s.name, expect.arrayContaining([inc.cursor])]);
        const served = inc.cursor === 'changed_at_utc' ? 'created_at_utc' : inc.cursor!;
        const without = truth[s.name].filter((r) => typeof r[served] !== 'string').length;
        expect([s.name, without]).toEqual([s.name, 0]);
      } else {
        expect([s.name, s.supported_sync_modes]).toEqual([s.name, ['full_refresh']]);
        // A resumable full-refresh-only stream's cursor is synthetic (its place in the product list): source-defined, no default field.
        expect([s.name, s.source_defined_cursor ?? false, s.default_cursor_field]).toEqual([s.name, s.is_resumable === true, undefined]);
      }
    }
  });

  it('every json_schema is a valid draft-07 schema of an object', () => {
    const problems = streams().flatMap((s) => draft07Problems(s.json_schema).map((p) => `${s.name}: ${p}`));
    expect(problems).toEqual([]);
    for (const s of streams()) expect([s.name, s.json_schema.type]).toEqual([s.name, 'object']);
  });

  it('every json_schema accepts every record the API serves (seed form)', () => {
    const truth = sandbox.truth() as Record<string, Json[]>;
    const problems: string[] = [];
    for (const s of streams()) {
      const validate = draft07().compile(s.json_schema);
      for (const r of truth[s.name]) {
        if (!validate(r)) problems.push(`${s.name} ${JSON.stringify(r.id ?? r.uuid)}: ${JSON.stringify(validate.errors)}`);
      }
    }
    expect(problems.slice(0, 10)).toEqual([]);
  });
});
