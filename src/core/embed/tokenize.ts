/**
 * Tokenizer of the built-in embedder: lowercase (NFKC), runs of Unicode letters/digits, English stopwords dropped,
 * model numbers kept. "Stanley TRA708T 1/2-Inch T-50" → stanley, tra708t, inch, 12inch, t, 50, t50 minus the
 * one-letter/one-digit pieces: model numbers such as "T-50" are emitted both split and joined ("t50") because
 * catalogs spell them either way.
 */

// A compact English stopword list (function words plus catalog filler such as "pack", "count" would hurt recall on
// quantities, so only grammatical words are dropped).
const STOPWORD_LIST =
  'a an and are as at be but by for from has have he her his i if in into is it its of on or our she so than that the ' +
  'their them then there these they this those to was we were what when where which while who will with without you ' +
  'your yours can could do does did not no nor only own same too very just should now also any each few more most ' +
  'other some such both all am been being after again against before below between down during further here how ' +
  'once out over through under until up why about above off my me us him itself themselves ourselves';

export const STOPWORDS: ReadonlySet<string> = new Set(STOPWORD_LIST.split(' '));

const TOKEN_RE = /[\p{L}\p{N}]+(?:[-/.][\p{L}\p{N}]+)*/gu;
const PART_RE = /[-/.]/;
const HAS_DIGIT = /\p{N}/u;
const HAS_LETTER = /\p{L}/u;

function keepPart(p: string): boolean {
  if (p.length >= 2) return !STOPWORDS.has(p);
  return false;
}

/** Appends the tokens of `text` to `out` (and returns it). */
export function tokenize(text: string, out: string[] = []): string[] {
  if (!text) return out;
  const lower = text.normalize('NFKC').toLowerCase();
  for (const m of lower.matchAll(TOKEN_RE)) {
    const tok = m[0];
    if (!PART_RE.test(tok)) {
      if (keepPart(tok)) out.push(tok);
      continue;
    }
    const parts = tok.split(PART_RE);
    for (const p of parts) if (keepPart(p)) out.push(p);
    // A compound with letters and digits is a model number or a size ("t-50", "1/2-inch"): keep it whole too.
    if (HAS_DIGIT.test(tok) && HAS_LETTER.test(tok)) out.push(parts.join(''));
  }
  return out;
}
