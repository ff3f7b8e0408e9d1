import fs from 'node:fs';
import path from 'node:path';

import Ajv, { ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import yaml from 'js-yaml';

import { ROOT } from './connector';

/** The official protocol schema, committed with the tests (see test/airbyte-protocol/README.md). */
export const PROTOCOL_YAML = path.join(ROOT, 'test', 'airbyte-protocol', 'airbyte_protocol.yaml');

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
