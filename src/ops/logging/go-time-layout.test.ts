import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { compileGoTimeLayout, isKnownTimezone, parseGoTimeLayout, GO_TIME_STRING_LAYOUT } from './go-time-layout.ts';

// 2026-03-05T07:08:09.120Z, a Thursday, day 64 of the year.
const T = Date.UTC(2026, 2, 5, 7, 8, 9, 120);

describe('compileGoTimeLayout()', () => {
  it('behavior: renders the reference default layout in UTC', () => {
    assert.equal(compileGoTimeLayout('2006-01-02T15:04:05.999Z07:00')(T), '2026-03-05T07:08:09.12Z');
  });

  it('behavior: empty layout is RFC3339', () => {
    assert.equal(compileGoTimeLayout('')(T), '2026-03-05T07:08:09Z');
  });

  it('behavior: .000 keeps fixed digits, .999 trims zeros and drops the dot when zero', () => {
    assert.equal(compileGoTimeLayout('05.000')(T), '09.120');
    assert.equal(compileGoTimeLayout('05.000000')(T), '09.120000');
    assert.equal(compileGoTimeLayout('05.999')(Date.UTC(2026, 0, 1, 0, 0, 9, 0)), '09');
    assert.equal(compileGoTimeLayout('05,000')(T), '09,120');
  });

  it('behavior: names, 12-hour clock, padding variants and day of year', () => {
    const f = compileGoTimeLayout('Monday Mon January Jan 1 01 2 _2 02 __2 002 3 03 PM pm 4 04 5 05 06');
    assert.equal(f(T), 'Thursday Thu March Mar 3 03 5  5 05  64 064 7 07 AM am 8 08 9 09 26');
    assert.equal(compileGoTimeLayout('3:04PM')(Date.UTC(2026, 0, 1, 12, 30)), '12:30PM');
    assert.equal(compileGoTimeLayout('03:04pm')(Date.UTC(2026, 0, 1, 0, 5)), '12:05am');
  });

  it('behavior: zone offsets in every style for a positive offset', () => {
    const f = compileGoTimeLayout('15:04 -0700 -07:00 -07 Z07:00 Z0700 -070000 -07:00:00 MST', 'Asia/Kolkata');
    assert.equal(f(T), '12:38 +0530 +05:30 +05 +05:30 +0530 +053000 +05:30:00 +0530');
    // Intl (en-US) has letter abbreviations for US zones only; elsewhere Go's numeric form is used.
    assert.equal(compileGoTimeLayout('MST', 'America/New_York')(T), 'EST');
  });

  it('behavior: ISO Z styles print Z for UTC and numeric styles print +0000', () => {
    assert.equal(compileGoTimeLayout('Z07:00 Z0700 Z07 -0700 MST')(T), 'Z Z Z +0000 UTC');
  });

  it('behavior: follows daylight saving time in the named zone', () => {
    const f = compileGoTimeLayout('2006-01-02 15:04 -0700', 'America/New_York');
    assert.equal(f(Date.UTC(2026, 0, 15, 12, 0)), '2026-01-15 07:00 -0500');
    assert.equal(f(Date.UTC(2026, 6, 15, 12, 0)), '2026-07-15 08:00 -0400');
  });

  it('behavior: Go Time.String() layout, as used in hook bodies', () => {
    assert.equal(compileGoTimeLayout(GO_TIME_STRING_LAYOUT)(T), '2026-03-05 07:08:09.12 +0000 UTC');
  });

  it('behavior: words that only look like chunks stay literal (Go rules)', () => {
    // "Janet" starts with Jan followed by a lower-case letter: not a month; "_2006" keeps the underscore.
    assert.equal(compileGoTimeLayout('Janet_2006')(T), 'Janet_2026');
    assert.equal(compileGoTimeLayout('Mon.1')(T), 'Thu.3');
    assert.equal(compileGoTimeLayout('[x]')(T), '[x]');
  });

  it('error: an unknown zone throws RangeError', () => {
    assert.throws(() => compileGoTimeLayout('15', 'Mars/Olympus'), RangeError);
    assert.equal(isKnownTimezone('Mars/Olympus'), false);
    assert.equal(isKnownTimezone('Europe/Berlin'), true);
    assert.equal(isKnownTimezone('Local'), true);
  });
});

describe('parseGoTimeLayout()', () => {
  it('behavior: merges literal text between chunks', () => {
    assert.deepEqual(parseGoTimeLayout('at 15h'), [
      { kind: 'literal', text: 'at ' },
      { kind: 'std', std: 'hour' },
      { kind: 'literal', text: 'h' },
    ]);
  });
});
