// Preloaded into a benchmarked process (node --require): on exit, writes the
// process's own peak resident set size (kB) to $PEAK_RSS_FILE. Exact, unlike
// sampling from outside, and needs no tool beyond Node.
const fs = require('node:fs');
const file = process.env.PEAK_RSS_FILE;
if (file) process.on('exit', () => fs.writeFileSync(file, String(process.resourceUsage().maxRSS)));
