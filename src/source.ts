import { AirbyteConnectionStatusMessage, AirbyteSourceBase, AirbyteSpec } from 'faros-airbyte-cdk';
import VError from 'verror';

import { Config } from './config';
import { ApiClient, CHECK, RateLimitWatch, RetryNotice } from './http';
import {
  connectionStatus,
  ConnectorError,
  ConnectorState,
  ProtocolOutput,
  rateLimitedStatus,
  SelectedStream,
} from './protocol';
import { EmbeddedChildren, EmbeddedName, PageCap, ProductCatalog } from './read';
import { allStreams, EcommerceStream } from './streams';
import { runSync } from './sync';

// eslint-disable-next-line @typescript-eslint/no-var-requires
const SPEC = require('../resources/spec.json');

/** The names under which the products list can embed the selected child streams. */
function embeddable(streams: EcommerceStream[], selected: SelectedStream[]): EmbeddedName[] {
  const wanted = new Set(selected.map((s) => s.name));
  return streams.flatMap((s) => (wanted.has(s.name) && s.definition.embeddedAs ? [s.definition.embeddedAs] : []));
}

/** The e-commerce API source: spec, check, discover, and the streams a read syncs. */
export class EcommerceSource extends AirbyteSourceBase<Config> {
  get type(): string {
    return 'ecommerce';
  }

  async spec(): Promise<AirbyteSpec> {
    return new AirbyteSpec(SPEC);
  }

  /**
   * The streams as discover and the catalog check see them: names, keys and
   * schemas are static, so no HTTP client is built; reading one of these fails
   * loudly instead of sending a request. sync() builds the streams that read.
   */
  streams(config: Config): EcommerceStream[] {
    const offline = <T extends object>(what: string) =>
      new Proxy({} as T, {
        get: () => {
          throw new Error(`No ${what} outside check and read: discover and spec make no request.`);
        },
      });
    return allStreams({
      config,
      client: offline<ApiClient>('HTTP client'),
      products: offline<ProductCatalog>('product list'),
      pageCap: offline<PageCap>('page cap'),
      logger: this.logger,
    });
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
    const watch = new RateLimitWatch(new Set(selected.map((s) => s.name)), (stream, quotaReset) =>
      output.message(rateLimitedStatus(stream, quotaReset))
    );
    const client = this.client(config, watch);
    let lister: EcommerceStream | undefined;
    const embedded = config.use_embedded_children
      ? new EmbeddedChildren(embeddable(this.streams(config), selected), (m) => this.logger.info(m))
      : undefined;
    const products = new ProductCatalog(
      {
        pages: () => lister!.readSlice(undefined, embedded?.params),
        serverTime: () => client.statsFor(lister!.name).earliestServerTime,
      },
      embedded
    );
    const pageCap = PageCap.forRun(config.page_size, this.logger);
    const streams = allStreams({ config, client, products, pageCap, logger: this.logger });
    lister = streams.find((s) => s.emitsProductList);
    try {
      return await runSync({ config, streams, selected, state, client, products, output, logger: this.logger });
    } finally {
      watch.close();
      await client.close();
    }
  }

  /** The CDK's own read loop is replaced by sync(): see src/sync.ts for why. */
  override read(): never {
    throw new VError('EcommerceSource.read() is not used; the runner calls sync().');
  }

  private client(config: Config, watch: RateLimitWatch): ApiClient {
    return new ApiClient(config, {
      retry: (n: RetryNotice) => {
        this.logger.warn(
          `Stream '${n.stream}': ${n.path} answered ${n.reason}; retry ${n.attempt} in ${(n.delayMs / 1000).toFixed(1)} s.`
        );
        if (n.throttled) watch.throttled(n.stream, n.delayMs, n.retryAfter);
      },
      held: (stream: string) => watch.held(stream),
      ...(config.debug && {
        exchange: (stream: string, url: string, outcome: string, ms: number) =>
          this.logger.debug(`Stream '${stream}': GET ${url} → ${outcome} in ${ms} ms.`),
      }),
    });
  }
}
