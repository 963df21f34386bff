// Regenerates the docs that come from code: docs/config.md (schema) and docs/errors.md (catalogue).
// `--check` exits 1 when a committed file is stale (used by the docs test).
import { readFileSync, writeFileSync } from 'node:fs';
import { renderConfigDocs } from '../src/config/index.ts';
import { renderErrorDocs } from '../src/errors/index.ts';

const pages: Array<[string, string]> = [
  ['docs/config.md', renderConfigDocs()],
  ['docs/errors.md', renderErrorDocs()],
];
const check = process.argv.includes('--check');
let stale = 0;
for (const [path, text] of pages) {
  const url = new URL(`../${path}`, import.meta.url);
  if (check) {
    let current = '';
    try {
      current = readFileSync(url, 'utf8');
    } catch {
      // missing counts as stale
    }
    if (current !== text) {
      console.error(`${path} is out of date: run npm run docs`);
      stale++;
    }
  } else {
    writeFileSync(url, text);
    console.log(`wrote ${path}`);
  }
}
process.exitCode = stale === 0 ? 0 : 1;
