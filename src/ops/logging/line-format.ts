/**
 * The two line layouts of the reference (zap production encoder, Go `logger/logger.go`). pino always produces the
 * JSON form `{"level":"INFO","ts":"…",<fields>,"msg":"…"}`; the text form is derived from it:
 * `ts\tLEVEL\tmessage\t{json fields}` (fields part omitted when there are none).
 */

/** pino level number → the upper-case word operators grep for. */
export const LEVEL_WORD_BY_NUMBER: Readonly<Record<number, string>> = {
  10: 'TRACE', 20: 'DEBUG', 30: 'INFO', 40: 'WARN', 50: 'ERROR', 60: 'FATAL',
};

/** Level word → pino level number. */
export const LEVEL_NUMBER_BY_WORD: Readonly<Record<string, number>> = {
  TRACE: 10, DEBUG: 20, INFO: 30, WARN: 40, ERROR: 50, FATAL: 60,
};

const LEVEL_PREFIX = '{"level":"';
const TS_KEY = ',"ts":"';
const MSG_KEY = ',"msg":';

/** The level word of a JSON line made by our pino setup, or `undefined` for anything else. */
export function levelWordOf(line: string): string | undefined {
  if (!line.startsWith(LEVEL_PREFIX)) return undefined;
  const end = line.indexOf('"', LEVEL_PREFIX.length);
  return end < 0 ? undefined : line.slice(LEVEL_PREFIX.length, end);
}

/** A JSON line split into its parts; `fields` is the JSON object text of the remaining keys, or ''. */
export interface ParsedLine {
  readonly level: string;
  readonly ts: string;
  readonly msg: string;
  readonly fields: string;
}

function slowParse(line: string): ParsedLine {
  const obj = JSON.parse(line) as Record<string, unknown>;
  const { level, ts, msg, ...rest } = obj;
  return {
    level: typeof level === 'string' ? level : String(level),
    ts: typeof ts === 'string' ? ts : '',
    msg: typeof msg === 'string' ? msg : msg === undefined ? '' : JSON.stringify(msg),
    fields: Object.keys(rest).length === 0 ? '' : JSON.stringify(rest),
  };
}

/**
 * Splits a line from our pino setup without a full `JSON.parse`: level and ts come first (we write
 * them and `ts` never holds a quote), `msg` is the last top-level key (pino appends it). A nested
 * `msg` cannot be mistaken for it: the candidate must parse as one JSON string up to the closing `}`.
 * Falls back to `JSON.parse` for any other shape.
 */
export function parseLine(line: string): ParsedLine {
  const body = line.endsWith('\n') ? line.slice(0, -1) : line;
  const level = levelWordOf(body);
  if (level === undefined || !body.endsWith('}')) return slowParse(body);
  const tsStart = LEVEL_PREFIX.length + level.length + 1;
  if (!body.startsWith(TS_KEY, tsStart)) return slowParse(body);
  const tsValueStart = tsStart + TS_KEY.length;
  const tsEnd = body.indexOf('"', tsValueStart);
  if (tsEnd < 0) return slowParse(body);
  const ts = body.slice(tsValueStart, tsEnd);
  const rest = body.slice(tsEnd + 1, -1);
  let msg = '';
  let fields = rest;
  const msgAt = rest.lastIndexOf(MSG_KEY);
  if (msgAt >= 0) {
    const candidate = rest.slice(msgAt + MSG_KEY.length);
    if (candidate.startsWith('"')) {
      try {
        const parsed: unknown = JSON.parse(candidate);
        if (typeof parsed === 'string') {
          msg = parsed;
          fields = rest.slice(0, msgAt);
        }
      } catch {
        // nested "msg": not the message
      }
    }
  }
  return { level, ts, msg, fields: fields === '' ? '' : `{${fields.slice(1)}}` };
}

/** The text-layout form of a JSON line (newline-terminated). */
export function jsonLineToText(line: string): string {
  const p = parseLine(line);
  return p.fields === '' ? `${p.ts}\t${p.level}\t${p.msg}\n` : `${p.ts}\t${p.level}\t${p.msg}\t${p.fields}\n`;
}
