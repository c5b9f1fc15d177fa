/** Import options as they arrive from the CLI or the API (untyped), validated into typed values. */
import { PayloadError } from '../../shared/validate';

export type ImportOptions = Record<string, unknown>;

export function optString(o: ImportOptions, key: string): string | undefined {
  const x = o[key];
  if (x === undefined || x === null) return undefined;
  if (typeof x !== 'string') throw new PayloadError(`options.${key}`, 'expected a string');
  return x;
}

export function optNumber(o: ImportOptions, key: string, opts: { min?: number; max?: number; int?: boolean } = {}): number | undefined {
  const x = o[key];
  if (x === undefined || x === null) return undefined;
  const n = typeof x === 'string' ? Number(x) : x;
  if (typeof n !== 'number' || !Number.isFinite(n)) throw new PayloadError(`options.${key}`, 'expected a number');
  if (opts.int && !Number.isInteger(n)) throw new PayloadError(`options.${key}`, 'expected an integer');
  if (opts.min != null && n < opts.min) throw new PayloadError(`options.${key}`, `must be >= ${opts.min}`);
  if (opts.max != null && n > opts.max) throw new PayloadError(`options.${key}`, `must be <= ${opts.max}`);
  return n;
}

/** A category separator: a regex source (e.g. ",(?! )"). */
export function optRegex(o: ImportOptions, key: string, fallback: string): RegExp {
  const src = optString(o, key) ?? fallback;
  try {
    return new RegExp(src);
  } catch (e) {
    throw new PayloadError(`options.${key}`, `invalid regular expression: ${(e as Error).message}`);
  }
}

/**
 * A column mapping `canonical=source` ("item_id=asin,title=name") or an object {item_id: "asin"}.
 * Keys must be among `allowed`.
 */
export function optMap(o: ImportOptions, key: string, allowed: readonly string[]): Record<string, string> {
  const x = o[key];
  if (x === undefined || x === null) return {};
  let entries: [string, unknown][];
  if (typeof x === 'string') {
    entries = x
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean)
      .map((pair) => {
        const eq = pair.indexOf('=');
        if (eq <= 0) throw new PayloadError(`options.${key}`, `"${pair}" is not of the form field=column`);
        return [pair.slice(0, eq).trim(), pair.slice(eq + 1).trim()];
      });
  } else if (typeof x === 'object' && !Array.isArray(x)) entries = Object.entries(x);
  else throw new PayloadError(`options.${key}`, 'expected "field=column,..." or an object');
  const out: Record<string, string> = {};
  for (const [k, v] of entries) {
    if (!allowed.includes(k)) throw new PayloadError(`options.${key}`, `unknown field "${k}" (known: ${allowed.join(', ')})`);
    if (typeof v !== 'string' || !v) throw new PayloadError(`options.${key}.${k}`, 'expected a column name');
    out[k] = v;
  }
  return out;
}

export function optEnum<T extends string>(o: ImportOptions, key: string, values: readonly T[], fallback: T): T {
  const s = optString(o, key);
  if (s === undefined) return fallback;
  if (!(values as readonly string[]).includes(s)) throw new PayloadError(`options.${key}`, `expected one of ${values.join(', ')}`);
  return s as T;
}
