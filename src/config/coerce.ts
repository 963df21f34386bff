// Loose coercion of config values, as the reference's Viper does: env variables and flags are
// strings, and existing JSON files mix `10` and `"10"`, `true` and `"true"`.
import { z } from 'zod';

const goTrue = new Set(['1', 't', 'true']);
const goFalse = new Set(['0', 'f', 'false']);

/** Go `strconv.ParseBool` spellings, case-insensitively; anything else is left for zod to reject. */
function toBoolean(value: unknown): unknown {
  if (typeof value === 'number') return value === 0 ? false : value === 1 ? true : value;
  if (typeof value !== 'string') return value;
  const text = value.trim().toLowerCase();
  if (goTrue.has(text)) return true;
  if (goFalse.has(text)) return false;
  return value;
}

function toNumber(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  const text = value.trim();
  if (text === '' || !/^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/.test(text)) return value;
  return Number(text);
}

/** A string list that also accepts one string: split on whitespace or commas (Viper splits on spaces). */
function toStringList(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  const text = value.trim();
  if (text.startsWith('[')) {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      return value;
    }
  }
  return text === '' ? [] : text.split(/[\s,]+/);
}

function toStringValue(value: unknown): unknown {
  return typeof value === 'number' || typeof value === 'boolean' ? String(value) : value;
}

/** Object-valued keys given as JSON text (env/flags). */
function toObject(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  try {
    return JSON.parse(value) as unknown;
  } catch {
    return value;
  }
}

export const looseBoolean = (): z.ZodType<boolean> => z.preprocess(toBoolean, z.boolean());
export const looseNumber = (): z.ZodType<number> => z.preprocess(toNumber, z.number());
export const looseInt = (): z.ZodType<number> => z.preprocess(toNumber, z.number().int());
export const looseString = (): z.ZodType<string> => z.preprocess(toStringValue, z.string());
export const looseStringList = (): z.ZodType<string[]> =>
  z.preprocess(toStringList, z.array(z.preprocess(toStringValue, z.string())));
export { toObject as coerceObjectText };
