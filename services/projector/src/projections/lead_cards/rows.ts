import type { HandlerContext } from '../../engine/types.ts';
import { leadFieldColumns } from './fields.ts';

/**
 * A `read.leads` row as the fold holds it: every value as PostgreSQL's text of it (numeric, date,
 * timestamptz and jsonb round-trip exactly that way) except the integers. `activity` holds the
 * stored activity_at and the activity times of the batch: the written activity_at is their
 * maximum, taken in SQL (times may carry any offset).
 */
export type LeadRow = { id: string; stage_id: string; version: number; activity: string[]; [column: string]: string | number | null | string[] };

const fieldTypes: Record<string, string> = { deal_value: 'numeric', expected_close_date: 'date', probability: 'int', custom_fields: 'jsonb' };

/** The written columns in order, with their types (touched_at is generated, activity_at derived). */
const columns: readonly [string, string][] = [
  ['id', 'uuid'],
  ['pipeline_id', 'uuid'],
  ['stage_id', 'uuid'],
  ['rank', 'text'],
  ...Object.values(leadFieldColumns).map((c): [string, string] => [c, fieldTypes[c] ?? 'text']),
  ['owner_id', 'uuid'],
  ['lost_reason', 'text'],
  ['won_at', 'timestamptz'],
  ['stage_entered_at', 'timestamptz'],
  ['version', 'int'],
  ['created_at', 'timestamptz'],
  ['updated_at', 'timestamptz'],
  ['forgotten_at', 'timestamptz'],
];

const selected = columns.map(([c, type]) => (type === 'int' ? c : `${c}::text AS ${c}`)).join(', ');

export async function readLeads(ctx: HandlerContext, ids: string[]): Promise<Map<string, LeadRow>> {
  const rows = new Map<string, LeadRow>();
  if (ids.length === 0) return rows;
  const result = await ctx.db.query<LeadRow & { activity_at: string | null }>(
    `SELECT ${selected}, activity_at::text AS activity_at FROM ${ctx.table('leads')} WHERE id = ANY($1::uuid[])`,
    [ids],
  );
  for (const { activity_at, ...row } of result.rows) rows.set(row.id, { ...row, activity: activity_at === null ? [] : [activity_at] });
  return rows;
}

/** One statement for every lead the batch touched: new ones inserted, the others rewritten whole. */
export async function writeLeads(ctx: HandlerContext, rows: LeadRow[]): Promise<void> {
  if (rows.length === 0) return;
  const names = columns.map(([c]) => c);
  const params: unknown[] = columns.map(([c]) => rows.map((r) => r[c]));
  params.push(rows.map((r) => JSON.stringify(r.activity)));
  const arrays = [...columns.map(([, type], i) => `$${i + 1}::${type}[]`), `$${columns.length + 1}::jsonb[]`];
  await ctx.db.query(
    `INSERT INTO ${ctx.table('leads')} (${names.join(', ')}, activity_at)
     SELECT ${names.map((c) => `u.${c}`).join(', ')}, (SELECT max(a::timestamptz) FROM jsonb_array_elements_text(u.activity) a)
     FROM unnest(${arrays.join(', ')}) AS u(${names.join(', ')}, activity)
     ON CONFLICT (id) DO UPDATE SET ${[...names.slice(1), 'activity_at'].map((c) => `${c} = EXCLUDED.${c}`).join(', ')}`,
    params,
  );
}

export async function readStages(ctx: HandlerContext, ids: string[]): Promise<Map<string, boolean>> {
  const stages = new Map<string, boolean>();
  if (ids.length === 0) return stages;
  const { rows } = await ctx.db.query<{ stage_id: string; is_won: boolean }>(`SELECT stage_id, is_won FROM ${ctx.table('lead_cards_stages')} WHERE stage_id = ANY($1::uuid[])`, [ids]);
  for (const row of rows) stages.set(row.stage_id, row.is_won);
  return stages;
}

export async function writeStages(ctx: HandlerContext, stages: Map<string, boolean>): Promise<void> {
  if (stages.size === 0) return;
  await ctx.db.query(
    `INSERT INTO ${ctx.table('lead_cards_stages')} (stage_id, is_won) SELECT * FROM unnest($1::uuid[], $2::boolean[])
     ON CONFLICT (stage_id) DO UPDATE SET is_won = EXCLUDED.is_won`,
    [[...stages.keys()], [...stages.values()]],
  );
}
