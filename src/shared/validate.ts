/**
 * Tiny runtime validators for payloads crossing a process edge (IPC, HTTP). Every API handler validates its
 * argument at the receiving side with one of these; a failure names the offending field.
 */
export type Validator<T> = (x: unknown, path?: string) => T;

export class PayloadError extends Error {
  constructor(path: string, reason: string) {
    super(`invalid payload: field "${path}": ${reason}`);
    this.name = 'PayloadError';
  }
}

/** Whether x is one of the given string literals (narrows x). */
export function isOneOf<T extends string>(values: readonly T[], x: unknown): x is T {
  return (values as readonly unknown[]).includes(x);
}

export const v = {
  str:
    (opts: { max?: number } = {}): Validator<string> =>
    (x, p = '$') => {
      if (typeof x !== 'string') throw new PayloadError(p, `expected string, got ${typeof x}`);
      if (opts.max != null && x.length > opts.max) throw new PayloadError(p, `longer than ${opts.max}`);
      return x;
    },
  num:
    (opts: { int?: boolean; min?: number; max?: number } = {}): Validator<number> =>
    (x, p = '$') => {
      if (typeof x !== 'number' || !Number.isFinite(x)) throw new PayloadError(p, 'expected a finite number');
      if (opts.int && !Number.isInteger(x)) throw new PayloadError(p, 'expected an integer');
      if (opts.min != null && x < opts.min) throw new PayloadError(p, `must be >= ${opts.min}`);
      if (opts.max != null && x > opts.max) throw new PayloadError(p, `must be <= ${opts.max}`);
      return x;
    },
  bool: (): Validator<boolean> => (x, p = '$') => {
    if (typeof x !== 'boolean') throw new PayloadError(p, 'expected boolean');
    return x;
  },
  literal:
    <T extends string>(...values: T[]): Validator<T> =>
    (x, p = '$') => {
      if (!isOneOf(values, x)) throw new PayloadError(p, `expected one of ${values.join(', ')}`);
      return x;
    },
  optional:
    <T>(inner: Validator<T>): Validator<T | undefined> =>
    (x, p = '$') =>
      x === undefined || x === null ? undefined : inner(x, p),
  array:
    <T>(inner: Validator<T>, opts: { max?: number } = {}): Validator<T[]> =>
    (x, p = '$') => {
      if (!Array.isArray(x)) throw new PayloadError(p, 'expected array');
      if (opts.max != null && x.length > opts.max) throw new PayloadError(p, `more than ${opts.max} elements`);
      return x.map((e, i) => inner(e, `${p}[${i}]`));
    },
  record: (): Validator<Record<string, unknown>> => (x, p = '$') => {
    if (typeof x !== 'object' || x === null || Array.isArray(x)) throw new PayloadError(p, 'expected object');
    return x as Record<string, unknown>;
  },
  object:
    <S extends Record<string, Validator<unknown>>>(shape: S): Validator<{ [K in keyof S]: ReturnType<S[K]> }> =>
    (x, p = '$') => {
      if (typeof x !== 'object' || x === null || Array.isArray(x)) throw new PayloadError(p, 'expected object');
      const out: Record<string, unknown> = {};
      for (const k of Object.keys(shape)) out[k] = shape[k]!((x as Record<string, unknown>)[k], `${p}.${k}`);
      return out as { [K in keyof S]: ReturnType<S[K]> };
    },
  none: (): Validator<void> => () => undefined,
};
