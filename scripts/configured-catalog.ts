/**
 * `bin/main discover --config config.json | npm run --silent catalog -- [--streams a,b] [--full-refresh] > catalog.json`:
 * turns discover's CATALOG message into the configured catalog `read --catalog` takes. Each stream is
 * incremental where it supports it (on its default cursor), else full refresh; `--streams` keeps the named
 * ones. Works on the Docker image's discover output too: it reads stdin only.
 */
import { Command } from 'commander';

const program = new Command('catalog')
  .description("Turn discover's output (on stdin) into a configured catalog (on stdout)")
  .option('--streams <names>', 'comma-separated streams to keep (default: all)', (v: string) => v.split(',').map((s) => s.trim()).filter(Boolean))
  .option('--full-refresh', 'every stream in full refresh mode', false)
  .parse();

interface DiscoveredStream {
  name: string;
  supported_sync_modes: string[];
  default_cursor_field?: string[];
  source_defined_primary_key?: string[][];
}

export function configuredCatalog(discoverOutput: string, opts: { streams?: string[]; fullRefresh?: boolean }): object {
  const catalog = discoverOutput
    .split('\n')
    .filter((line) => line.trim().startsWith('{'))
    .map((line) => JSON.parse(line))
    .find((m) => m.type === 'CATALOG')?.catalog;
  if (!catalog) throw new Error("no CATALOG message on stdin: pipe discover's output in (bin/main discover --config config.json | ...)");
  const streams: DiscoveredStream[] = catalog.streams;
  const unknown = (opts.streams ?? []).filter((name) => !streams.some((s) => s.name === name));
  if (unknown.length) throw new Error(`unknown stream(s) ${unknown.join(', ')}; discover lists ${streams.map((s) => s.name).join(', ')}`);
  const chosen = opts.streams?.length ? streams.filter((s) => opts.streams!.includes(s.name)) : streams;
  return {
    streams: chosen.map((stream) => {
      const incremental = !opts.fullRefresh && stream.supported_sync_modes.includes('incremental');
      return {
        stream,
        sync_mode: incremental ? 'incremental' : 'full_refresh',
        ...(incremental && { cursor_field: stream.default_cursor_field }),
        destination_sync_mode: incremental ? 'append_dedup' : 'overwrite',
        ...(stream.source_defined_primary_key && { primary_key: stream.source_defined_primary_key }),
      };
    }),
  };
}

if (require.main === module) {
  const chunks: Buffer[] = [];
  process.stdin.on('data', (c: Buffer) => chunks.push(c));
  process.stdin.on('end', () => {
    try {
      const opts = program.opts<{ streams?: string[]; fullRefresh: boolean }>();
      process.stdout.write(JSON.stringify(configuredCatalog(Buffer.concat(chunks).toString('utf8'), opts), null, 2) + '\n');
    } catch (error) {
      process.stderr.write(`catalog: ${(error as Error).message}\n`);
      process.exitCode = 2;
    }
  });
}
