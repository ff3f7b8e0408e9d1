import type { Data as KitData } from 'faros-airbyte-cdk/lib/utils';

import { ConfigError } from './errors';

/** One stream's state, as its STATE message carries it. */
export type StreamState = Record<string, unknown>;

/** The state of every stream, by stream name. */
export type ConnectorState = Record<string, StreamState>;

/**
 * Reads `--state` in every form the protocol allows:
 * - legacy: `{"orders": {...}, ...}`, possibly gzip-compressed by the Faros CDK;
 * - per stream, as Airbyte's platform sends it: `[{"type":"STREAM","stream":{"stream_descriptor":{"name":"orders"},"stream_state":{...}}}]`;
 * - global: `{"type":"GLOBAL","global":{"stream_states":[...]}}`, alone or in a list;
 * - a LEGACY state message: `{"type":"LEGACY","data":{...}}`;
 * - the STATE messages as the connector printed them, `{"type":"STATE","state":{...}}`, one or a list
 *   (a file of such lines is read as a list by readJsonFile): what a person running it by hand has at hand.
 *   Each carries one stream's state; in a list the later state of a stream wins.
 */
export function parseState(raw: unknown): ConnectorState {
  if (raw === null || raw === undefined) return {};
  if (Array.isArray(raw)) {
    return raw.reduce<ConnectorState>((all, message) => ({ ...all, ...fromMessage(message) }), {});
  }
  if (typeof raw !== 'object') throw invalid(`a JSON ${typeof raw}`);
  const obj = raw as Record<string, unknown>;
  if (typeof obj.type === 'string' || obj.stream || obj.global) return fromMessage(obj);
  return legacy(obj);
}

function fromMessage(message: unknown): ConnectorState {
  if (typeof message !== 'object' || message === null) throw invalid('a list with a non-object entry');
  const m = message as Record<string, any>;
  const state: ConnectorState = {};
  const add = (entry: any) => {
    const name = entry?.stream_descriptor?.name;
    if (typeof name !== 'string') throw invalid('a stream state without stream_descriptor.name');
    state[name] = asObject(entry.stream_state ?? {}, name);
  };
  switch (m.type ?? (m.stream ? 'STREAM' : m.global ? 'GLOBAL' : 'LEGACY')) {
    case 'STREAM':
      add(m.stream);
      return state;
    case 'GLOBAL':
      if (!Array.isArray(m.global?.stream_states)) throw invalid('a GLOBAL state without global.stream_states');
      m.global.stream_states.forEach(add);
      return state;
    case 'LEGACY':
      return legacy(m.data ?? {});
    case 'STATE':
      if (typeof m.state !== 'object' || m.state === null) throw invalid('a STATE message without its state');
      return fromMessage(m.state);
    case 'RECORD':
    case 'LOG':
    case 'TRACE':
      throw invalid(`a ${m.type} message: keep only the STATE lines of a read's output (jq -c 'select(.type == "STATE")')`);
    default:
      throw invalid(`a state message of unknown type ${JSON.stringify(m.type)}`);
  }
}

function legacy(data: unknown): ConnectorState {
  // Loaded here, not at start-up: the kit's utils module loads lodash (src/source.ts).
  const { Data } = require('faros-airbyte-cdk/lib/utils') as { Data: typeof KitData };
  const decompressed = Data.decompress(data as any);
  if (typeof decompressed !== 'object' || decompressed === null || Array.isArray(decompressed)) {
    throw invalid('legacy state data that is not an object');
  }
  const state: ConnectorState = {};
  for (const [name, value] of Object.entries(decompressed)) state[name] = asObject(value, name);
  return state;
}

function asObject(value: unknown, stream: string): StreamState {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw invalid(`a state for stream '${stream}' that is not an object`);
  }
  return value as StreamState;
}

function invalid(what: string): ConfigError {
  return new ConfigError(
    `The state file holds ${what}. Expected the per-stream list Airbyte sends, a GLOBAL state, a legacy {"stream": {...}} object, or the STATE lines a read printed. If unsure, reset the state: in Airbyte, clear the connection's data; by hand, run without --state (every stream reads everything again).`
  );
}

/**
 * One STATE message per stream change, carrying that stream's state alone
 * (`type: STREAM`, protocol v0.3+): what Airbyte's platform stores per stream,
 * and what Faros' airbyte-local CLI keeps, the last one per stream, as its
 * state file. No legacy `data` with every stream's state: a reader of the
 * messages keeps the last state of each stream (parseState() does, given the
 * STATE lines of a read).
 */
export function stateMessage(stream: string, streamState: StreamState): object {
  return {
    type: 'STATE',
    state: {
      type: 'STREAM',
      stream: { stream_descriptor: { name: stream }, stream_state: streamState },
    },
  };
}
