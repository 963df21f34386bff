/**
 * Resolves with the first SIGINT/SIGTERM the process receives: a request for a graceful stop (`serve`
 * drains, `dev` stops its network). A second signal exits at once.
 */
export function processStopSignal(): Promise<string> {
  return new Promise<string>((resolve) => {
    const onSignal = (signal: NodeJS.Signals): void => {
      resolve(signal);
      process.once(signal, () => process.exit(130));
    };
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
  });
}
