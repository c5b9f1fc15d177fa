/**
 * `semid` command line. Every command has --help; every command that reports something has --json (exactly one
 * JSON object on stdout; progress goes to stderr). The database is --db PATH, else $SEMID_DB, else the default file
 * in the user's data folder.
 */
import { parseArgs } from 'node:util';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { Command, CliContext, OptionSpec } from './command';
import { COMMANDS } from './commands/index';
import { toErrorInfo } from '../shared/errors';

export function defaultDbPath(): string {
  const base =
    process.platform === 'win32'
      ? (process.env.APPDATA ?? join(homedir(), 'AppData', 'Roaming'))
      : process.platform === 'darwin'
        ? join(homedir(), 'Library', 'Application Support')
        : (process.env.XDG_DATA_HOME ?? join(homedir(), '.local', 'share'));
  return join(base, 'semid-workbench', 'workbench.db');
}

const COMMON: Record<string, OptionSpec> = {
  db: { type: 'string', description: 'database file (default: $SEMID_DB or the user data folder)', valueName: 'PATH' },
  help: { type: 'boolean', short: 'h', description: 'show this help' },
};
const JSON_OPT: Record<string, OptionSpec> = {
  json: { type: 'boolean', description: 'print one JSON object on stdout' },
};

export function commandHelp(cmd: Command): string {
  const opts = { ...cmd.options, ...(cmd.json ? JSON_OPT : {}), ...COMMON };
  const lines = [`${cmd.summary}`, '', `Usage: ${cmd.usage}`, '', 'Options:'];
  for (const [name, o] of Object.entries(opts)) {
    const flag = `${o.short ? `-${o.short}, ` : '    '}--${name}${o.type === 'string' ? ` <${o.valueName ?? name}>` : ''}`;
    lines.push(`  ${flag.padEnd(34)} ${o.description}${o.default !== undefined ? ` (default: ${String(o.default)})` : ''}`);
  }
  if (cmd.details) lines.push('', cmd.details);
  return lines.join('\n');
}

function mainHelp(): string {
  const lines = ['SemID Workbench — build, audit and compare semantic IDs for generative retrieval.', '', 'Usage: semid <command> [options]', '', 'Commands:'];
  for (const c of COMMANDS) lines.push(`  ${c.name.padEnd(18)} ${c.summary}`);
  lines.push('', 'Run `semid <command> --help` for the options of one command.');
  return lines.join('\n');
}

export async function runCli(argv: string[], io: { out(s: string): void; err(s: string): void } = {
  out: (s) => process.stdout.write(s + '\n'),
  err: (s) => process.stderr.write(s + '\n'),
}): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    io.out(mainHelp());
    return name ? 0 : 1;
  }
  const cmd = COMMANDS.find((c) => c.name === name);
  if (!cmd) {
    io.err(`semid: unknown command "${name}"\n\n${mainHelp()}`);
    return 2;
  }
  const options = { ...cmd.options, ...(cmd.json ? JSON_OPT : {}), ...COMMON };
  let parsed;
  try {
    parsed = parseArgs({ args: rest, options, allowPositionals: true, strict: true });
  } catch (e) {
    // --json callers parse stdout: give them the one object there too.
    if (cmd.json && rest.includes('--json')) io.out(JSON.stringify({ ok: false, error: { name: 'UsageError', message: (e as Error).message } }));
    io.err(`semid ${cmd.name}: ${(e as Error).message}\n\n${commandHelp(cmd)}`);
    return 2;
  }
  if (parsed.values.help) {
    io.out(commandHelp(cmd));
    return 0;
  }
  const json = Boolean(parsed.values.json);
  const ctx: CliContext = {
    dbPath: (parsed.values.db as string | undefined) ?? process.env.SEMID_DB ?? defaultDbPath(),
    json,
    out: io.out,
    err: io.err,
  };
  try {
    return await cmd.run(parsed, ctx);
  } catch (e) {
    const info = toErrorInfo(e);
    // A stack trace is for developers: set SEMID_DEBUG=1 to get it (on stderr and in the --json error).
    const debug = Boolean(process.env.SEMID_DEBUG);
    if (!debug) delete info.stack;
    if (json) io.out(JSON.stringify({ ok: false, error: info }));
    io.err(`semid ${cmd.name}: ${info.message}`);
    if (debug && info.stack) io.err(info.stack);
    return 1;
  }
}

// Entry point when run as a program (bin/semid.mjs imports this module).
const isMain = process.argv[1] && /semid(\.mjs)?$|cli[\\/]main\.ts$/.test(process.argv[1]);
if (isMain) {
  runCli(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (e: unknown) => {
      process.stderr.write(String(e) + '\n');
      process.exitCode = 1;
    },
  );
}
