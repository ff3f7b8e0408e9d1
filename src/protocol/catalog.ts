import { likelyMeant } from '../config/nearest-name';
import { ConfigError } from './errors';

export type SyncMode = 'full_refresh' | 'incremental';

export interface SelectedStream {
  name: string;
  syncMode: SyncMode;
}

/** Validates a configured catalog against the streams this connector has. */
export function parseCatalog(raw: unknown, available: ReadonlyArray<string>): SelectedStream[] {
  const streams = (raw as { streams?: unknown } | null)?.streams;
  if (!Array.isArray(streams)) {
    throw new ConfigError('The catalog must be a JSON object with a "streams" list (a configured catalog).');
  }
  if (streams.length === 0) {
    throw new ConfigError('The catalog selects no streams: select at least one stream to sync.');
  }
  const selected = new Map<string, SelectedStream>();
  for (const entry of streams) {
    const name = entry?.stream?.name;
    if (typeof name !== 'string') {
      throw new ConfigError('Every catalog entry needs stream.name (see test_files/full_catalog.json).');
    }
    if (!available.includes(name)) {
      const meant = likelyMeant(name, available);
      throw new ConfigError(
        `The catalog names a stream this source does not have: '${name}'${meant ? `; did you mean '${meant}'?` : '.'} ` +
          `Available streams: ${available.join(', ')}.`
      );
    }
    const mode = entry.sync_mode ?? 'full_refresh';
    if (mode !== 'full_refresh' && mode !== 'incremental') {
      throw new ConfigError(`Stream '${name}' has sync_mode ${JSON.stringify(mode)}; use full_refresh or incremental.`);
    }
    selected.set(name, { name, syncMode: mode });
  }
  return [...selected.values()];
}
