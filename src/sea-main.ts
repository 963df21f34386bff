// Entry of the single-file release (`npm run build:sea`): the same CLI as main.ts, in a form that
// bundles to one CommonJS script (Node 24 embeds only CommonJS in an executable, and CommonJS has
// no top-level await).
import { processStopSignal, runCli } from './cli/index.ts';

void runCli(process.argv.slice(2), { env: process.env, stdout: process.stdout, stderr: process.stderr, stopSignal: processStopSignal() }).then((code) => {
  process.exitCode = code;
});
