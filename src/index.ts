import { Command } from 'commander';

import { exitOnCancel } from './cancel';
import { ProtocolLogger, ProtocolOutput } from './output';
import { SourceRunner } from './runner';
import { EcommerceSource } from './source';

export { EcommerceSource };

/** The connector's command line: spec, check, discover, read (bin/main). */
export function mainCommand(): Command {
  const output = new ProtocolOutput();
  exitOnCancel(output);
  const logger = new ProtocolLogger(output);
  const source = new EcommerceSource(logger);
  return new SourceRunner(logger, source, output).mainCommand();
}
