#!/usr/bin/env node
// Faros' destination from .cache/faros-destination (see install.ts), run as its
// image runs it: the npm package exports mainCommand() but declares no bin.
const path = require('node:path');

const pkg = path.join(__dirname, '..', '..', '.cache', 'faros-destination', 'node_modules', 'airbyte-faros-destination');
require(pkg)
  .mainCommand()
  .parseAsync(process.argv)
  .catch((error) => {
    console.error(error);
    process.exit(1);
  });
