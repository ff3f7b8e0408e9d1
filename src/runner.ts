import { Command } from 'commander';
import { Runner } from 'faros-airbyte-cdk/lib/runner';

import { Config, configWarnings, parseConfig } from './config';
import {
  connectionStatus,
  ConnectorError,
  errorTrace,
  ignoredStateWarnings,
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
 * Its own module (AirbyteSourceRunner) is loaded only for the two commands kept
 * from it: it loads lodash, table and enquirer, a third of spec's start-up.
 */
export class SourceRunner extends Runner {
  constructor(
    logger: ProtocolLogger,
    private readonly ecommerce: EcommerceSource,
    private readonly output: ProtocolOutput
  ) {
    super(logger);
    maskWrites(process.stderr, { text: (t) => this.output.redactor.text(t) });
    process.removeAllListeners('uncaughtException');
    process.removeAllListeners('unhandledRejection');
    const crash = (error: unknown) => void this.fail(error).then(() => this.output.end());
    process.on('uncaughtException', crash);
    process.on('unhandledRejection', crash);
  }

  /** The CDK's command line: the same commands and names, with the connector's own version (the kit's reports the kit's). */
  mainCommand(): Command {
    return new Command()
      .name('main')
      .version(CONNECTOR_VERSION)
      .addCommand(this.specCommand())
      .addCommand(this.kitCommand('spec-pretty', 'pretty spec command'))
      .addCommand(this.kitCommand('airbyte-local-cli-wizard', 'Run a wizard command to prepare arguments for Airbyte Local CLI'))
      .addCommand(this.checkCommand())
      .addCommand(this.discoverCommand())
      .addCommand(this.readCommand());
  }

  /**
   * One of the CDK's own commands, its module loaded when it runs: every
   * argument (--help included) goes to the CDK's command as given. The CDK's
   * runner is not constructed, so its process-wide error handlers (see the
   * constructor) are not installed a second time.
   */
  private kitCommand(name: 'spec-pretty' | 'airbyte-local-cli-wizard', description: string): Command {
    return new Command(name)
      .description(description)
      .helpOption(false)
      .allowUnknownOption()
      .allowExcessArguments()
      .action(async (_opts, command: Command) => {
        const { AirbyteSourceRunner } = await import('faros-airbyte-cdk/lib/sources/source-runner');
        const kit = Object.assign(Object.create(AirbyteSourceRunner.prototype), { logger: this.logger, source: this.ecommerce });
        const real: Command = name === 'spec-pretty' ? kit.specPrettyCommand() : kit.airbyteLocalCLIWizardCommand();
        const print = console.log;
        // The kit names a secret's variable after its field (${API_KEY}); faros/airbyte-local-config.json and
        // docs/faros.md use ${ECOMMERCE_API_KEY}, clear of other sources' keys in the same environment.
        console.log = (...args: unknown[]) =>
          print(...args.map((a) => (typeof a === 'string' ? a.replace(/\$\{(API_KEY|API_SECRET)\}/g, '${ECOMMERCE_$1}') : a)));
        try {
          await real.parseAsync(command.args, { from: 'user' });
        } finally {
          console.log = print;
        }
      });
  }

  specCommand(): Command {
    return new Command('spec')
      .description('print the connector specification')
      .action(() => this.run(async () => this.output.message(await this.ecommerce.spec())));
  }

  checkCommand(): Command {
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

  discoverCommand(): Command {
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

  readCommand(): Command {
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
          for (const warning of ignoredStateWarnings(state, this.ecommerce.stateKeys(config))) this.logger.warn(warning);
          this.logger.info(
            `Reading ${selected.length} stream${selected.length === 1 ? '' : 's'} from ${config.base_url} (page size ${config.page_size}, ` +
              `${config.rate_limit_per_second} requests/s after a burst of ${config.rate_limit_capacity}, ` +
              `${config.max_concurrency} at once).`
          );
          const ok = await this.ecommerce.sync(config, selected, state, this.output);
          this.logger.info(
            ok
              ? `Read finished: ${selected.length} stream${selected.length === 1 ? '' : 's'} complete.`
              : 'Read finished with errors: see the ERROR messages above; the streams without one are complete.'
          );
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
