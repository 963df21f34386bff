import { runCli } from './cli/index.ts';

// The first SIGINT/SIGTERM asks for a graceful stop; a second one exits at once.
const stopSignal = new Promise<string>((resolve) => {
  const onSignal = (signal: NodeJS.Signals): void => {
    resolve(signal);
    process.once(signal, () => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
});

process.exitCode = await runCli(process.argv.slice(2), { env: process.env, stdout: process.stdout, stderr: process.stderr, stopSignal });
