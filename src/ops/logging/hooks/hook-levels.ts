/** Level names in config (`log.level`, hook `levels`) → the upper-case word in our lines. */
const WORD_BY_NAME: Readonly<Record<string, string>> = {
  trace: 'TRACE',
  debug: 'DEBUG',
  info: 'INFO',
  warn: 'WARN',
  warning: 'WARN',
  error: 'ERROR',
  // zap's dpanic/panic/fatal all end the reference process; pino's top level is fatal.
  dpanic: 'FATAL',
  panic: 'FATAL',
  fatal: 'FATAL',
};

/** The level word for a config level name (case-insensitive), or `undefined` when unknown. */
export function levelWordForName(name: string): string | undefined {
  return WORD_BY_NAME[name.trim().toLowerCase()];
}

/** A hook's `levels` list as level words, with the reference's error texts for bad input. */
export function parseHookLevels(names: readonly unknown[] | undefined): { levels: Set<string>; problems: string[] } {
  const levels = new Set<string>();
  const problems: string[] = [];
  if (names === undefined || names.length === 0) return { levels, problems: ['no levels in hook config'] };
  for (const name of names) {
    const word = typeof name === 'string' ? levelWordForName(name) : undefined;
    if (word === undefined) problems.push(`unable parse log level string: "${String(name)}"`);
    else levels.add(word);
  }
  return { levels, problems };
}
