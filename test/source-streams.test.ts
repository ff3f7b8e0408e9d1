import { AirbyteLogger } from 'faros-airbyte-cdk';

import { parseConfig } from '../src/config/config';
import { ApiClient } from '../src/http/client';
import { EcommerceSource } from '../src/source';

jest.mock('../src/http/client', () => {
  const actual = jest.requireActual('../src/http/client');
  return { ...actual, ApiClient: jest.fn((...args: unknown[]) => new actual.ApiClient(...args)) };
});

const config = parseConfig({ api_key: 'key-123', api_secret: 'secret-456', base_url: 'http://127.0.0.1:9' });

describe('EcommerceSource.streams (discover, and the stream names a read checks its catalog against)', () => {
  beforeEach(() => (ApiClient as unknown as jest.Mock).mockClear());

  it('builds no HTTP client, and discover lists all 14 streams with their schemas', async () => {
    const source = new EcommerceSource(new AirbyteLogger());
    const streams = source.streams(config);
    expect(streams).toHaveLength(14);
    const catalog = await source.discover(config);
    expect(catalog.catalog.streams.map((s) => s.name)).toEqual(streams.map((s) => s.name));
    expect(ApiClient).not.toHaveBeenCalled();
  });

  it('a stream from discover that is asked to read fails loudly instead of sending a request', async () => {
    const orders = new EcommerceSource(new AirbyteLogger()).streams(config).find((s) => s.name === 'orders')!;
    await expect(orders.readSlice(undefined).next()).rejects.toThrow(/outside check and read: discover and spec make no request/);
    expect(ApiClient).not.toHaveBeenCalled();
  });
});
