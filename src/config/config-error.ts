import { SnetError } from '../errors/index.ts';
import type { ConfigWarning } from './aliases.ts';

/** Where a configuration value came from. */
export type ConfigSource = 'default' | `file ${string}` | `env ${string}` | `flag ${string}`;

/** One problem with one key. */
export interface ConfigProblem {
  /** Dotted key path, e.g. `log.output.type`. */
  readonly key: string;
  readonly source: ConfigSource;
  /** The offending value as it may be shown (secrets masked); undefined when the key is missing. */
  readonly shownValue: string | undefined;
  /** What is wrong and what is allowed. */
  readonly problem: string;
}

function describeProblem(problem: ConfigProblem): string {
  const value = problem.shownValue === undefined ? '' : ` = ${problem.shownValue}`;
  return `- ${problem.key}${value} (from ${problem.source}): ${problem.problem}`;
}

function describeWarnings(warnings: readonly ConfigWarning[]): string {
  // A misspelled key often explains an error (its value never arrived), so the warnings come along.
  if (warnings.length === 0) return '';
  return `\nWarnings:\n${warnings.map((w) => `- ${w.key} (from ${w.source}): ${w.message}`).join('\n')}`;
}

/**
 * Every problem found in the configuration, reported at once (the reference stops at the
 * first). The message lists one line per problem naming key, source, value and what is allowed,
 * then the warnings found while loading.
 */
export class ConfigError extends SnetError {
  readonly problems: readonly ConfigProblem[];
  readonly warnings: readonly ConfigWarning[];

  constructor(problems: readonly ConfigProblem[], warnings: readonly ConfigWarning[] = []) {
    const count = problems.length === 1 ? '1 problem' : `${problems.length} problems`;
    super('CONFIG_INVALID', `Invalid configuration: ${count}\n${problems.map(describeProblem).join('\n')}${describeWarnings(warnings)}`, {
      hint: 'Fix each key where it came from (config file, SNET_* environment variable or CLI flag); `snetd init-full -c FILE` writes every key with its default.',
      details: { problems: problems.map((p) => ({ key: p.key, source: p.source, problem: p.problem })) },
    });
    this.name = 'ConfigError';
    this.problems = problems;
    this.warnings = warnings;
  }
}
