/**
 * How the bench runs a program: a separate node process with stdout piped to
 * the bench and counted as a platform would read it, its peak RSS written by
 * the process itself (peak-rss.js). Shared by the scenarios of bench/bench.ts.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export const ROOT = path.resolve(__dirname, '..');
export const MAIN = path.join(ROOT, 'bin', 'main');
/** The plain-JavaScript baseline (bench/baseline.mjs), run by plain `node`. */
export const BASELINE = path.join(__dirname, 'baseline.mjs');
export const TMP = fs.mkdtempSync(path.join(os.tmpdir(), 'ecommerce-bench-'));

export interface Measured {
  seconds: number;
  records: number;
  /** Bytes of every RECORD line but its `"emitted_at":…,` (a clock reading), to compare two programs' output. */
  recordBytes: number;
  peakRssMb: number;
  /** User + system CPU time of the process. */
  cpuSeconds: number;
  code: number | null;
  /** Sorted digests of every record line's stream and data, to compare two runs' records. */
  digests?: string[];
}

const EMITTED_AT = /"emitted_at":\d+,/;

/** Runs `node <programArgs>` and measures it: wall time from spawn to exit, records, peak RSS. */
export function measure(programArgs: string[], keepDigests = false): Promise<Measured> {
  const rssFile = path.join(TMP, `rss-${Math.random().toString(36).slice(2)}`);
  const started = process.hrtime.bigint();
  // bin/main runs as a container runs it, through its own #! line (whose Node options count); anything
  // else runs with plain node.
  const direct = programArgs[0] === MAIN;
  const preload = path.join(__dirname, 'peak-rss.js');
  const nodeOptions = `${process.env.NODE_OPTIONS ?? ''} --require ${JSON.stringify(preload)}`.trim();
  const child = spawn(direct ? MAIN : process.execPath, direct ? programArgs.slice(1) : ['--require', preload, ...programArgs], {
    cwd: ROOT,
    env: { ...process.env, PEAK_RSS_FILE: rssFile, ...(direct && { NODE_OPTIONS: nodeOptions }) },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let records = 0;
  let recordBytes = 0;
  let pending = '';
  const digests: string[] = [];
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    pending += chunk;
    let nl: number;
    while ((nl = pending.indexOf('\n')) >= 0) {
      const line = pending.slice(0, nl);
      pending = pending.slice(nl + 1);
      if (!line.startsWith('{"type":"RECORD"')) continue;
      records++;
      recordBytes += line.length - (EMITTED_AT.exec(line)?.[0].length ?? 0);
      if (keepDigests) {
        const { record } = JSON.parse(line);
        digests.push(createHash('sha1').update(record.stream + JSON.stringify(record.data)).digest('hex'));
      }
    }
  });
  return new Promise((resolve) =>
    child.on('close', (code) => {
      const usage = JSON.parse(fs.readFileSync(rssFile, 'utf8'));
      resolve({
        seconds: Number(process.hrtime.bigint() - started) / 1e9,
        records,
        recordBytes,
        code,
        peakRssMb: usage.maxRssKb / 1024,
        cpuSeconds: usage.cpuMicros / 1e6,
        ...(keepDigests && { digests: digests.sort() }),
      });
    })
  );
}

/** Writes a config file for bin/main: the sandbox's credentials plus `config`. */
export function configFile(config: object): string {
  const file = path.join(TMP, `config-${Math.random().toString(36).slice(2)}.json`);
  fs.writeFileSync(file, JSON.stringify({ api_key: 'demo_key', api_secret: 'demo_secret', ...config }));
  return file;
}

/** bin/main's arguments for a full refresh read of these streams. */
export function connector(config: object, streams: string[]): string[] {
  const catalogFile = path.join(TMP, `catalog-${Math.random().toString(36).slice(2)}.json`);
  fs.writeFileSync(
    catalogFile,
    JSON.stringify({
      streams: streams.map((name) => ({ stream: { name }, sync_mode: 'full_refresh', destination_sync_mode: 'append' })),
    })
  );
  return [MAIN, 'read', '--config', configFile(config), '--catalog', catalogFile];
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}
