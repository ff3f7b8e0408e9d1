// Preloaded into bin/main (node --require, through NODE_OPTIONS) by
// loaded-modules.test.ts: on exit, writes the path of every JavaScript file the
// process ran, one a line, to $LOADED_MODULES_FILE. It records files as they
// are compiled, not require.cache, which also holds stand-ins for packages
// loaded on first use (src/kit-stream-base.ts). Plain JavaScript so that Node
// can preload it without a loader.
const fs = require('node:fs');
const Module = require('node:module');

const file = process.env.LOADED_MODULES_FILE;
if (file) {
  const ran = [];
  const compileJs = Module._extensions['.js'];
  Module._extensions['.js'] = function (module, filename) {
    ran.push(filename);
    return compileJs.call(this, module, filename);
  };
  process.on('exit', () => fs.writeFileSync(file, ran.join('\n')));
}
