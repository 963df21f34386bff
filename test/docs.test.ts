import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { renderConfigDocs } from '../src/config/index.ts';
import { renderErrorDocs } from '../src/errors/index.ts';

describe('generated docs', () => {
  it('behavior: docs/config.md matches the schema (run npm run docs when this fails)', () => {
    assert.equal(readFileSync(new URL('../docs/config.md', import.meta.url), 'utf8'), renderConfigDocs());
  });
  it('behavior: docs/errors.md matches the error catalogue (run npm run docs when this fails)', () => {
    assert.equal(readFileSync(new URL('../docs/errors.md', import.meta.url), 'utf8'), renderErrorDocs());
  });
});
