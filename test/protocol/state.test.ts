import { Data } from 'faros-airbyte-cdk';

import { parseState, stateMessage } from '../../src/protocol/state';

const orders = { created_at_utc: '2024-01-01T00:00:00Z' };
const pages = { created_at_utc: '2024-02-01T00:00:00Z' };
const expected = { orders, pages };

describe('parseState', () => {
  it('reads the legacy per-stream object', () => {
    expect(parseState({ orders, pages })).toEqual(expected);
  });

  it('reads the legacy object compressed by the Faros CDK', () => {
    expect(parseState(Data.compress({ orders, pages }))).toEqual(expected);
  });

  it('reads the per-stream list Airbyte sends', () => {
    expect(
      parseState([
        { type: 'STREAM', stream: { stream_descriptor: { name: 'orders' }, stream_state: orders } },
        { type: 'STREAM', stream: { stream_descriptor: { name: 'pages' }, stream_state: pages } },
      ])
    ).toEqual(expected);
  });

  it('reads the global form, alone or in a list', () => {
    const global = {
      type: 'GLOBAL',
      global: {
        shared_state: {},
        stream_states: [
          { stream_descriptor: { name: 'orders' }, stream_state: orders },
          { stream_descriptor: { name: 'pages' }, stream_state: pages },
        ],
      },
    };
    expect(parseState(global)).toEqual(expected);
    expect(parseState([global])).toEqual(expected);
  });

  it('reads a LEGACY state message and empty states', () => {
    expect(parseState([{ type: 'LEGACY', data: { orders, pages } }])).toEqual(expected);
    expect(parseState({})).toEqual({});
    expect(parseState([])).toEqual({});
    expect(parseState(null)).toEqual({});
  });

  it('reads the STATE messages a read printed, one or a list, the later one of a stream winning', () => {
    const older = { created_at_utc: '2023-12-01T00:00:00Z' };
    const printed = [
      stateMessage('orders', older),
      stateMessage('pages', pages),
      stateMessage('orders', orders),
    ];
    expect(parseState(printed)).toEqual(expected);
    expect(parseState(printed[2])).toEqual({ orders });
  });

  it('says to keep only the STATE lines when a read\'s other messages are in the state file', () => {
    const record = { type: 'RECORD', record: { stream: 'orders', data: { id: 1 }, emitted_at: 1 } };
    expect(() => parseState([stateMessage('orders', orders), record])).toThrow(
      /holds a RECORD message: keep only the STATE lines of a read's output/
    );
    expect(() => parseState({ type: 'STATE' })).toThrow(/a STATE message without its state/);
  });

  it.each([
    ['a number', 42],
    ['a stream without a name', [{ type: 'STREAM', stream: { stream_state: {} } }]],
    ['an unknown type', [{ type: 'WEIRD' }]],
    ['a non-object stream state', { orders: 'yesterday' }],
  ])('rejects %s with a config error', (_what, raw) => {
    expect(() => parseState(raw)).toThrow(/state/);
  });
});

describe('stateMessage', () => {
  it("carries its stream's state alone, in the per-stream form", () => {
    expect(stateMessage('orders', orders)).toEqual({
      type: 'STATE',
      state: { type: 'STREAM', stream: { stream_descriptor: { name: 'orders' }, stream_state: orders } },
    });
  });
});
