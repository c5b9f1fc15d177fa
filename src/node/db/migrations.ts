/**
 * Numbered migrations keyed on PRAGMA user_version. Migration i (1-based) moves the schema from version i-1 to i.
 * Never edit a shipped migration: append a new one.
 */
export const MIGRATIONS: readonly string[] = [
  // 1: initial schema
  `
  CREATE TABLE datasets (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    format TEXT NOT NULL,
    source TEXT NOT NULL,
    query_kind TEXT NOT NULL CHECK (query_kind IN ('user','query')),
    created_at TEXT NOT NULL,
    config_json TEXT NOT NULL DEFAULT '{}'
  );
  CREATE TABLE items (
    dataset_id INTEGER NOT NULL REFERENCES datasets(id) ON DELETE CASCADE,
    idx INTEGER NOT NULL,
    ext_id TEXT NOT NULL,
    title TEXT NOT NULL,
    text TEXT NOT NULL DEFAULT '',
    brand TEXT NOT NULL DEFAULT '',
    category_id INTEGER,            -- leaf category node, NULL when unknown
    categories_json TEXT NOT NULL DEFAULT '[]',
    PRIMARY KEY (dataset_id, idx),
    UNIQUE (dataset_id, ext_id)
  ) WITHOUT ROWID;
  CREATE TABLE categories (
    dataset_id INTEGER NOT NULL REFERENCES datasets(id) ON DELETE CASCADE,
    id INTEGER NOT NULL,
    parent_id INTEGER,
    level INTEGER NOT NULL,
    name TEXT NOT NULL,
    path TEXT NOT NULL,
    items INTEGER NOT NULL,
    PRIMARY KEY (dataset_id, id)
  ) WITHOUT ROWID;
  CREATE TABLE queries (
    dataset_id INTEGER NOT NULL REFERENCES datasets(id) ON DELETE CASCADE,
    idx INTEGER NOT NULL,
    ext_id TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('user','query')),
    text TEXT NOT NULL DEFAULT '',
    split TEXT CHECK (split IN ('train','valid','test')),  -- query-level split (search data); NULL for users
    PRIMARY KEY (dataset_id, idx),
    UNIQUE (dataset_id, ext_id)
  ) WITHOUT ROWID;
  CREATE TABLE interactions (
    dataset_id INTEGER NOT NULL REFERENCES datasets(id) ON DELETE CASCADE,
    query_idx INTEGER NOT NULL,
    item_idx INTEGER NOT NULL,
    pos INTEGER NOT NULL,           -- order inside the query's sequence (0-based)
    ts INTEGER,                     -- unix seconds when known
    label TEXT,                     -- e.g. ESCI label
    split TEXT NOT NULL CHECK (split IN ('train','valid','test')),
    PRIMARY KEY (dataset_id, query_idx, pos)
  ) WITHOUT ROWID;
  CREATE INDEX interactions_item ON interactions(dataset_id, item_idx);
  CREATE TABLE embeddings (
    id INTEGER PRIMARY KEY,
    dataset_id INTEGER NOT NULL REFERENCES datasets(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    method TEXT NOT NULL,
    dim INTEGER NOT NULL,
    count INTEGER NOT NULL,
    data BLOB NOT NULL,             -- float32 little-endian, count x dim, item idx order
    config_json TEXT NOT NULL DEFAULT '{}',
    created_at TEXT NOT NULL,
    UNIQUE (dataset_id, name)
  );
  CREATE TABLE runs (
    id INTEGER PRIMARY KEY,
    dataset_id INTEGER REFERENCES datasets(id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    method TEXT NOT NULL,
    name TEXT NOT NULL,
    config_json TEXT NOT NULL DEFAULT '{}',
    status TEXT NOT NULL CHECK (status IN ('queued','running','succeeded','failed','cancelled','interrupted')),
    backend TEXT,
    created_at TEXT NOT NULL,
    started_at TEXT,
    finished_at TEXT,
    heartbeat_at TEXT,
    error TEXT,
    pid INTEGER,
    parent_run_id INTEGER REFERENCES runs(id) ON DELETE SET NULL,
    timings_json TEXT NOT NULL DEFAULT '{}',
    progress_json TEXT,
    result_json TEXT
  );
  CREATE TABLE run_metrics (
    run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    step INTEGER NOT NULL,
    name TEXT NOT NULL,
    value REAL NOT NULL,
    PRIMARY KEY (run_id, step, name)
  ) WITHOUT ROWID;
  CREATE TABLE run_logs (
    run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    at TEXT NOT NULL,
    level TEXT NOT NULL,
    message TEXT NOT NULL
  );
  CREATE INDEX run_logs_run ON run_logs(run_id);
  CREATE TABLE run_data (
    run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    key TEXT NOT NULL,
    value_json TEXT NOT NULL,
    PRIMARY KEY (run_id, key)
  ) WITHOUT ROWID;
  CREATE TABLE checkpoints (
    id INTEGER PRIMARY KEY,
    run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    step INTEGER NOT NULL,
    epoch INTEGER NOT NULL,
    meta_json TEXT NOT NULL DEFAULT '{}',
    data BLOB NOT NULL,
    created_at TEXT NOT NULL
  );
  CREATE INDEX checkpoints_run ON checkpoints(run_id, step);
  CREATE TABLE semantic_ids (
    run_id INTEGER PRIMARY KEY REFERENCES runs(id) ON DELETE CASCADE,
    dataset_id INTEGER NOT NULL REFERENCES datasets(id) ON DELETE CASCADE,
    layers INTEGER NOT NULL,
    codebook_sizes_json TEXT NOT NULL,
    items INTEGER NOT NULL,
    codes BLOB NOT NULL,            -- int32 little-endian, items x layers, item idx order
    collision_mode TEXT NOT NULL,
    created_at TEXT NOT NULL
  );
  CREATE TABLE audits (
    run_id INTEGER PRIMARY KEY REFERENCES runs(id) ON DELETE CASCADE,
    report_json TEXT NOT NULL,
    created_at TEXT NOT NULL
  );
  CREATE TABLE evaluations (
    id INTEGER PRIMARY KEY,
    run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    task TEXT NOT NULL,
    report_json TEXT NOT NULL,
    created_at TEXT NOT NULL
  );
  CREATE TABLE projections (
    id INTEGER PRIMARY KEY,
    dataset_id INTEGER NOT NULL REFERENCES datasets(id) ON DELETE CASCADE,
    run_id INTEGER REFERENCES runs(id) ON DELETE CASCADE,
    source TEXT NOT NULL,
    method TEXT NOT NULL,
    params_json TEXT NOT NULL DEFAULT '{}',
    coords BLOB NOT NULL,           -- float32 little-endian, items x 2
    created_at TEXT NOT NULL
  );
  `,
];

export const SCHEMA_VERSION = MIGRATIONS.length;
