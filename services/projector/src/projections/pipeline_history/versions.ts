import type { HandlerContext } from '../../engine/types.ts';

/** A history table as the batch reads and writes it: its columns with their SQL types. */
export type HistoryTable = {
  name: string;
  columns: readonly (readonly [string, string])[];
  /** The entity a row belongs to (lead, stage), and the column that is null while the row is open. */
  key: string;
  end: string;
  primaryKey: readonly string[];
};

type Row = Record<string, unknown>;

/**
 * The open rows of some entities (read once), the rows a batch makes, and the open rows it closes:
 * every row to write, by primary key. An entity normally has one open row; several (an impossible
 * history) are kept as the per-event statements kept them, so that the next version fails the same way.
 */
export class Versions<R extends Row> {
  private readonly open = new Map<string, R[]>();
  readonly written = new Map<string, R>();

  constructor(private readonly table: HistoryTable) {}

  load(rows: R[]): void {
    for (const row of rows) this.openRows(String(row[this.table.key])).push(row);
  }

  current(key: string): readonly R[] {
    return this.open.get(key) ?? [];
  }

  /** Ends every open row of the entity at `at`; returns them. */
  close(key: string, at: string): R[] {
    const rows = this.open.get(key) ?? [];
    this.open.delete(key);
    for (const row of rows) {
      (row as Row)[this.table.end] = at;
      this.written.set(this.primaryKey(row), row);
    }
    return rows;
  }

  /** Adds an open row; a primary key already made (or open) fails as the INSERT did. */
  add(row: R): void {
    const pk = this.primaryKey(row);
    const key = String(row[this.table.key]);
    if (this.written.has(pk) || this.current(key).some((r) => this.primaryKey(r) === pk)) {
      throw new Error(`duplicate key value violates unique constraint of ${this.table.name}: (${this.table.primaryKey.join(', ')}) = (${pk})`);
    }
    this.openRows(key).push(row);
    this.written.set(pk, row);
  }

  private openRows(key: string): R[] {
    let rows = this.open.get(key);
    if (!rows) this.open.set(key, (rows = []));
    return rows;
  }

  private primaryKey(row: R): string {
    return this.table.primaryKey.map((c) => String(row[c])).join(', ');
  }
}

/** Exact as text: timestamps keep their microseconds, numerics their digits. */
const asText = (type: string) => type === 'timestamptz' || type === 'numeric';

/** The open rows of the given entities, in one statement. */
export async function readOpen<R extends Row>(ctx: HandlerContext, table: HistoryTable, keys: Iterable<string>): Promise<R[]> {
  const ids = [...new Set(keys)];
  if (ids.length === 0) return [];
  const select = table.columns.map(([c, type]) => (asText(type) ? `${c}::text AS ${c}` : c)).join(', ');
  const { rows } = await ctx.db.query<R>(`SELECT ${select} FROM ${ctx.table(table.name)} WHERE ${table.key} = ANY($1::uuid[]) AND ${table.end} IS NULL`, [ids]);
  return rows;
}

/** Writes the batch's rows in one statement: new rows are inserted, the closed open rows get their end. */
export async function writeRows(ctx: HandlerContext, table: HistoryTable, rows: Iterable<Row>): Promise<void> {
  const list = [...rows];
  if (list.length === 0) return;
  const names = table.columns.map(([c]) => c).join(', ');
  await ctx.db.query(
    `INSERT INTO ${ctx.table(table.name)} (${names})
     SELECT ${names} FROM jsonb_to_recordset($1::jsonb) AS r(${table.columns.map(([c, type]) => `${c} ${type}`).join(', ')})
     ON CONFLICT (${table.primaryKey.join(', ')}) DO UPDATE SET ${table.end} = EXCLUDED.${table.end}`,
    [JSON.stringify(list)],
  );
}
