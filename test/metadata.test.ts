/**
 * metadata.yaml as Airbyte's registry reads it (ConnectorMetadataDefinitionV0), kept in step with the
 * Dockerfile's labels, package.json, the spec, the stream table and the connector's own limits.
 */
import fs from 'node:fs';
import path from 'node:path';

import yaml from 'js-yaml';

import { STREAM_TABLE } from '../scripts/streams';
import { DEFAULTS } from '../src/config/config';
import { RATE_LIMIT_WATCH } from '../src/http/rate-limit-watch';
import { ROOT } from './helpers/connector';

const read = (file: string) => fs.readFileSync(path.join(ROOT, file), 'utf8');
const document = yaml.load(read('metadata.yaml')) as any;
const data = document.data;
const pkg = JSON.parse(read('package.json'));
const spec = JSON.parse(read('resources/spec.json'));
const labels = Object.fromEntries([...read('Dockerfile').matchAll(/^LABEL\s+(\S+)="([^"]*)"/gm)].map((m) => [m[1], m[2]]));

/** The registry schema's required fields and every field it allows (additionalProperties: false). */
const REQUIRED = ['name', 'definitionId', 'connectorType', 'dockerRepository', 'dockerImageTag', 'license', 'documentationUrl',
  'githubIssueLabel', 'connectorSubtype', 'releaseStage'];
const ALLOWED = [...REQUIRED, 'icon', 'connectorBuildOptions', 'supportsDbt', 'supportsNormalization', 'maxSecondsBetweenMessages',
  'releaseDate', 'protocolVersion', 'supportLevel', 'tags', 'registries', 'registryOverrides', 'allowedHosts', 'releases',
  'normalizationConfig', 'suggestedStreams', 'resourceRequirements', 'ab_internal', 'remotePackageIndex', 'connectorTestSuitesOptions'];

describe('metadata.yaml', () => {
  it('has the fields the registry requires and no field it does not know', () => {
    expect(Object.keys(document).sort()).toEqual(['data', 'metadataSpecVersion']);
    expect(REQUIRED.filter((f) => data[f] === undefined)).toEqual([]);
    expect(Object.keys(data).filter((f) => !ALLOWED.includes(f))).toEqual([]);
    expect(data.connectorType).toBe('source');
    expect(data.connectorSubtype).toBe('api');
    expect(['alpha', 'beta', 'generally_available', 'custom']).toContain(data.releaseStage);
    expect(['community', 'certified', 'archived']).toContain(data.supportLevel);
    expect(data.protocolVersion).toMatch(/^0\.\d+\.\d+$/);
  });

  it("names the image and version the Dockerfile's labels and package.json give, and the spec's documentation and license", () => {
    expect(data.dockerRepository).toBe(labels['io.airbyte.name']);
    expect(data.dockerImageTag).toBe(labels['io.airbyte.version']);
    expect(data.dockerImageTag).toBe(pkg.version);
    expect(data.documentationUrl).toBe(spec.documentationUrl);
    expect(data.license).toBe(pkg.license);
  });

  it("allows the vendor's host (the default base_url) and whatever host base_url names", () => {
    const baseUrl = spec.connectionSpecification.properties.base_url;
    expect(data.allowedHosts.hosts).toEqual([new URL(baseUrl.default).hostname, '${base_url}']);
    expect(new URL(DEFAULTS.base_url).hostname).toBe(data.allowedHosts.hosts[0]);
  });

  it('allows a silence twice the longest a rate-limited read has with default limits (Retry-After wait + one attempt)', () => {
    const longestQuietSeconds = DEFAULTS.max_retry_wait_seconds + DEFAULTS.request_timeout_seconds;
    expect(data.maxSecondsBetweenMessages).toBe(2 * longestQuietSeconds);
    // The repeated RATE_LIMITED status alone would keep a long wait under this bound.
    expect(RATE_LIMIT_WATCH.everyMs / 1000).toBeLessThan(data.maxSecondsBetweenMessages);
  });

  it('suggests streams the connector has', () => {
    const names = STREAM_TABLE.map((s) => s.name);
    expect(data.suggestedStreams.streams.length).toBeGreaterThan(0);
    expect(data.suggestedStreams.streams.filter((s: string) => !names.includes(s))).toEqual([]);
  });

  it('asks for memory in the form the platform reads, the limit above the request', () => {
    const [sync] = data.resourceRequirements.jobSpecific;
    expect(sync.jobType).toBe('sync');
    const mebibytes = (v: string) => Number(/^(\d+)Mi$/.exec(v)![1]);
    expect(mebibytes(sync.resourceRequirements.memory_limit)).toBeGreaterThan(mebibytes(sync.resourceRequirements.memory_request));
  });
});
