import assert from 'node:assert/strict';
import { ConfigError } from '../config-error.ts';

/** Runs `run`, which must throw a ConfigError, and returns it (tests only). */
export function expectConfigError(run: () => unknown): ConfigError {
  try {
    run();
  } catch (error) {
    assert.ok(error instanceof ConfigError, `expected ConfigError, got ${String(error)}`);
    return error;
  }
  assert.fail('expected a ConfigError');
}
