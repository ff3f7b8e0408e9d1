// Preloaded into a benchmarked process (node --require): on exit, writes the
// process's own peak resident set size (kB) and the CPU time it used (user +
// system, µs) to $PEAK_RSS_FILE as JSON. Exact, unlike sampling from outside,
// and needs no tool beyond Node. CPU time is reported beside wall time because
// on a shared machine a process also waits for a core.
//
// The peak is Linux's VmHWM (/proc/self/status), the high-water mark of this
// program's own memory. getrusage's maxrss (process.resourceUsage().maxRSS)
// is not: Linux carries it across exec, so a child started by a large process
// (the bench, holding the sandbox's data) reports at least its parent's size
// at the fork. maxRSS is the fallback where /proc is absent.
const fs = require('node:fs');
const file = process.env.PEAK_RSS_FILE;

function peakRssKb() {
  try {
    const hwm = /^VmHWM:\s+(\d+) kB$/m.exec(fs.readFileSync('/proc/self/status', 'utf8'));
    if (hwm) return Number(hwm[1]);
  } catch {
    // not Linux
  }
  return process.resourceUsage().maxRSS;
}

if (file) {
  process.on('exit', () => {
    const usage = process.resourceUsage();
    fs.writeFileSync(file, JSON.stringify({ maxRssKb: peakRssKb(), cpuMicros: usage.userCPUTime + usage.systemCPUTime }));
  });
}
