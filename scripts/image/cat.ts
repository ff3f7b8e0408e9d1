/**
 * `npm run cat`: Airbyte's official Connector Acceptance Tests (CAT 0.11.5)
 * against the image built from ./Dockerfile. Builds the image (as
 * `npm run image:test` does), serves the sandbox where test_files/config.json
 * points (127.0.0.1:8787), runs CAT with the runner cat-runner.ts chooses,
 * stops the sandbox and exits with CAT's status.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

import { startSandbox } from '../../sandbox/server';
import { chooseCatRunner } from './cat-runner';
import { addShopActivity } from './cat-shop';
import { buildImage, findEngine, ROOT } from './engine';

/**
 * basic_read's expect_records: every record of the sandbox's shop as the sandbox serves it (the
 * documented form), plus the one field the connector adds there, each child's `product_id`, taken from
 * the sandbox's own parent map: the file never comes from the connector.
 */
function writeExpectedRecords(truth: Record<string, Array<Record<string, unknown>>>): void {
  const lines = Object.entries(truth).flatMap(([stream, records]) =>
    records.map((data) => JSON.stringify({ stream, data, emitted_at: 0 }))
  );
  fs.writeFileSync(path.join(ROOT, 'test_files', 'expected_records.jsonl'), lines.join('\n') + '\n');
}

async function main(): Promise<number> {
  const engine = findEngine();
  if (engine instanceof Error) {
    console.error(`cat: ${engine.message}`);
    return 2;
  }
  const runner = chooseCatRunner({
    root: ROOT,
    env: process.env,
    // findEngine picks docker exactly when its daemon answers: the image CAT tests is then in that daemon.
    dockerAnswers: () => engine.command === 'docker',
    exists: fs.existsSync,
    extraArgs: process.argv.slice(2),
  });
  if (runner instanceof Error) {
    console.error(`cat: ${runner.message}`);
    return 2;
  }
  buildImage(engine);
  const config = JSON.parse(fs.readFileSync(path.join(ROOT, 'test_files', 'config.json'), 'utf8'));
  const port = Number(new URL(config.base_url).port);
  // The same bucket as the test config's client-side limit: fast enough for CAT's dozen reads, and the
  // connector paces itself to it without 429s.
  const sandbox = await startSandbox({
    port,
    apiKey: config.api_key,
    apiSecret: config.api_secret,
    rateLimitCapacity: config.rate_limit_capacity,
    rateLimitPerSecond: config.rate_limit_per_second,
  }).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== 'EADDRINUSE') throw error;
    throw new Error(`port ${port} (test_files/config.json's base_url) is taken, by another sandbox or CAT run: stop it and retry.`);
  });
  addShopActivity(sandbox);
  writeExpectedRecords(sandbox.emittedTruth());
  console.error(`cat: sandbox on ${sandbox.url}; running CAT (${runner.kind}): ${runner.command} ${runner.args.join(' ')}`);
  try {
    const child = spawn(runner.command, runner.args, { cwd: ROOT, stdio: 'inherit' });
    return await new Promise<number>((resolve) => child.on('close', (code) => resolve(code ?? 1)));
  } finally {
    await sandbox.close();
  }
}

main().then(
  (code) => process.exit(code),
  (error) => {
    console.error(`cat: ${error instanceof Error ? error.message : error}`);
    process.exit(1);
  }
);
