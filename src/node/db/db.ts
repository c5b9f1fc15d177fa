import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { MIGRATIONS, SCHEMA_VERSION } from './migrations';

export type Db = Database.Database;

export class SchemaTooNewError extends Error {
  constructor(path: string, found: number) {
    super(
      `${path}: database schema version ${found} was written by a newer SemID Workbench (this one understands up to ${SCHEMA_VERSION}); upgrade the workbench or use another --db`,
    );
    this.name = 'SchemaTooNewError';
  }
}

/**
 * Opens (creating if needed) a workbench database and migrates it to SCHEMA_VERSION.
 * WAL lets job children read while the host writes; the host is the only writer.
 */
export function openDb(path: string, opts: { readonly?: boolean } = {}): Db {
  if (!opts.readonly && path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const db = new Database(path, { readonly: opts.readonly ?? false, fileMustExist: opts.readonly ?? false });
  db.pragma('busy_timeout = 5000');
  const version = db.pragma('user_version', { simple: true }) as number;
  if (version > SCHEMA_VERSION) {
    db.close();
    throw new SchemaTooNewError(path, version);
  }
  if (opts.readonly) return db;
  db.pragma('journal_mode = WAL');
  db.pragma('foreign_keys = ON');
  db.pragma('synchronous = NORMAL');
  for (let v = version; v < SCHEMA_VERSION; v++) {
    db.transaction(() => {
      db.exec(MIGRATIONS[v]!);
      db.pragma(`user_version = ${v + 1}`);
    })();
  }
  return db;
}

export const nowIso = (): string => new Date().toISOString();
