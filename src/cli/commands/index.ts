/** The command registry: one line per command module. */
import type { Command } from '../command';

export const COMMANDS: Command[] = [];
