/** The package root (the folder holding package.json). */
export const ROOT: string;
/** Path of a fresh esbuild bundle of `entry` (relative to the package root), or null when it cannot be built. */
export function bundled(name: string, entry: string): string | null;
