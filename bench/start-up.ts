/**
 * Scenario 6 of `npm run bench`: start-up. Airbyte starts a fresh container for
 * every spec, check, discover and read, so each pays the connector's start-up.
 * Each command runs as bin/main against a small sandbox (check: one request;
 * read: the countries stream, one request), alternating with bare `node -e 0`
 * in rounds; times are ratios to bare Node's within the same round.
 */
import { startSandbox } from '../sandbox/server';
import { configFile, connector, MAIN, measure, Measured, median } from './measure';

export async function startUp(quick: boolean) {
  const sandbox = await startSandbox({ rateLimitCapacity: 0 });
  try {
    const config = configFile({ base_url: sandbox.url, rate_limit_capacity: 0 });
    const programs = {
      bare_node: ['-e', '0'],
      spec: [MAIN, 'spec'],
      check: [MAIN, 'check', '--config', config],
      discover: [MAIN, 'discover', '--config', config],
      read: connector({ base_url: sandbox.url, rate_limit_capacity: 0 }, ['countries']),
    };
    const names = Object.keys(programs) as Array<keyof typeof programs>;
    const runs = Object.fromEntries(names.map((n) => [n, [] as Measured[]])) as Record<keyof typeof programs, Measured[]>;
    const rounds = quick ? 3 : 9;
    for (let i = 0; i < rounds; i++) for (const n of names) runs[n].push(await measure(programs[n]));
    const figures = (n: keyof typeof programs) => {
      const ratios = runs[n].map((m, i) => m.seconds / runs.bare_node[i].seconds);
      const cpuRatios = runs[n].map((m, i) => m.cpuSeconds / runs.bare_node[i].cpuSeconds);
      return {
        seconds: median(runs[n].map((m) => m.seconds)),
        time_over_bare_node: median(ratios),
        time_over_bare_node_range: [Math.min(...ratios), Math.max(...ratios)],
        cpu_seconds: median(runs[n].map((m) => m.cpuSeconds)),
        cpu_over_bare_node: median(cpuRatios),
        peak_rss_mb: median(runs[n].map((m) => m.peakRssMb)),
        exit_codes: [...new Set(runs[n].map((m) => m.code))],
      };
    };
    return { rounds, ...Object.fromEntries(names.map((n) => [n, figures(n)])) } as { rounds: number } & Record<
      keyof typeof programs,
      ReturnType<typeof figures>
    >;
  } finally {
    await sandbox.close();
  }
}

/** `spec` wall time ÷ bare node's, at most. */
const SPEC_GOAL = 1.8;

export function startUpRows(r: Awaited<ReturnType<typeof startUp>>, ratio: (x: number) => string, ok: (b: boolean) => string): string[][] {
  const bare = r.bare_node;
  const row = (name: 'spec' | 'check' | 'discover' | 'read', goal: boolean) => {
    const f = r[name];
    const time = `${ratio(f.time_over_bare_node)} (${ratio(f.time_over_bare_node_range[0])}–${ratio(f.time_over_bare_node_range[1])}), CPU ${ratio(f.cpu_over_bare_node)}`;
    const fits = f.time_over_bare_node <= SPEC_GOAL && f.peak_rss_mb <= 60 && f.exit_codes.join() === '0';
    return [
      'start-up',
      `${name}: wall ÷ bare node's (${f.seconds.toFixed(2)} s ÷ ${bare.seconds.toFixed(2)} s), CPU ÷ bare's (${f.cpu_seconds.toFixed(2)} s ÷ ${bare.cpu_seconds.toFixed(2)} s); peak RSS (bare ${bare.peak_rss_mb.toFixed(0)} MB)`,
      `${time}; ${f.peak_rss_mb.toFixed(0)} MB`,
      goal ? `≤ ${SPEC_GOAL}; ≤ 60 MB` : '(reported)',
      goal ? ok(fits) : '',
    ];
  };
  return [row('spec', true), row('check', false), row('discover', false), row('read', false)];
}
