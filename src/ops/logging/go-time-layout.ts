/**
 * Go time layouts (`log.formatter.timestamp_format`, reference date `Mon Jan 2 15:04:05 MST 2006`)
 * compiled once into a fast formatter. The chunk scanner is a port of Go's `time.nextStdChunk`
 * (src/time/format.go), so a layout that works in the Go daemon renders the same here.
 * Only what is needed to *format* is supported; precision stops at milliseconds (digits past the
 * third are zeros).
 */

/** Go's `time.RFC3339`, used when `timestamp_format` is empty (Go `logger/logger.go`). */
export const RFC3339_LAYOUT = '2006-01-02T15:04:05Z07:00';

/** Go's `time.Time.String()` layout, used in e-mail/telegram hook bodies like the reference. */
export const GO_TIME_STRING_LAYOUT = '2006-01-02 15:04:05.999999999 -0700 MST';

/** Formats epoch milliseconds as a string. */
export type TimeFormatter = (epochMs: number) => string;

type Std =
  | 'longMonth' | 'month' | 'numMonth' | 'zeroMonth'
  | 'longWeekDay' | 'weekDay'
  | 'day' | 'underDay' | 'zeroDay' | 'underYearDay' | 'zeroYearDay'
  | 'hour' | 'hour12' | 'zeroHour12'
  | 'minute' | 'zeroMinute' | 'second' | 'zeroSecond'
  | 'longYear' | 'year' | 'PM' | 'pm' | 'tz'
  | 'iso8601TZ' | 'iso8601SecondsTZ' | 'iso8601ShortTZ' | 'iso8601ColonTZ' | 'iso8601ColonSecondsTZ'
  | 'numTZ' | 'numSecondsTz' | 'numShortTZ' | 'numColonTZ' | 'numColonSecondsTZ';

type Chunk =
  | { readonly kind: 'literal'; readonly text: string }
  | { readonly kind: 'std'; readonly std: Std }
  | { readonly kind: 'frac'; readonly digits: number; readonly trim: boolean; readonly sep: string };

const ZERO_STD: readonly Std[] = ['zeroMonth', 'zeroDay', 'zeroHour12', 'zeroMinute', 'zeroSecond', 'year'];
const LONG_MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
const LONG_DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

function startsWithLowerCase(s: string, at: number): boolean {
  const c = s.charCodeAt(at);
  return c >= 97 && c <= 122;
}

function isDigitAt(s: string, at: number): boolean {
  const c = s.charCodeAt(at);
  return c >= 48 && c <= 57;
}

/** One step of Go's `nextStdChunk`: the literal prefix, the std chunk and where the rest starts. */
function nextStdChunk(layout: string, from: number): { prefixEnd: number; chunk: Chunk | undefined; next: number } {
  const at = (i: number, n: number): string => layout.slice(i, i + n);
  for (let i = from; i < layout.length; i++) {
    switch (layout.charAt(i)) {
      case 'J':
        if (at(i, 3) === 'Jan') {
          if (at(i, 7) === 'January') return { prefixEnd: i, chunk: { kind: 'std', std: 'longMonth' }, next: i + 7 };
          if (!startsWithLowerCase(layout, i + 3)) return { prefixEnd: i, chunk: { kind: 'std', std: 'month' }, next: i + 3 };
        }
        break;
      case 'M':
        if (at(i, 3) === 'Mon') {
          if (at(i, 6) === 'Monday') return { prefixEnd: i, chunk: { kind: 'std', std: 'longWeekDay' }, next: i + 6 };
          if (!startsWithLowerCase(layout, i + 3)) return { prefixEnd: i, chunk: { kind: 'std', std: 'weekDay' }, next: i + 3 };
        }
        if (at(i, 3) === 'MST') return { prefixEnd: i, chunk: { kind: 'std', std: 'tz' }, next: i + 3 };
        break;
      case '0': {
        const d = layout.charCodeAt(i + 1);
        if (d >= 49 && d <= 54) {
          return { prefixEnd: i, chunk: { kind: 'std', std: ZERO_STD[d - 49] ?? 'year' }, next: i + 2 };
        }
        if (at(i + 1, 2) === '02') return { prefixEnd: i, chunk: { kind: 'std', std: 'zeroYearDay' }, next: i + 3 };
        break;
      }
      case '1':
        if (layout[i + 1] === '5') return { prefixEnd: i, chunk: { kind: 'std', std: 'hour' }, next: i + 2 };
        return { prefixEnd: i, chunk: { kind: 'std', std: 'numMonth' }, next: i + 1 };
      case '2':
        if (at(i, 4) === '2006') return { prefixEnd: i, chunk: { kind: 'std', std: 'longYear' }, next: i + 4 };
        return { prefixEnd: i, chunk: { kind: 'std', std: 'day' }, next: i + 1 };
      case '_':
        if (layout[i + 1] === '2') {
          // "_2006" is a literal underscore followed by the long year (Go quirk).
          if (at(i + 1, 4) === '2006') return { prefixEnd: i + 1, chunk: { kind: 'std', std: 'longYear' }, next: i + 5 };
          return { prefixEnd: i, chunk: { kind: 'std', std: 'underDay' }, next: i + 2 };
        }
        if (at(i + 1, 2) === '_2') return { prefixEnd: i, chunk: { kind: 'std', std: 'underYearDay' }, next: i + 3 };
        break;
      case '3':
        return { prefixEnd: i, chunk: { kind: 'std', std: 'hour12' }, next: i + 1 };
      case '4':
        return { prefixEnd: i, chunk: { kind: 'std', std: 'minute' }, next: i + 1 };
      case '5':
        return { prefixEnd: i, chunk: { kind: 'std', std: 'second' }, next: i + 1 };
      case 'P':
        if (layout[i + 1] === 'M') return { prefixEnd: i, chunk: { kind: 'std', std: 'PM' }, next: i + 2 };
        break;
      case 'p':
        if (layout[i + 1] === 'm') return { prefixEnd: i, chunk: { kind: 'std', std: 'pm' }, next: i + 2 };
        break;
      case '-':
        if (at(i, 7) === '-070000') return { prefixEnd: i, chunk: { kind: 'std', std: 'numSecondsTz' }, next: i + 7 };
        if (at(i, 9) === '-07:00:00') return { prefixEnd: i, chunk: { kind: 'std', std: 'numColonSecondsTZ' }, next: i + 9 };
        if (at(i, 5) === '-0700') return { prefixEnd: i, chunk: { kind: 'std', std: 'numTZ' }, next: i + 5 };
        if (at(i, 6) === '-07:00') return { prefixEnd: i, chunk: { kind: 'std', std: 'numColonTZ' }, next: i + 6 };
        if (at(i, 3) === '-07') return { prefixEnd: i, chunk: { kind: 'std', std: 'numShortTZ' }, next: i + 3 };
        break;
      case 'Z':
        if (at(i, 7) === 'Z070000') return { prefixEnd: i, chunk: { kind: 'std', std: 'iso8601SecondsTZ' }, next: i + 7 };
        if (at(i, 9) === 'Z07:00:00') return { prefixEnd: i, chunk: { kind: 'std', std: 'iso8601ColonSecondsTZ' }, next: i + 9 };
        if (at(i, 5) === 'Z0700') return { prefixEnd: i, chunk: { kind: 'std', std: 'iso8601TZ' }, next: i + 5 };
        if (at(i, 6) === 'Z07:00') return { prefixEnd: i, chunk: { kind: 'std', std: 'iso8601ColonTZ' }, next: i + 6 };
        if (at(i, 3) === 'Z07') return { prefixEnd: i, chunk: { kind: 'std', std: 'iso8601ShortTZ' }, next: i + 3 };
        break;
      case '.':
      case ',': {
        const ch = layout[i + 1];
        if (ch === '0' || ch === '9') {
          let j = i + 1;
          while (j < layout.length && layout[j] === ch) j++;
          // Only a fractional second if the run of 0s/9s is not followed by another digit.
          if (!isDigitAt(layout, j)) {
            const sep = layout[i] ?? '.';
            return { prefixEnd: i, chunk: { kind: 'frac', digits: Math.min(j - (i + 1), 9), trim: ch === '9', sep }, next: j };
          }
        }
        break;
      }
      default:
        break;
    }
  }
  return { prefixEnd: layout.length, chunk: undefined, next: layout.length };
}

/** Splits a Go layout into literal and std chunks. Exported for tests. @internal */
export function parseGoTimeLayout(layout: string): Chunk[] {
  const chunks: Chunk[] = [];
  let pos = 0;
  while (pos < layout.length) {
    const { prefixEnd, chunk, next } = nextStdChunk(layout, pos);
    if (prefixEnd > pos) {
      const text = layout.slice(pos, prefixEnd);
      const last = chunks[chunks.length - 1];
      if (last?.kind === 'literal') chunks[chunks.length - 1] = { kind: 'literal', text: last.text + text };
      else chunks.push({ kind: 'literal', text });
    }
    if (chunk !== undefined) chunks.push(chunk);
    pos = next;
  }
  return chunks;
}

interface ZoneInfo {
  /** Offset east of UTC in minutes. */
  readonly offsetMin: number;
  /** Abbreviation as Go prints it for MST (e.g. `UTC`, `CET`, `+0530`). */
  readonly abbr: string;
}

/** Offsets only change at DST transitions, which happen on quarter hours: cache per 15 minutes. */
const ZONE_BUCKET_MS = 15 * 60 * 1000;

/**
 * Resolves a zone's offset and abbreviation at an instant. Throws `RangeError` for an unknown
 * IANA zone. `Local` is the host zone and `''`/`UTC` is UTC, as in Go's `time.LoadLocation`.
 */
function createZoneResolver(timezone: string): (epochMs: number) => ZoneInfo {
  if (timezone === '' || timezone === 'UTC') {
    const utc: ZoneInfo = { offsetMin: 0, abbr: 'UTC' };
    return () => utc;
  }
  const zone = timezone === 'Local' ? new Intl.DateTimeFormat().resolvedOptions().timeZone : timezone;
  const dtf = new Intl.DateTimeFormat('en-US', {
    timeZone: zone,
    hourCycle: 'h23',
    year: 'numeric', month: 'numeric', day: 'numeric',
    hour: 'numeric', minute: 'numeric', second: 'numeric',
    timeZoneName: 'short',
  });
  let cachedBucket = Number.NaN;
  let cached: ZoneInfo = { offsetMin: 0, abbr: 'UTC' };
  return (epochMs) => {
    const bucket = Math.floor(epochMs / ZONE_BUCKET_MS);
    if (bucket === cachedBucket) return cached;
    const at = bucket * ZONE_BUCKET_MS;
    const parts: Record<string, string> = {};
    for (const p of dtf.formatToParts(at)) parts[p.type] = p.value;
    const asUtc = Date.UTC(Number(parts.year), Number(parts.month) - 1, Number(parts.day),
      Number(parts.hour), Number(parts.minute), Number(parts.second));
    const offsetMin = Math.round((asUtc - at) / 60000);
    cached = { offsetMin, abbr: goZoneAbbreviation(parts.timeZoneName ?? '', offsetMin) };
    cachedBucket = bucket;
    return cached;
  };
}

/** Intl says `GMT+5:30` where Go says `+0530` for zones without a letter abbreviation. */
function goZoneAbbreviation(intlName: string, offsetMin: number): string {
  if (/^[A-Z]{2,5}$/.test(intlName) && !(intlName === 'GMT' && offsetMin !== 0)) return intlName;
  if (offsetMin === 0) return 'UTC';
  const sign = offsetMin < 0 ? '-' : '+';
  const abs = Math.abs(offsetMin);
  const h = pad2(Math.floor(abs / 60));
  const m = abs % 60;
  return m === 0 ? `${sign}${h}` : `${sign}${h}${pad2(m)}`;
}

function pad2(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

function pad3(n: number): string {
  return n < 10 ? `00${n}` : n < 100 ? `0${n}` : String(n);
}

function formatOffset(offsetMin: number, std: Std): string {
  const iso = std.startsWith('iso');
  if (iso && offsetMin === 0) return 'Z';
  const sign = offsetMin < 0 ? '-' : '+';
  const abs = Math.abs(offsetMin);
  const h = pad2(Math.floor(abs / 60));
  const m = pad2(abs % 60);
  if (std === 'iso8601ShortTZ' || std === 'numShortTZ') return `${sign}${h}`;
  if (std === 'iso8601TZ' || std === 'numTZ') return `${sign}${h}${m}`;
  if (std === 'iso8601SecondsTZ' || std === 'numSecondsTz') return `${sign}${h}${m}00`;
  if (std === 'iso8601ColonSecondsTZ' || std === 'numColonSecondsTZ') return `${sign}${h}:${m}:00`;
  return `${sign}${h}:${m}`;
}

function dayOfYear(d: Date): number {
  return Math.floor((Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()) - Date.UTC(d.getUTCFullYear(), 0, 1)) / 86400000) + 1;
}

function renderStd(std: Std, d: Date, zone: ZoneInfo): string {
  switch (std) {
    case 'longMonth': return LONG_MONTHS[d.getUTCMonth()] ?? '';
    case 'month': return (LONG_MONTHS[d.getUTCMonth()] ?? '').slice(0, 3);
    case 'numMonth': return String(d.getUTCMonth() + 1);
    case 'zeroMonth': return pad2(d.getUTCMonth() + 1);
    case 'longWeekDay': return LONG_DAYS[d.getUTCDay()] ?? '';
    case 'weekDay': return (LONG_DAYS[d.getUTCDay()] ?? '').slice(0, 3);
    case 'day': return String(d.getUTCDate());
    case 'underDay': { const v = d.getUTCDate(); return v < 10 ? ` ${v}` : String(v); }
    case 'zeroDay': return pad2(d.getUTCDate());
    case 'underYearDay': return String(dayOfYear(d)).padStart(3, ' ');
    case 'zeroYearDay': return pad3(dayOfYear(d));
    case 'hour': return pad2(d.getUTCHours());
    case 'hour12': { const h = d.getUTCHours() % 12; return String(h === 0 ? 12 : h); }
    case 'zeroHour12': { const h = d.getUTCHours() % 12; return pad2(h === 0 ? 12 : h); }
    case 'minute': return String(d.getUTCMinutes());
    case 'zeroMinute': return pad2(d.getUTCMinutes());
    case 'second': return String(d.getUTCSeconds());
    case 'zeroSecond': return pad2(d.getUTCSeconds());
    case 'longYear': return String(d.getUTCFullYear()).padStart(4, '0');
    case 'year': return pad2(d.getUTCFullYear() % 100);
    case 'PM': return d.getUTCHours() >= 12 ? 'PM' : 'AM';
    case 'pm': return d.getUTCHours() >= 12 ? 'pm' : 'am';
    case 'tz': return zone.abbr;
    case 'iso8601TZ': case 'iso8601SecondsTZ': case 'iso8601ShortTZ': case 'iso8601ColonTZ':
    case 'iso8601ColonSecondsTZ': case 'numTZ': case 'numSecondsTz': case 'numShortTZ':
    case 'numColonTZ': case 'numColonSecondsTZ':
      return formatOffset(zone.offsetMin, std);
  }
}

function renderFrac(ms: number, digits: number, trim: boolean, sep: string): string {
  let s = (pad3(ms) + '000000').slice(0, digits);
  if (trim) {
    let end = s.length;
    while (end > 0 && s.charCodeAt(end - 1) === 48) end--;
    s = s.slice(0, end);
    if (s === '') return '';
  }
  return sep + s;
}

/**
 * Compiles a Go time layout for an IANA `timezone` (`UTC`, `Local`, `Europe/Berlin`…) into a
 * formatter; an empty layout means RFC3339 as in the reference. Throws `RangeError` when the zone is
 * unknown. Parsing happens once; each call only reads date fields.
 */
export function compileGoTimeLayout(layout: string, timezone = 'UTC'): TimeFormatter {
  const chunks = parseGoTimeLayout(layout === '' ? RFC3339_LAYOUT : layout);
  const fracs = chunks.filter((c) => c.kind === 'frac');
  const zoneAt = createZoneResolver(timezone);
  const d = new Date(0);
  // Everything but the fractional second changes once a second (zone offsets are whole minutes):
  // render those parts once per second and only the fraction per call; repeat calls within one
  // millisecond return the previous string.
  let cachedSecond = Number.NaN;
  let segments: string[] = [];
  let lastMs = Number.NaN;
  let lastOut = '';
  return (epochMs) => {
    if (epochMs === lastMs) return lastOut;
    const second = Math.floor(epochMs / 1000);
    if (second !== cachedSecond) {
      const zone = zoneAt(epochMs);
      d.setTime(epochMs + zone.offsetMin * 60000);
      segments = [];
      let current = '';
      for (const c of chunks) {
        if (c.kind === 'literal') current += c.text;
        else if (c.kind === 'std') current += renderStd(c.std, d, zone);
        else {
          segments.push(current);
          current = '';
        }
      }
      segments.push(current);
      cachedSecond = second;
    }
    let out = segments[0] ?? '';
    if (fracs.length > 0) {
      const ms = epochMs - second * 1000;
      for (let i = 0; i < fracs.length; i++) {
        const f = fracs[i];
        if (f !== undefined && f.kind === 'frac') out += renderFrac(ms, f.digits, f.trim, f.sep);
        out += segments[i + 1] ?? '';
      }
    }
    lastMs = epochMs;
    lastOut = out;
    return out;
  };
}

/** True when `timezone` is `''`, `UTC`, `Local` or an IANA zone this runtime knows. */
export function isKnownTimezone(timezone: string): boolean {
  if (timezone === '' || timezone === 'UTC' || timezone === 'Local') return true;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: timezone });
    return true;
  } catch {
    return false;
  }
}
