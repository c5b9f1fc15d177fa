/** Typed arrays ↔ base64 for JSON run data and API payloads (little-endian, as every supported platform is). */

export function toBase64(a: ArrayBufferView): string {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString('base64');
}

/** Copies into a fresh, aligned Float32Array (a Buffer's own offset may not be a multiple of 4). */
export function float32FromBase64(s: string): Float32Array {
  const buf = Buffer.from(s, 'base64');
  const out = new Float32Array(buf.byteLength / 4);
  new Uint8Array(out.buffer).set(buf);
  return out;
}
