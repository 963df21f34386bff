import { readFileSync } from 'node:fs';

/** The package version (the daemon's version tag), read once from package.json. */
export function daemonVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version?: string };
  return pkg.version ?? '0.0.0';
}
