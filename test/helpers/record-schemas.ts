/**
 * Every record of a read checked against the schema the connector's own
 * `discover` gives its stream (ajv, JSON Schema draft-07, formats checked): what
 * a destination is told to expect must hold for every row it receives.
 */
import Ajv, { ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';

import { Run, runConnector, workDir } from './connector';

type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any

/** One validator per stream, from a discover run's CATALOG message. */
export function validatorsOf(discover: Run): Map<string, ValidateFunction> {
  const catalog = discover.messages.find((m) => m.type === 'CATALOG');
  if (discover.code !== 0 || !catalog) {
    throw new Error(`discover failed (exit ${discover.code}): ${discover.stdout.slice(0, 500)}${discover.stderr.slice(0, 500)}`);
  }
  const validators = new Map<string, ValidateFunction>();
  for (const stream of catalog.catalog.streams as Json[]) {
    const ajv = new Ajv({ strict: false, allErrors: true });
    addFormats(ajv);
    validators.set(stream.name, ajv.compile(stream.json_schema));
  }
  return validators;
}

const discovered = new Map<string, Promise<Map<string, ValidateFunction>>>();

/**
 * The validators of `bin/main discover` run with this config. Discover makes no
 * request, so one run serves every config that differs only in base_url.
 */
export function discoveredValidators(config: Record<string, unknown>): Promise<Map<string, ValidateFunction>> {
  const key = JSON.stringify({ ...config, base_url: undefined });
  let validators = discovered.get(key);
  if (!validators) {
    const dir = workDir();
    validators = runConnector(['discover', '--config', dir.write('config.json', config)], { timeoutMs: 30_000 })
      .then(validatorsOf)
      .finally(() => dir.cleanup());
    discovered.set(key, validators);
  }
  return validators;
}

/** Every record of the run its stream's schema rejects (or whose stream discover does not know), one line each. */
export function recordSchemaProblems(run: Run, validators: Map<string, ValidateFunction>): string[] {
  const problems: string[] = [];
  for (const m of run.messages) {
    if (m.type !== 'RECORD') continue;
    const { stream, data } = m.record;
    const validate = validators.get(stream);
    if (!validate) problems.push(`${stream}: a record of a stream discover does not list`);
    else if (!validate(data)) {
      const why = (validate.errors ?? []).slice(0, 3).map((e) => `${e.instancePath || '/'} ${e.message}`).join('; ');
      problems.push(`${stream} id ${JSON.stringify(data?.id)}: ${why}`);
    }
  }
  return problems;
}

/** Throws, listing the first ten, when any record of the run does not match its discovered schema. */
export async function expectRecordsMatchDiscoveredSchemas(run: Run, config: Record<string, unknown>): Promise<void> {
  if (!run.messages.some((m) => m.type === 'RECORD')) return; // nothing to check (and the config may be one discover refuses)
  const problems = recordSchemaProblems(run, await discoveredValidators(config));
  if (problems.length > 0) {
    throw new Error(
      `${problems.length} records do not match the schema discover gives their stream:\n  ${problems.slice(0, 10).join('\n  ')}`
    );
  }
}
