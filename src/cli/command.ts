/** The shape of one CLI command. Commands are thin: parse flags, call src/node services, print. */
import type { ParseArgsConfig } from 'node:util';

export type OptionSpec = NonNullable<ParseArgsConfig['options']>[string] & { description: string; valueName?: string };

export interface ParsedArgs {
  values: Record<string, string | boolean | (string | boolean)[] | undefined>;
  positionals: string[];
}

export interface Command {
  name: string;
  summary: string;
  /** e.g. "semid import <format> <path...> [options]" */
  usage: string;
  /** Longer help text (examples, formats). */
  details?: string;
  options: Record<string, OptionSpec>;
  /** Whether the command reports something and so accepts --json. */
  json: boolean;
  run(args: ParsedArgs, ctx: CliContext): Promise<number>;
}

export interface CliContext {
  /** Resolved database path (--db, SEMID_DB, or the default in the user's data folder). */
  dbPath: string;
  json: boolean;
  /** stdout for results (one JSON object when --json). */
  out(text: string): void;
  /** stderr for progress and diagnostics (never pollutes --json output). */
  err(text: string): void;
}
