import { AirbyteConnectionStatusMessage, AirbyteSourceBase, AirbyteSpec } from 'faros-airbyte-cdk';
import VError from 'verror';

import { SelectedStream } from './catalog';
import { Config } from './config';
import { ConnectorError } from './errors';
import { ApiClient, RetryNotice } from './http/client';
import { CHECK } from './http/describe-error';
import { ProtocolOutput } from './output';
import { PageCap } from './page-cap';
import { ProductCatalog } from './product-catalog';
import { connectionStatus } from './protocol';
import { ConnectorState } from './state';
import { allStreams, EcommerceStream } from './streams';
import { runSync } from './sync';

// eslint-disable-next-line @typescript-eslint/no-var-requires
const SPEC = require('../resources/spec.json');

/** The e-commerce API source: spec, check, discover, and the streams a read syncs. */
export class EcommerceSource extends AirbyteSourceBase<Config> {
  get type(): string {
    return 'ecommerce';
  }

  async spec(): Promise<AirbyteSpec> {
    return new AirbyteSpec(SPEC);
  }

  /** Discover makes no request: the streams and their schemas are static. */
  streams(config: Config): EcommerceStream[] {
    return allStreams({ config, client: this.client(config), products: new ProductCatalog(), pageCap: new PageCap(), logger: this.logger });
  }

  /** One cheap authenticated request; the answer says what was verified or what failed. */
  override async check(config: Config): Promise<AirbyteConnectionStatusMessage> {
    const client = new ApiClient(config, undefined, Math.min(config.max_retries, 1));
    try {
      await client.get('/v1/products', { offset: 0, [config.page_size_parameter]: 1 }, CHECK);
      return connectionStatus(
        true,
        `Connected to ${config.base_url}: the API key and secret were accepted and /v1/products answered with a list.`
      ) as AirbyteConnectionStatusMessage;
    } catch (error) {
      const message = error instanceof ConnectorError ? error.message : String(error);
      return connectionStatus(false, message) as AirbyteConnectionStatusMessage;
    } finally {
      await client.close();
    }
  }

  async checkConnection(config: Config): Promise<[boolean, VError | undefined]> {
    const status = await this.check(config);
    const ok = status.connectionStatus.status === 'SUCCEEDED';
    return [ok, ok ? undefined : new VError(status.connectionStatus.message ?? 'check failed')];
  }

  /** Runs the read command's sync, writing messages to `output`. Resolves to false if any stream failed. */
  async sync(config: Config, selected: SelectedStream[], state: ConnectorState, output: ProtocolOutput): Promise<boolean> {
    const client = this.client(config);
    const products = new ProductCatalog();
    const pageCap = PageCap.forRun(config.page_size, this.logger);
    const streams = allStreams({ config, client, products, pageCap, logger: this.logger });
    try {
      return await runSync({ config, streams, selected, state, client, products, output, logger: this.logger });
    } finally {
      await client.close();
    }
  }

  /** The CDK's own read loop is replaced by sync(): see src/sync.ts for why. */
  override read(): never {
    throw new VError('EcommerceSource.read() is not used; the runner calls sync().');
  }

  private client(config: Config): ApiClient {
    return new ApiClient(config, {
      retry: (n: RetryNotice) =>
        this.logger.warn(
          `Stream '${n.stream}': ${n.path} answered ${n.reason}; retry ${n.attempt} in ${(n.delayMs / 1000).toFixed(1)} s.`
        ),
      ...(config.debug && {
        exchange: (stream: string, url: string, outcome: string, ms: number) =>
          this.logger.debug(`Stream '${stream}': GET ${url} → ${outcome} in ${ms} ms.`),
      }),
    });
  }
}
