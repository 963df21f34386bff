#!/usr/bin/env -S node --max-semi-space-size=2
// The `snetd` command. In a checkout, Node 24 runs the TypeScript sources directly (type
// stripping). Node does not strip types under node_modules, so an installed copy runs the dist/
// that `npm pack` built (prepack → npm run build).
//
// Any Node that runs npm may start this file (a global install links it to the system's `node`):
// on anything but Node 24 it hands over to the Node 24 that the `node` npm package installed beside
// snetd, so `npm install -g` works on a machine whose Node is older.
//
// A 2 MiB young generation keeps the daemon's memory flat on large streams (1 GiB bidi: ~27 MiB RSS
// growth instead of ~73) at no measurable CPU cost per call (bench/README.md). NODE_OPTIONS may override it.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import module from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const self = fileURLToPath(import.meta.url);
const major = Number(process.versions.node.split('.')[0]);

/** The Node 24 binary of the `node` npm package, as npm resolves it from this package; undefined when absent. */
function pinnedNode() {
  try {
    const pkg = module.createRequire(self).resolve('node/package.json');
    const bin = join(dirname(pkg), 'bin', 'node');
    return existsSync(bin) ? bin : undefined;
  } catch {
    return undefined;
  }
}

if (major !== 24) {
  const node = pinnedNode();
  if (node === undefined) {
    console.error(
      `snetd needs Node.js 24 (this is ${process.version}), and the Node 24 that its \`node\` dependency installs is missing.\n` +
        'Hint: the `node` package installs Node 24 in its install script, which did not run: reinstall with ' +
        '`npm install -g snetd-ts-<version>.tgz` (neither --ignore-scripts nor --allow-scripts: npm 11 then refuses the nested install that script makes); ' +
        'or install Node 24 (nvm install 24) and run snetd with it.',
    );
    process.exit(1);
  }
  const child = spawn(node, ['--max-semi-space-size=2', self, ...process.argv.slice(2)], { stdio: 'inherit' });
  // The child gets Ctrl-C from the terminal itself; a SIGTERM sent to this process is passed on.
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => child.kill(signal));
  child.on('exit', (code, signal) => {
    if (signal !== null) {
      process.removeAllListeners(signal);
      process.kill(process.pid, signal);
    } else process.exit(code ?? 1);
  });
} else {
  // Node's compile cache keeps the compiled (and type-stripped) modules between runs: every command
  // starts ~2x faster after the first. It lives in the OS temp dir; NODE_COMPILE_CACHE moves it.
  module.enableCompileCache?.();
  const installed = self.includes('/node_modules/');
  await import(installed ? '../dist/main.js' : '../src/main.ts');
}
