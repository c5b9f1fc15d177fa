/**
 * Streaming file input for importers: chunked reads decoded as strict UTF-8 (an invalid byte is an InputError naming
 * the line), line iteration, whole-file JSON with the failing line, and input path resolution.
 */
import { createReadStream, existsSync, readdirSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { InputError, throwIfAborted } from '../../shared/errors';
import { countNewlines, firstInvalidUtf8, jsonErrorOffset, lineColAt } from '../../core/data/text';

const CHUNK = 1 << 20;

/** Decoded text chunks of a file. Throws InputError for a missing file, an empty file or invalid UTF-8. */
export async function* readTextChunks(file: string, signal?: AbortSignal): AsyncGenerator<string, void, void> {
  if (!existsSync(file)) throw new InputError(file, null, null, 'file not found');
  if (statSync(file).isDirectory()) throw new InputError(file, null, null, 'is a folder, expected a file');
  const dec = new TextDecoder('utf-8', { fatal: true });
  let newlines = 0;
  let bytes = 0;
  let carry = 0; // bytes of an incomplete sequence held by the decoder from the previous chunk
  for await (const chunk of createReadStream(file, { highWaterMark: CHUNK })) {
    throwIfAborted(signal);
    const buf = chunk as Buffer;
    let text: string;
    try {
      text = dec.decode(buf, { stream: true });
    } catch {
      let skip = 0;
      while (skip < Math.min(carry, buf.length) && (buf[skip]! & 0xc0) === 0x80) skip++;
      const off = Math.max(0, firstInvalidUtf8(buf, skip, true));
      throw new InputError(file, newlines + countNewlines(buf, off) + 1, null, `invalid UTF-8 at byte ${bytes + off}`);
    }
    newlines += countNewlines(buf);
    bytes += buf.length;
    carry = trailingIncomplete(buf);
    if (text) yield text;
  }
  try {
    const rest = dec.decode();
    if (rest) yield rest;
  } catch {
    throw new InputError(file, newlines + 1, null, `invalid UTF-8: file ends inside a multi-byte character`);
  }
  if (bytes === 0) throw new InputError(file, null, null, 'file is empty');
}

function trailingIncomplete(b: Uint8Array): number {
  for (let k = 1; k <= 3 && k <= b.length; k++) {
    const c = b[b.length - k]!;
    if ((c & 0xc0) !== 0x80) return c >= 0xc0 ? k : 0;
  }
  return 0;
}

/** Lines of a text file (without line terminators), 1-based line numbers. */
export async function* readLines(file: string, signal?: AbortSignal): AsyncGenerator<{ text: string; line: number }, void, void> {
  let rest = '';
  let line = 0;
  for await (const chunk of readTextChunks(file, signal)) {
    const parts = (rest + chunk).split('\n');
    rest = parts.pop()!;
    for (const p of parts) yield { text: p.endsWith('\r') ? p.slice(0, -1) : p, line: ++line };
  }
  if (rest) yield { text: rest.endsWith('\r') ? rest.slice(0, -1) : rest, line: ++line };
}

export async function readText(file: string, signal?: AbortSignal): Promise<string> {
  const parts: string[] = [];
  for await (const c of readTextChunks(file, signal)) parts.push(c);
  return parts.join('');
}

/** Parses a whole-file JSON document; a syntax error becomes an InputError with its line and column. */
export function parseJsonText(file: string, text: string): unknown {
  if (!text.trim()) throw new InputError(file, null, null, 'file is empty');
  try {
    return JSON.parse(text) as unknown;
  } catch (e) {
    const msg = (e as Error).message;
    const off = jsonErrorOffset(msg, text);
    if (off == null) throw new InputError(file, null, null, `invalid JSON: ${msg}`);
    const { line, col } = lineColAt(text, off);
    throw new InputError(file, line, null, `invalid JSON at column ${col}: ${msg.replace(/ in JSON at position \d+.*$/, '')}`);
  }
}

/**
 * Resolves the input paths of an importer: folders are expanded to their files; each role is matched by a test on
 * the file name. A required role with no match is an InputError naming what was expected.
 */
export function resolveInputs<R extends string>(
  paths: string[],
  roles: { role: R; test: (name: string) => boolean; required: boolean; describe: string }[],
): Record<R, string | undefined> {
  const files: string[] = [];
  for (const p of paths) {
    if (!existsSync(p)) throw new InputError(p, null, null, 'file or folder not found');
    if (statSync(p).isDirectory()) for (const f of readdirSync(p).sort()) files.push(join(p, f));
    else files.push(p);
  }
  const out = {} as Record<R, string | undefined>;
  const used = new Set<string>();
  for (const r of roles) {
    const matches = files.filter((f) => !used.has(f) && r.test(basename(f)));
    if (matches.length > 1 && paths.some((p) => statSync(p).isDirectory())) {
      throw new InputError(paths.join(', '), null, null, `more than one ${r.describe}: ${matches.map((m) => basename(m)).join(', ')}; pass the files explicitly`);
    }
    const f = matches[0];
    if (f) used.add(f);
    else if (r.required) throw new InputError(paths.join(', '), null, null, `missing ${r.describe}`);
    out[r.role] = f;
  }
  return out;
}
