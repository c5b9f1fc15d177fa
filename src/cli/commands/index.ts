/** The command registry: one line per command module. */
import type { Command } from '../command';
import { importCommand } from './import';
import { datasetsCommand } from './datasets';
import { serveCommand } from './serve';
import { startCommand } from './start';

export const COMMANDS: Command[] = [
  importCommand,
  datasetsCommand,
  serveCommand,
  startCommand,
];
