/** Text helpers for importers: locating invalid UTF-8 and JSON syntax errors by line, scanning top-level JSON keys. */

/**
 * Byte offset of the first invalid UTF-8 sequence at or after `from`, or -1 when the bytes are valid UTF-8
 * (a sequence cut off by the end of the buffer counts as valid when `partialOk`, for chunked reads).
 * TextDecoder({fatal: true}) decides validity; this only finds where, to report the line.
 */
export function firstInvalidUtf8(b: Uint8Array, from = 0, partialOk = false): number {
  let i = from;
  const n = b.length;
  while (i < n) {
    const c = b[i]!;
    if (c < 0x80) {
      i++;
      continue;
    }
    let need: number;
    let min: number;
    if (c >= 0xc2 && c <= 0xdf) {
      need = 1;
      min = 0x80;
    } else if (c >= 0xe0 && c <= 0xef) {
      need = 2;
      min = 0x800;
    } else if (c >= 0xf0 && c <= 0xf4) {
      need = 3;
      min = 0x10000;
    } else return i;
    if (i + need >= n) {
      for (let k = i + 1; k < n; k++) if ((b[k]! & 0xc0) !== 0x80) return i;
      return partialOk ? -1 : i;
    }
    let cp = c & (0x3f >> need);
    for (let k = 1; k <= need; k++) {
      const d = b[i + k]!;
      if ((d & 0xc0) !== 0x80) return i;
      cp = (cp << 6) | (d & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return i;
    i += need + 1;
  }
  return -1;
}

/** Number of '\n' bytes in b[0..end). */
export function countNewlines(b: Uint8Array, end = b.length): number {
  let n = 0;
  for (let i = 0; i < end; i++) if (b[i] === 10) n++;
  return n;
}

/** 1-based line and column of a character offset in a string. */
export function lineColAt(text: string, offset: number): { line: number; col: number } {
  let line = 1;
  let last = -1;
  const end = Math.min(offset, text.length);
  for (let i = 0; i < end; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      last = i;
    }
  }
  return { line, col: end - last };
}

/**
 * Where JSON.parse failed: V8 reports "... at position N" (or "Unexpected end of JSON input"). Returns the character
 * offset, or null when the message carries none.
 */
export function jsonErrorOffset(message: string, text: string): number | null {
  const m = /position (\d+)/.exec(message);
  if (m) return Number(m[1]);
  if (/end of (JSON|data)/i.test(message)) return text.length;
  return null;
}

/**
 * The keys of a top-level JSON object with the 1-based line each key is on, in file order (duplicates included,
 * which JSON.parse would silently collapse). Assumes `text` already parsed as JSON.
 */
export function topLevelKeys(text: string): { key: string; line: number }[] {
  const out: { key: string; line: number }[] = [];
  let depth = 0;
  let line = 1;
  let expectKey = false;
  const n = text.length;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c === 10) line++;
    else if (c === 34 /* " */) {
      const start = i;
      i++;
      while (i < n) {
        const d = text.charCodeAt(i);
        if (d === 92 /* \ */) i += 2;
        else if (d === 34) break;
        else {
          if (d === 10) line++;
          i++;
        }
      }
      if (depth === 1 && expectKey) {
        out.push({ key: JSON.parse(text.slice(start, i + 1)) as string, line });
        expectKey = false;
      }
    } else if (c === 123 /* { */ || c === 91 /* [ */) {
      depth++;
      if (depth === 1 && c === 123) expectKey = true;
    } else if (c === 125 || c === 93) depth--;
    else if (c === 44 /* , */ && depth === 1) expectKey = true;
  }
  return out;
}
