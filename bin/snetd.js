#!/usr/bin/env -S node --max-semi-space-size=2
// A 2 MiB young generation keeps the daemon's memory flat on large streams (1 GiB bidi: ~27 MiB RSS
// growth instead of ~73) at no measurable CPU cost per call (bench/README.md). NODE_OPTIONS may override it.
// The `snetd` command. In a checkout, Node 24 runs the TypeScript sources directly (type
// stripping). Node does not strip types under node_modules, so an installed copy runs the
// dist/ that `npm run build` made.
import module from 'node:module';
import { fileURLToPath } from 'node:url';

const major = Number(process.versions.node.split('.')[0]);
if (major < 24) {
  console.error(
    `snetd needs Node.js 24 (this is ${process.version}).\n` +
      'Hint: run it through npm (npm start, npx snetd): the project pins Node 24 in node_modules/.bin; ' +
      'or install Node 24 (see .nvmrc).',
  );
  process.exit(1);
}
// Node's compile cache keeps the compiled (and type-stripped) modules between runs: every command
// starts ~2x faster after the first. It lives in the OS temp dir; NODE_COMPILE_CACHE moves it.
module.enableCompileCache?.();
const installed = fileURLToPath(import.meta.url).includes('/node_modules/');
await import(installed ? '../dist/main.js' : '../src/main.ts');
