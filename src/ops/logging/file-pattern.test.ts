import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { backupFileName, expandFilePattern, fileFamilyRegExp, isBackupName, nextPatternChangeMs, validateFilePattern } from './file-pattern.ts';

const LOCAL = new Date(2026, 10, 24, 9, 5, 7, 250).getTime(); // host local time

describe('validateFilePattern()', () => {
  it('behavior: accepts the reference default and every supported placeholder', () => {
    assert.deepEqual(validateFilePattern('./snet-daemon.%Y%m%d.log'), []);
    assert.deepEqual(validateFilePattern('/var/log/snetd/%Y-%m-%d_%H%M%S.log'), []);
  });
  it('error: names unsupported placeholders like the reference', () => {
    assert.deepEqual(validateFilePattern('./x.%j.log'), ['invalid placeholder found in pattern: %j']);
    assert.deepEqual(validateFilePattern(''), ['log.output.file_pattern is empty']);
  });
});

describe('expandFilePattern()', () => {
  it('behavior: local-time fields, zero padded', () => {
    assert.equal(expandFilePattern('./snet-daemon.%Y%m%d.log', LOCAL), './snet-daemon.20261124.log');
    assert.equal(expandFilePattern('%H-%M-%S', LOCAL), '09-05-07');
  });
});

describe('nextPatternChangeMs()', () => {
  it('behavior: next boundary of the finest placeholder', () => {
    assert.equal(nextPatternChangeMs('x.%Y%m%d.log', LOCAL), new Date(2026, 10, 25).getTime());
    assert.equal(nextPatternChangeMs('x.%Y%m%d%H.log', LOCAL), new Date(2026, 10, 24, 10).getTime());
    assert.equal(nextPatternChangeMs('x.%Y%m.log', LOCAL), new Date(2026, 11, 1).getTime());
    assert.equal(nextPatternChangeMs('x.log', LOCAL), Number.POSITIVE_INFINITY);
  });
});

describe('backupFileName() / fileFamilyRegExp()', () => {
  it('behavior: lumberjack naming with a UTC stamp before the extension', () => {
    const at = Date.UTC(2026, 10, 24, 10, 11, 12, 123);
    assert.equal(backupFileName('/l/snet-daemon.20261124.log', at), '/l/snet-daemon.20261124-2026-11-24T10-11-12.123.log');
  });
  it('behavior: the family matches live, backup and gzipped names only', () => {
    const re = fileFamilyRegExp('./snet-daemon.%Y%m%d.log');
    for (const ok of ['snet-daemon.20261124.log', 'snet-daemon.20261124-2026-11-24T10-11-12.123.log', 'snet-daemon.20261123.log.gz', 'snet-daemon.20261124-2026-11-24T10-11-12.123.log.gz']) {
      assert.ok(re.test(ok), ok);
    }
    for (const no of ['snet-daemon.log', 'snet-daemon.2026112.log', 'other.20261124.log', 'snet-daemon.20261124.log.gz.tmp']) assert.ok(!re.test(no), no);
    assert.ok(isBackupName('./snet-daemon.%Y%m%d.log', 'snet-daemon.20261124-2026-11-24T10-11-12.123.log'));
    assert.ok(!isBackupName('./snet-daemon.%Y%m%d.log', 'snet-daemon.20261124.log'));
  });
});
