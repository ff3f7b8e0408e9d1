/**
 * `npm run faros:config`: copies faros/mapping.jsonata into the destination
 * config of faros/airbyte-local-config.json (`dst.config.jsonata_expression`),
 * where Faros' destination takes it as a string. Run it after editing the
 * mapping; test/faros/faros-config.test.ts fails while the two differ.
 */
import fs from 'node:fs';
import path from 'node:path';

export const FAROS_DIR = path.resolve(__dirname, '..', 'faros');
export const MAPPING_FILE = path.join(FAROS_DIR, 'mapping.jsonata');
export const CLI_CONFIG_FILE = path.join(FAROS_DIR, 'airbyte-local-config.json');

if (require.main === module) {
  const config = JSON.parse(fs.readFileSync(CLI_CONFIG_FILE, 'utf8'));
  config.dst.config.jsonata_expression = fs.readFileSync(MAPPING_FILE, 'utf8');
  fs.writeFileSync(CLI_CONFIG_FILE, `${JSON.stringify(config, null, 2)}\n`);
  console.log(`${path.relative(process.cwd(), CLI_CONFIG_FILE)}: jsonata_expression updated from ${path.relative(process.cwd(), MAPPING_FILE)}`);
}
