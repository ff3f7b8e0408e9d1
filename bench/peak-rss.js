// Preloaded into a benchmarked process (node --require): on exit, writes the
// process's own peak resident set size (kB) and the CPU time it used (user +
// system, µs) to $PEAK_RSS_FILE as JSON. Exact, unlike sampling from outside,
// and needs no tool beyond Node. CPU time is reported beside wall time because
// on a shared machine a process also waits for a core.
const fs = require('node:fs');
const file = process.env.PEAK_RSS_FILE;
if (file) {
  process.on('exit', () => {
    const usage = process.resourceUsage();
    fs.writeFileSync(file, JSON.stringify({ maxRssKb: usage.maxRSS, cpuMicros: usage.userCPUTime + usage.systemCPUTime }));
  });
}
