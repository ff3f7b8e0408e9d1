// `npm run sandbox -- [options]`: the sandbox as a standalone process, for
// the demo, the benchmark and manual poking with curl.
import { parseArgs } from 'node:util';
import { FAULT_KINDS, FaultKind, SandboxOptions, startSandbox } from './server';

const USAGE = `Usage: npm run sandbox -- [options]
  --port N                     0 = any free port (default 0)
  --seed N                     data seed (default 42)
  --scale X                    data size multiplier (default 1)
  --api-key K --api-secret S   Basic auth credentials (default demo_key / demo_secret)
  --page-cap N                 max records per page (default 100)
  --rate-limit-capacity N      leaky bucket size, 0 = off (default 40)
  --rate-limit-per-second X    drain rate, 0 = off (default 2)
  --latency-ms N               delay before every API response (default 0)
  --fault-rate X               share of requests that fail, 0..1 (default 0)
  --faults a,b                 kinds: ${FAULT_KINDS.join(',')}
  --vendor                     speak the real vendor dialect
  --no-total                   omit "total" from list bodies (seed form)`;

function toNumber(name: string, raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(n)) throw new Error(`--${name} must be a number, got "${raw}"`);
  return n;
}

function parseOptions(argv: string[]): SandboxOptions | 'help' {
  const { values } = parseArgs({
    args: argv,
    options: {
      port: { type: 'string' },
      seed: { type: 'string' },
      scale: { type: 'string' },
      'api-key': { type: 'string' },
      'api-secret': { type: 'string' },
      'page-cap': { type: 'string' },
      'rate-limit-capacity': { type: 'string' },
      'rate-limit-per-second': { type: 'string' },
      'latency-ms': { type: 'string' },
      'fault-rate': { type: 'string' },
      faults: { type: 'string' },
      vendor: { type: 'boolean' },
      'no-total': { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) return 'help';
  const faults = values.faults?.split(',').map((k) => k.trim()).filter(Boolean);
  const unknown = faults?.filter((k) => !(FAULT_KINDS as readonly string[]).includes(k));
  if (unknown?.length) throw new Error(`Unknown fault kind(s): ${unknown.join(', ')}`);
  return {
    port: toNumber('port', values.port),
    seed: toNumber('seed', values.seed),
    scale: toNumber('scale', values.scale),
    apiKey: values['api-key'],
    apiSecret: values['api-secret'],
    pageCap: toNumber('page-cap', values['page-cap']),
    rateLimitCapacity: toNumber('rate-limit-capacity', values['rate-limit-capacity']),
    rateLimitPerSecond: toNumber('rate-limit-per-second', values['rate-limit-per-second']),
    latencyMs: toNumber('latency-ms', values['latency-ms']),
    faultRate: toNumber('fault-rate', values['fault-rate']),
    faults: faults as FaultKind[] | undefined,
    vendor: values.vendor,
    includeTotal: values['no-total'] ? false : undefined,
  };
}

async function main(): Promise<void> {
  let options: SandboxOptions | 'help';
  try {
    options = parseOptions(process.argv.slice(2));
  } catch (err) {
    console.error(`${err instanceof Error ? err.message : err}\n\n${USAGE}`);
    process.exit(2);
  }
  if (options === 'help') {
    console.log(USAGE);
    return;
  }
  const sandbox = await startSandbox(options);
  // Tools wait for exactly this line on stdout to learn the port.
  console.log(`Sandbox listening on ${sandbox.url}`);
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    sandbox.close().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  exitWithParent(stop);
}

/**
 * `npm run sandbox &` then `kill %1` (a script has no job control) ends npm, not this process: without
 * this check the server outlived it and kept the port. The parent's death shows as a new parent id.
 */
function exitWithParent(stop: () => void): void {
  const parent = process.ppid;
  setInterval(() => {
    if (process.ppid !== parent) stop();
  }, 500).unref();
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
