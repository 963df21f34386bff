import { processStopSignal, runCli } from './cli/index.ts';

process.exitCode = await runCli(process.argv.slice(2), { env: process.env, stdout: process.stdout, stderr: process.stderr, stopSignal: processStopSignal() });
