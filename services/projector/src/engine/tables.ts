import type { Projection, Queryable } from './types.ts';

export const READ_SCHEMA = 'read';

const quoted = (name: string): string => `"${name.replace(/"/g, '""')}"`;

export const physicalName = (table: string, suffix: string): string => `${READ_SCHEMA}.${quoted(`${table}__${suffix}`)}`;
export const generationSuffix = (generation: number): string => `g${generation}`;
export const viewName = (table: string): string => `${READ_SCHEMA}.${quoted(table)}`;

/** Maps a projection's logical table names to the physical tables of one generation (or the verify scratch tables). */
export function tableResolver(projection: Projection, suffix: string): (name: string) => string {
  const known = new Set(projection.tables.map((t) => t.name));
  return (name) => {
    if (!known.has(name)) throw new Error(`Projection ${projection.name} has no table ${name}`);
    return physicalName(name, suffix);
  };
}

/**
 * Creates the projection's tables for one generation. `deferIndexes`: only the lookup indexes now,
 * the readers' indexes later (`createReaderIndexes`), as a rebuild's bulk load is faster without them.
 */
export async function createTables(db: Queryable, projection: Projection, suffix: string, options: { deferIndexes?: boolean } = {}): Promise<void> {
  for (const table of projection.tables) {
    const physical = physicalName(table.name, suffix);
    for (const extension of table.extensions ?? []) await db.query(`CREATE EXTENSION IF NOT EXISTS ${quoted(extension)}`);
    await db.query(`DROP TABLE IF EXISTS ${physical}`);
    await db.query(table.ddl(physical));
    for (const index of table.lookupIndexes?.(physical) ?? []) await db.query(index);
    if (!options.deferIndexes) await createReaderIndexes(db, projection, suffix, table.name);
  }
}

/**
 * The readers' indexes of a generation, each named after its table and position so that building
 * them again (a crash while building them) skips those that exist.
 */
export async function createReaderIndexes(db: Queryable, projection: Projection, suffix: string, only?: string): Promise<void> {
  for (const table of projection.tables) {
    if (only !== undefined && table.name !== only) continue;
    const physical = physicalName(table.name, suffix);
    for (const [i, statement] of (table.indexes?.(physical) ?? []).entries()) {
      const named = statement.replace(/^CREATE (UNIQUE )?INDEX ON /, (_m, unique: string | undefined) => `CREATE ${unique ?? ''}INDEX IF NOT EXISTS ${quoted(`${table.name}__${suffix}_i${i}`)} ON `);
      if (named === statement) throw new Error(`Index of ${table.name} must start with "CREATE INDEX ON": ${statement}`);
      await db.query(named);
    }
  }
}

/**
 * Points every view of the projection at one generation. CREATE OR REPLACE keeps the view (and
 * anything granted on it) when the columns are unchanged; a changed column list needs drop and create,
 * still inside the caller's transaction so readers never see a missing view.
 */
export async function pointViews(db: Queryable, projection: Projection, generation: number): Promise<void> {
  for (const table of projection.tables) {
    const view = viewName(table.name);
    const source = physicalName(table.name, generationSuffix(generation));
    await db.query('SAVEPOINT point_view');
    try {
      await db.query(`CREATE OR REPLACE VIEW ${view} AS SELECT * FROM ${source}`);
      await db.query('RELEASE SAVEPOINT point_view');
    } catch {
      await db.query('ROLLBACK TO SAVEPOINT point_view');
      await db.query(`DROP VIEW IF EXISTS ${view}`);
      await db.query(`CREATE VIEW ${view} AS SELECT * FROM ${source}`);
    }
  }
}

/** Physical tables of the projection's generations that exist now, with their generation. */
export async function generationTables(db: Queryable, projection: Projection): Promise<{ table: string; generation: number }[]> {
  const { rows } = await db.query<{ tablename: string }>(`SELECT tablename FROM pg_tables WHERE schemaname = $1 AND tablename ~ $2`, [
    READ_SCHEMA,
    `^(${projection.tables.map((t) => escapeRegex(t.name)).join('|')})__g[0-9]+$`,
  ]);
  return rows.map((r) => ({ table: r.tablename, generation: Number(r.tablename.slice(r.tablename.lastIndexOf('__g') + 3)) }));
}

export const dropTable = (db: Queryable, table: string) => db.query(`DROP TABLE IF EXISTS ${READ_SCHEMA}.${quoted(table)}`);

const escapeRegex = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
