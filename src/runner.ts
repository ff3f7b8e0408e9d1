import { Command } from 'commander';
import { AirbyteSourceRunner } from 'faros-airbyte-cdk';

import { Config, configWarnings, parseConfig } from './config';
import {
  connectionStatus,
  ConnectorError,
  errorTrace,
  maskWrites,
  MIN_CREDENTIAL_LENGTH,
  parseCatalog,
  parseState,
  ProtocolLogger,
  ProtocolOutput,
  readJsonFile,
  redactor,
} from './protocol';
import { EcommerceSource } from './source';

// eslint-disable-next-line @typescript-eslint/no-var-requires
const CONNECTOR_VERSION: string = require('../package.json').version;

/**
 * The CDK's command runner with spec, check, discover and read replaced, so that
 * every input is validated before any request, every failure ends in one TRACE
 * error (or a FAILED connection status for check) and a non-zero exit code, and
 * output is flushed before the process ends. The CDK's runner loads inputs with
 * require() (whose errors quote the file) and exits on error before stdout drains.
 */
export class SourceRunner extends AirbyteSourceRunner<Config> {
  constructor(
    logger: ProtocolLogger,
    private readonly ecommerce: EcommerceSource,
    private readonly output: ProtocolOutput
  ) {
    super(logger, ecommerce);
    maskWrites(process.stderr, { text: (t) => this.output.redactor.text(t) });
    process.removeAllListeners('uncaughtException');
    process.removeAllListeners('unhandledRejection');
    const crash = (error: unknown) => void this.fail(error).then(() => this.output.end());
    process.on('uncaughtException', crash);
    process.on('unhandledRejection', crash);
  }

  /** The kit's command line, with the connector's own version (the kit's reports the kit's). */
  override mainCommand(): Command {
    return new Command()
      .name('main')
      .version(CONNECTOR_VERSION)
      .addCommand(this.specCommand())
      .addCommand(this.specPrettyCommand())
      .addCommand(this.airbyteLocalCLIWizardCommand())
      .addCommand(this.checkCommand())
      .addCommand(this.discoverCommand())
      .addCommand(this.readCommand());
  }

  override specCommand(): Command {
    return new Command('spec')
      .description('print the connector specification')
      .action(() => this.run(async () => this.output.message(await this.ecommerce.spec())));
  }

  override checkCommand(): Command {
    return new Command('check')
      .description('check the credentials and that the API answers')
      .requiredOption('--config <path to json>', 'config json')
      .action((opts) =>
        this.run(async () => {
          let config: Config;
          try {
            config = this.loadConfig(opts.config);
          } catch (error) {
            if (!(error instanceof ConnectorError)) throw error;
            this.output.message(connectionStatus(false, error.message));
            return;
          }
          this.output.message(await this.ecommerce.check(config));
        })
      );
  }

  override discoverCommand(): Command {
    return new Command('discover')
      .description('list the streams and their schemas')
      .requiredOption('--config <path to json>', 'config json')
      .action((opts) =>
        this.run(async () => {
          const config = this.loadConfig(opts.config);
          this.output.message(await this.ecommerce.discover(config));
        })
      );
  }

  override readCommand(): Command {
    return new Command('read')
      .description('read the selected streams')
      .requiredOption('--config <path to json>', 'config json')
      .requiredOption('--catalog <path to json>', 'configured catalog json')
      .option('--state <path to json>', 'state json')
      .action((opts) =>
        this.run(async () => {
          const config = this.loadConfig(opts.config);
          const names = this.ecommerce.streams(config).map((s) => s.name);
          const selected = parseCatalog(readJsonFile(opts.catalog, 'catalog'), names);
          const state = opts.state ? parseState(readJsonFile(opts.state, 'state')) : {};
          this.logger.info(
            `Reading ${selected.length} streams from ${config.base_url} (page size ${config.page_size}, ` +
              `${config.rate_limit_per_second} requests/s after a burst of ${config.rate_limit_capacity}, ` +
              `${config.max_concurrency} at once).`
          );
          const ok = await this.ecommerce.sync(config, selected, state, this.output);
          if (!ok) process.exitCode = 1;
        })
      );
  }

  private loadConfig(file: string): Config {
    const raw = readJsonFile(file, 'config') as Record<string, unknown> | null;
    // Mask from the raw values on, so that even a config that fails validation cannot leak them. A value
    // too short to be a credential is refused by parseConfig, and masking it would garble that very message.
    const secret = (v: unknown) => (typeof v === 'string' && v.length >= MIN_CREDENTIAL_LENGTH ? v : undefined);
    this.output.setRedactor(redactor([secret(raw?.api_key), secret(raw?.api_secret)]));
    const config = parseConfig(raw);
    if (config.debug) this.logger.level = 'DEBUG' as never;
    for (const warning of configWarnings(raw!, config, process.env, Date.now())) this.logger.warn(warning);
    return config;
  }

  private async run(command: () => Promise<void>): Promise<void> {
    try {
      await command();
    } catch (error) {
      await this.fail(error);
    } finally {
      await this.output.end();
    }
  }

  private async fail(error: unknown): Promise<void> {
    this.output.message(errorTrace(error));
    process.exitCode = 1;
  }
}
