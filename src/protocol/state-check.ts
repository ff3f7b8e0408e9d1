import { ConnectorState } from './state';

/**
 * What a state file holds that this connector does not use: streams it does not have and keys a
 * stream's state never carries. Each is ignored; saying so is what tells a user who passed another
 * connector's state (or an old one) why the sync starts from the beginning.
 * `known`: every stream's name and the keys its state may hold.
 */
export function ignoredStateWarnings(state: ConnectorState, known: ReadonlyMap<string, ReadonlyArray<string>>): string[] {
  const names = Object.keys(state);
  const unknown = names.filter((name) => !known.has(name));
  const warnings: string[] = [];
  if (names.length > 0 && unknown.length === names.length) {
    warnings.push(
      `The state names no stream of this connector (${list(unknown)}): is it another connector's? It is ignored, ` +
        `so every incremental stream starts from start_date or the beginning. This connector's streams: ${list([...known.keys()])}.`
    );
    return warnings;
  }
  if (unknown.length > 0) warnings.push(`The state's entries for ${list(unknown)} name no stream of this connector and are ignored.`);
  for (const [name, streamState] of Object.entries(state)) {
    const keys = known.get(name);
    if (!keys) continue;
    const extra = Object.keys(streamState).filter((key) => !keys.includes(key));
    if (extra.length === 0) continue;
    const uses = keys.length === 0 ? 'keeps no position' : `uses ${list(keys)}`;
    warnings.push(`The state of stream '${name}' has ${list(extra)}, which this connector does not use (the stream ${uses}); ignored.`);
  }
  return warnings;
}

const list = (names: ReadonlyArray<string>) => names.map((n) => `'${n}'`).join(', ');
