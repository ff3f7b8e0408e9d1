/**
 * test_files/ (used by acceptance-test-config.yml and the acceptance suite)
 * checked against the Airbyte protocol and against what the connector itself
 * discovers, so that the files cannot drift from the connector.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

import Ajv, { ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import yaml from 'js-yaml';

const ROOT = path.resolve(__dirname, '..');
const FILES = path.join(ROOT, 'test_files');
const PROTOCOL = path.join(ROOT, 'test', 'airbyte-protocol', 'airbyte_protocol.yaml');

type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any

const read = (name: string): Json => JSON.parse(fs.readFileSync(path.join(FILES, name), 'utf8'));

const config = read('config.json');
const invalidConfig = read('invalid_config.json');
const fullCatalog = read('full_catalog.json');
const incrementalCatalog = read('incremental_catalog.json');
const abnormalState = read('abnormal_state.json');

jest.setTimeout(60_000);

describe('test_files against the Airbyte protocol', () => {
  let validator: (definition: string) => ValidateFunction;

  beforeAll(() => {
    const schema = yaml.load(fs.readFileSync(PROTOCOL, 'utf8')) as Json;
    const ajv = new Ajv({ strict: false, allErrors: true });
    addFormats(ajv);
    ajv.addSchema(schema, 'protocol');
    validator = (definition) => ajv.getSchema(`protocol#/definitions/${definition}`)!;
  });

  const valid = (definition: string, value: unknown) => {
    const validate = validator(definition);
    expect(validate).toBeDefined();
    const ok = validate(value);
    expect(ok ? [] : validate.errors).toEqual([]);
  };

  it('full_catalog.json is a ConfiguredAirbyteCatalog', () => valid('ConfiguredAirbyteCatalog', fullCatalog));
  it('incremental_catalog.json is a ConfiguredAirbyteCatalog', () =>
    valid('ConfiguredAirbyteCatalog', incrementalCatalog)
  );
  it('abnormal_state.json is a list of AirbyteStateMessage', () => {
    expect(Array.isArray(abnormalState)).toBe(true);
    for (const message of abnormalState) valid('AirbyteStateMessage', message);
  });
});

describe('test_files against the streams the connector discovers', () => {
  let discovered: Json[];
  const byName = (name: string) => discovered.find((s) => s.name === name);
  const incremental = () => discovered.filter((s) => s.supported_sync_modes.includes('incremental'));

  beforeAll(() => {
    if (!fs.existsSync(path.join(ROOT, 'lib', 'index.js'))) {
      throw new Error('lib/index.js is missing: run `npm run build` first (`npm test` does).');
    }
    const result = spawnSync(
      path.join(ROOT, 'bin', 'main'),
      ['discover', '--config', path.join(FILES, 'config.json')],
      { cwd: ROOT, encoding: 'utf8', timeout: 30_000 }
    );
    const messages = result.stdout
      .split('\n')
      .filter((l) => l.trim() !== '')
      .map((l) => JSON.parse(l));
    const catalog = messages.find((m) => m.type === 'CATALOG');
    if (result.status !== 0 || !catalog) {
      throw new Error(`bin/main discover failed (exit ${result.status}):\n${result.stdout}\n${result.stderr}`);
    }
    discovered = catalog.catalog.streams;
  });

  it('the connector discovers 14 streams', () => {
    expect(discovered.map((s) => s.name)).toHaveLength(14);
  });

  for (const [file, catalog] of [
    ['full_catalog.json', fullCatalog],
    ['incremental_catalog.json', incrementalCatalog],
  ] as const) {
    it(`${file} selects every discovered stream once, with its primary key and sync modes`, () => {
      const names = catalog.streams.map((c: Json) => c.stream.name);
      expect([...names].sort()).toEqual(discovered.map((s) => s.name).sort());
      for (const entry of catalog.streams) {
        const found = byName(entry.stream.name);
        const { name } = found;
        expect([name, entry.destination_sync_mode]).toEqual([name, 'append_dedup']);
        expect([name, entry.primary_key]).toEqual([name, found.source_defined_primary_key]);
        expect([name, entry.stream.source_defined_primary_key]).toEqual([name, found.source_defined_primary_key]);
        expect([name, entry.stream.supported_sync_modes]).toEqual([name, found.supported_sync_modes]);
        expect([name, entry.stream.source_defined_cursor]).toEqual([name, found.source_defined_cursor]);
        expect([name, entry.stream.default_cursor_field]).toEqual([name, found.default_cursor_field]);
        expect([name, entry.stream.is_resumable]).toEqual([name, found.is_resumable]);
        expect(found.supported_sync_modes).toContain(entry.sync_mode);
      }
    });
  }

  it('full_catalog.json reads every stream in full_refresh', () => {
    for (const entry of fullCatalog.streams) {
      expect([entry.stream.name, entry.sync_mode]).toEqual([entry.stream.name, 'full_refresh']);
    }
  });

  it('incremental_catalog.json reads every stream that can be incremental so, on its cursor', () => {
    for (const entry of incrementalCatalog.streams) {
      const found = byName(entry.stream.name);
      if (found.supported_sync_modes.includes('incremental')) {
        expect([found.name, entry.sync_mode, entry.cursor_field]).toEqual([
          found.name,
          'incremental',
          found.default_cursor_field,
        ]);
      } else {
        expect([found.name, entry.sync_mode]).toEqual([found.name, 'full_refresh']);
      }
    }
    expect(incremental().length).toBeGreaterThan(0);
  });

  it('abnormal_state.json puts every incremental stream far in the future, on its cursor field', () => {
    const states = new Map<string, Json>(
      abnormalState.map((m: Json) => {
        expect(m.type).toBe('STREAM');
        return [m.stream.stream_descriptor.name, m.stream.stream_state];
      })
    );
    expect(states.size).toBe(abnormalState.length); // one message per stream
    expect([...states.keys()].sort()).toEqual(incremental().map((s) => s.name).sort());
    const tenYears = Date.now() + 10 * 365 * 24 * 3600 * 1000;
    for (const stream of incremental()) {
      const state = states.get(stream.name);
      const field = stream.default_cursor_field[0];
      // The cursor field, and for a derived cursor (changed_at_utc) the list's creation position beside it.
      expect([stream.name, Object.keys(state)]).toEqual([stream.name, expect.arrayContaining([field])]);
      for (const key of Object.keys(state)) expect([stream.name, key, Date.parse(state[key]) > tenYears]).toEqual([stream.name, key, true]);
    }
  });

  it('config.json targets the local sandbox, invalid_config.json differs only by its api_secret', () => {
    expect(new URL(config.base_url).hostname).toBe('127.0.0.1');
    expect(config.api_key).toBeTruthy();
    expect(invalidConfig.api_secret).toBeTruthy();
    expect(invalidConfig.api_secret).not.toBe(config.api_secret);
    expect({ ...invalidConfig, api_secret: config.api_secret }).toEqual(config);
  });
});
