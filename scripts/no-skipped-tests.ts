/**
 * CI's last word on a jest run: `npx tsx scripts/no-skipped-tests.ts <jest --json output>`
 * exits 1 when any test was skipped, left pending or marked todo, listing them, so
 * that a test quietly switched off cannot pass CI (jest itself exits 0 on skips).
 */
import fs from 'node:fs';

/** The parts of jest's --json report this check reads. */
export interface JestReport {
  numTotalTests: number;
  numPendingTests: number;
  numTodoTests: number;
  numPendingTestSuites: number;
  testResults: Array<{ name: string; assertionResults: Array<{ fullName: string; status: string }> }>;
}

const NOT_RUN = new Set(['pending', 'skipped', 'todo', 'disabled']);

/** Every test that did not run, as "file: name"; empty when every test ran. */
export function testsNotRun(report: JestReport): string[] {
  const named = report.testResults.flatMap((file) =>
    file.assertionResults.filter((t) => NOT_RUN.has(t.status)).map((t) => `${file.name}: ${t.fullName} (${t.status})`)
  );
  const counted = report.numPendingTests + report.numTodoTests + report.numPendingTestSuites;
  if (named.length === 0 && counted > 0) named.push(`${counted} tests or suites pending or todo (jest names none)`);
  return named;
}

if (require.main === module) {
  const file = process.argv[2];
  if (!file) {
    console.error('usage: tsx scripts/no-skipped-tests.ts <jest --json output file>');
    process.exit(2);
  }
  const report = JSON.parse(fs.readFileSync(file, 'utf8')) as JestReport;
  const notRun = testsNotRun(report);
  if (notRun.length > 0) {
    console.error(`${notRun.length} of ${report.numTotalTests} tests did not run; CI requires every test to run:`);
    for (const line of notRun) console.error(`  ${line}`);
    process.exit(1);
  }
  console.log(`All ${report.numTotalTests} tests ran; none skipped, pending or todo.`);
}
