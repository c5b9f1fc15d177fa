/** The command registry: one line per command module. */
import type { Command } from '../command';
import { importCommand } from './import';
import { datasetsCommand } from './datasets';
import { serveCommand } from './serve';
import { startCommand } from './start';
import { trainRetrieverCommand } from './train-retriever';
import { evalCommand } from './eval';
import { buildCommand } from './build';
import { auditCommand } from './audit';
import { embedCommand } from './embed';
import { demoCommand } from './demo';
import { runsCommand } from './runs';
import { benchCommand } from './bench';

export const COMMANDS: Command[] = [
  importCommand,
  datasetsCommand,
  serveCommand,
  startCommand,
  trainRetrieverCommand,
  evalCommand,
  buildCommand,
  auditCommand,
  embedCommand,
  demoCommand,
  runsCommand,
  benchCommand,
];
