// The yaml package, loaded the first time a YAML file is read or written: JSON configs (the
// common case) and every command that writes none do not pay for it.
import { createRequire } from 'node:module';
import type * as yamlModule from 'yaml';

let loaded: typeof yamlModule | undefined;

function yaml(): typeof yamlModule {
  loaded ??= createRequire(import.meta.url)('yaml') as typeof yamlModule;
  return loaded;
}

/** YAML text → value (yaml's `parse`). */
export function parseYaml(text: string): unknown {
  return yaml().parse(text) as unknown;
}

/** Value → YAML text (yaml's `stringify`). */
export function toYaml(value: unknown): string {
  return yaml().stringify(value);
}
