import type { AirbyteLogger } from 'faros-airbyte-cdk/lib/logger';
import { AirbyteCatalogMessage, AirbyteConnectionStatusMessage, AirbyteSpec } from 'faros-airbyte-cdk/lib/protocol';
import { AirbyteSource } from 'faros-airbyte-cdk/lib/sources/source';
import VError from 'verror';

import type { Config } from './config';
import type { ApiClient, RateLimitWatch, RetryNotice } from './http';
// The file, not './http': the http folder's index loads axios, which spec and discover never need.
import { CHECK } from './http/describe-error';
import { connectionStatus, ConnectorError, rateLimitedStatus } from './protocol';
import type { ConnectorState, ProtocolOutput, SelectedStream } from './protocol';
import type { EmbeddedName, PageCap, ProductList } from './read';
// The file, not './read': check and discover would load the whole read loop for two names.
import { OFFSET_PARAM, PRODUCTS_PATH } from './read/vendor';
import type { EcommerceStream } from './streams';

// eslint-disable-next-line @typescript-eslint/no-var-requires
const SPEC = require('../resources/spec.json');

/*
 * Each command loads only what it uses: Airbyte starts a fresh process for every
 * spec, check, discover and read, so start-up is paid on every platform action.
 * spec loads none of these; discover the stream classes; check the HTTP client;
 * read all of them (test/startup/loaded-modules.test.ts keeps it so).
 */
const streamClasses = () => require('./streams') as typeof import('./streams');
const httpClient = () => require('./http') as typeof import('./http');

/** The names under which the products list can embed the selected child streams. */
function embeddable(streams: EcommerceStream[], selected: SelectedStream[]): EmbeddedName[] {
  const wanted = new Set(selected.map((s) => s.name));
  return streams.flatMap((s) => (wanted.has(s.name) && s.definition.embeddedAs ? [s.definition.embeddedAs] : []));
}

/**
 * The e-commerce API source: spec, check, discover, and the streams a read syncs.
 * It extends the kit's AirbyteSource, not AirbyteSourceBase: that one's module
 * loads lodash and the kit's utils (a fifth of spec's start-up) for a read loop
 * and a check this class replaces; its discover is the one method below.
 */
export class EcommerceSource extends AirbyteSource<Config> {
  constructor(protected readonly logger: AirbyteLogger) {
    super();
  }

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
    return streamClasses().allStreams({
      config,
      client: offline<ApiClient>('HTTP client'),
      products: offline<ProductList>('product list'),
      pageCap: offline<PageCap>('page cap'),
      logger: this.logger,
    });
  }

  /** One cheap authenticated request; the answer says what was verified or what failed. */
  override async check(config: Config): Promise<AirbyteConnectionStatusMessage> {
    const client = new (httpClient().ApiClient)(config, undefined, Math.min(config.max_retries, 1));
    try {
      await client.get(PRODUCTS_PATH, { [OFFSET_PARAM]: 0, [config.page_size_parameter]: 1 }, CHECK);
      return connectionStatus(
        true,
        `Connected to ${config.base_url}: the API key and secret were accepted and ${PRODUCTS_PATH} answered with a list.`
      ) as AirbyteConnectionStatusMessage;
    } catch (error) {
      const message = error instanceof ConnectorError ? error.message : String(error);
      return connectionStatus(false, message) as AirbyteConnectionStatusMessage;
    } finally {
      await client.close();
    }
  }

  /** The catalog: every stream's name, schema, key and cursor (no request). */
  async discover(config: Config): Promise<AirbyteCatalogMessage> {
    return new AirbyteCatalogMessage({ streams: this.streams(config).map((stream) => stream.asAirbyteStream()) });
  }

  /** The keys each stream's saved state may hold: the cursor, the change feed's position, a full refresh's resume point. */
  stateKeys(config: Config): Map<string, string[]> {
    // The file, not './read': the read path's modules load only when a read runs.
    const { stateKeysOf } = require('./read/cursors') as typeof import('./read/cursors');
    return new Map(this.streams(config).map((stream) => [stream.name, stateKeysOf(stream)]));
  }

  /** Runs the read command's sync, writing messages to `output`. Resolves to false if any stream failed. */
  async sync(config: Config, selected: SelectedStream[], state: ConnectorState, output: ProtocolOutput): Promise<boolean> {
    const [{ runSync }, { ProductList, PageCap, EmbeddedChildren }, { RateLimitWatch }] = await Promise.all([
      import('./sync'),
      import('./read'),
      import('./http'),
    ]);
    const watch = new RateLimitWatch(new Set(selected.map((s) => s.name)), (stream, quotaReset) =>
      output.message(rateLimitedStatus(stream, quotaReset))
    );
    const client = this.client(config, watch);
    let lister: EcommerceStream | undefined;
    const embedded = config.use_embedded_children
      ? new EmbeddedChildren(embeddable(this.streams(config), selected), (m) => this.logger.info(m))
      : undefined;
    const products = new ProductList(
      {
        pages: () => lister!.readSlice(undefined, embedded?.params),
        serverTime: () => client.statsFor(lister!.name).earliestServerTime,
      },
      embedded,
      this.logger
    );
    const pageCap = PageCap.forRun(config.page_size, this.logger);
    const streams = streamClasses().allStreams({ config, client, products, pageCap, logger: this.logger });
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
    return new (httpClient().ApiClient)(config, {
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
