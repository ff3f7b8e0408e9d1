import fs from 'node:fs';
import path from 'node:path';

import Ajv, { ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import yaml from 'js-yaml';

import { ROOT } from './connector';

/** The official protocol schema, beside the checkout in CI (../shared); absent in a plain clone. AIRBYTE_PROTOCOL_YAML points elsewhere. */
export const PROTOCOL_YAML =
  process.env.AIRBYTE_PROTOCOL_YAML ?? path.resolve(ROOT, '..', 'shared', 'airbyte-protocol', 'airbyte_protocol.yaml');
export const hasProtocol = fs.existsSync(PROTOCOL_YAML);

/**
 * What a protocol-validation test does: run when the schema is there; under CI
 * (CI=true or 1, as CI services set it) a missing schema fails the test, since
 * a skip there would hide that nothing was validated; elsewhere it skips, saying why.
 */
export function protocolTestMode(schemaPresent: boolean, ci: string | undefined): 'run' | 'fail' | 'skip' {
  if (schemaPresent) return 'run';
  return ci !== undefined && ci !== '' && ci !== 'false' && ci !== '0' ? 'fail' : 'skip';
}

const validators: Record<string, ValidateFunction> = {};
let ajv: Ajv | undefined;

/** A validator for a definition of airbyte_protocol.yaml, e.g. 'AirbyteMessage'. */
export function protocolValidator(definition: string): ValidateFunction {
  if (!ajv) {
    ajv = new Ajv({ strict: false, allErrors: true });
    addFormats(ajv);
    ajv.addSchema(yaml.load(fs.readFileSync(PROTOCOL_YAML, 'utf8')) as object, 'protocol');
  }
  validators[definition] ??= ajv.getSchema(`protocol#/definitions/${definition}`)!;
  return validators[definition];
}

/** A validator for a stream's JSON schema in resources/schemas (draft-07, formats checked). */
export function streamSchemaValidator(stream: string): ValidateFunction {
  const ajv = new Ajv({ strict: false, allErrors: true });
  addFormats(ajv);
  return ajv.compile(JSON.parse(fs.readFileSync(path.join(ROOT, 'resources', 'schemas', `${stream}.json`), 'utf8')));
}

/** `it` when the protocol schema is there; otherwise a failing test under CI, a skipped one elsewhere (see protocolTestMode). */
export const withProtocol = {
  run: it,
  fail: (name: string, ..._rest: unknown[]) =>
    it(`${name} (the protocol schema is required under CI)`, () => {
      throw new Error(`${PROTOCOL_YAML} is absent: under CI the Airbyte protocol schema must be there, so nothing goes unvalidated.`);
    }),
  skip: (name: string, ..._rest: unknown[]) => it.skip(`${name} (skipped: ${PROTOCOL_YAML} is absent outside CI)`, () => {}),
}[protocolTestMode(hasProtocol, process.env.CI)] as typeof it;
