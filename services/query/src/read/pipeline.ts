import type { BoardColumn, LeadCard, StageDto } from '@leadline/contracts';
import { NotFoundError, ValidationError } from '@leadline/platform';
import type pg from 'pg';
import type { BoardFilter } from '@leadline/contracts';
import type { LeadFieldView } from '../fields/policyCache.ts';
import { boardFilterSql, isFiltered } from './boardFilter.ts';
import { decodeColumnCursor, encodeColumnCursor } from './cursor.ts';
import { CARD_COLUMNS, STAGE_COLUMNS, toLeadCard, toStageDto, type CardRow, type StageRow } from './rows.ts';
import { visibilitySql, type Scope } from './visibility.ts';

export type StageTotals = { stageId: string; name: string; count: number; totalValue: number; weightedValue: number };

/** The given pipeline, or the default one; 404 when there is none. */
export async function resolvePipeline(pool: pg.Pool, pipelineId: string | undefined): Promise<string> {
  const { rows } = pipelineId
    ? await pool.query<{ id: string }>('SELECT id FROM read.pipelines WHERE id = $1::uuid', [pipelineId])
    : await pool.query<{ id: string }>('SELECT id FROM read.pipelines WHERE is_default ORDER BY created_at, id LIMIT 1');
  if (!rows[0]) throw new NotFoundError(pipelineId ? `No pipeline ${pipelineId}` : 'No default pipeline yet');
  return rows[0].id;
}

export async function listStages(pool: pg.Pool, pipelineId: string): Promise<StageDto[]> {
  const { rows } = await pool.query<StageRow>(`SELECT ${STAGE_COLUMNS} FROM read.stages s WHERE s.pipeline_id = $1::uuid ORDER BY s.order_position, s.id`, [
    pipelineId,
  ]);
  return rows.map(toStageDto);
}

/**
 * Per-stage count and sums for the stages of the given pipelines and the given stages. Everyone
 * who sees all leads reads the stage_totals projection; a scoped rep gets sums over their own
 * visible leads, weighted by the lead's probability or else the stage's. A board filter makes
 * everyone's sums come from read.leads too, over the matching leads only.
 */
export async function stageTotals(
  pool: pg.Pool,
  scope: Scope,
  where: { pipelineIds?: string[]; stageIds?: string[] },
  filter: BoardFilter = {},
  fields: LeadFieldView | null = null,
): Promise<StageTotals[]> {
  const params: unknown[] = [where.pipelineIds ?? [], where.stageIds ?? []];
  const stages = '(s.pipeline_id = ANY($1::uuid[]) OR s.id = ANY($2::uuid[]))';
  const sql =
    scope.kind === 'all' && !isFiltered(filter)
      ? `SELECT s.id AS stage_id, s.name, COALESCE(t.lead_count, 0)::int AS count, COALESCE(t.total_value, 0)::numeric AS total_value,
           COALESCE(t.weighted_value, 0)::numeric AS weighted_value
         FROM read.stages s LEFT JOIN read.stage_totals t ON t.stage_id = s.id
         WHERE ${stages} ORDER BY s.pipeline_id, s.order_position, s.id`
      : `SELECT s.id AS stage_id, s.name, count(l.id)::int AS count, COALESCE(sum(l.deal_value), 0)::numeric AS total_value,
           round(COALESCE(sum(l.deal_value * COALESCE(l.probability, s.probability) / 100.0), 0), 2) AS weighted_value
         FROM read.stages s LEFT JOIN read.leads l ON l.stage_id = s.id AND ${visibilitySql(scope, 'l', params)} AND ${boardFilterSql(filter, 'l', params, fields)}
         WHERE ${stages}
         GROUP BY s.id, s.name, s.pipeline_id, s.order_position ORDER BY s.pipeline_id, s.order_position, s.id`;
  const { rows } = await pool.query<{ stage_id: string; name: string; count: number; total_value: number; weighted_value: number }>(sql, params);
  return rows.map((r) => ({ stageId: r.stage_id, name: r.name, count: Number(r.count), totalValue: Number(r.total_value), weightedValue: Number(r.weighted_value) }));
}

/** Every column of a pipeline with its first `limit` cards: one query for the totals, one for all first pages. */
export async function boardColumns(pool: pg.Pool, scope: Scope, pipelineId: string, limit: number, filter: BoardFilter, fields: LeadFieldView): Promise<BoardColumn[]> {
  const stages = await listStages(pool, pipelineId);
  if (stages.length === 0) return [];
  const params: unknown[] = [pipelineId, limit + 1];
  const visible = `${visibilitySql(scope, 'l', params)} AND ${boardFilterSql(filter, 'l', params, fields)}`;
  const [totals, cards] = await Promise.all([
    stageTotals(pool, scope, { pipelineIds: [pipelineId] }, filter, fields),
    pool.query<CardRow>(
      `SELECT c.*, u.name AS owner_name
       FROM read.stages s
       CROSS JOIN LATERAL (
         SELECT l.id, l.pipeline_id, l.stage_id, l.rank, l.first_name, l.last_name, l.company, l.deal_value, l.owner_id, l.version, l.updated_at, l.touched_at
         FROM read.leads l
         WHERE l.stage_id = s.id AND ${visible}
         ORDER BY l.rank COLLATE "C", l.id
         LIMIT $2
       ) c
       LEFT JOIN read.users u ON u.id = c.owner_id
       WHERE s.pipeline_id = $1::uuid`,
      params,
    ),
  ]);
  const byStage = new Map<string, CardRow[]>();
  for (const row of cards.rows) {
    const list = byStage.get(row.stage_id) ?? [];
    list.push(row);
    byStage.set(row.stage_id, list);
  }
  const totalsByStage = new Map(totals.map((t) => [t.stageId, t]));
  return stages.map((stage) => {
    const rows = sortCards(byStage.get(stage.id) ?? []);
    const page = rows.slice(0, limit);
    const t = totalsByStage.get(stage.id);
    return { ...stage, count: t?.count ?? 0, totalValue: t?.totalValue ?? 0, weightedValue: t?.weightedValue ?? 0, cards: page.map(toLeadCard), nextCursor: nextColumnCursor(rows, page, limit) };
  });
}

/** The page of one column after the cursor; a cursor of another column is refused. */
export async function columnPage(
  pool: pg.Pool,
  scope: Scope,
  stageId: string,
  cursor: string,
  limit: number,
  filter: BoardFilter,
  fields: LeadFieldView,
): Promise<{ cards: LeadCard[]; nextCursor: string | null }> {
  const after = decodeColumnCursor(cursor);
  if (after.stageId !== stageId) {
    throw new ValidationError('cursor belongs to another column', [{ field: 'querystring.cursor', message: 'belongs to another column' }]);
  }
  const stage = await pool.query('SELECT 1 FROM read.stages WHERE id = $1::uuid', [stageId]);
  if (stage.rowCount === 0) throw new NotFoundError(`No stage ${stageId}`);
  const params: unknown[] = [stageId, after.rank, after.id, limit + 1];
  const visible = `${visibilitySql(scope, 'l', params)} AND ${boardFilterSql(filter, 'l', params, fields)}`;
  const { rows } = await pool.query<CardRow>(
    `SELECT ${CARD_COLUMNS} FROM read.leads l LEFT JOIN read.users u ON u.id = l.owner_id
     WHERE l.stage_id = $1::uuid AND (l.rank COLLATE "C", l.id) > ($2::text COLLATE "C", $3::uuid) AND ${visible}
     ORDER BY l.rank COLLATE "C", l.id
     LIMIT $4`,
    params,
  );
  const page = rows.slice(0, limit);
  return { cards: page.map(toLeadCard), nextCursor: nextColumnCursor(rows, page, limit) };
}

/** Orders cards as the column does (bytewise rank, then id), independent of the row order of a join. */
const sortCards = (rows: CardRow[]): CardRow[] =>
  [...rows].sort((a, b) => (a.rank < b.rank ? -1 : a.rank > b.rank ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0));

function nextColumnCursor(rows: CardRow[], page: CardRow[], limit: number): string | null {
  const last = page[page.length - 1];
  return rows.length > limit && last ? encodeColumnCursor({ stageId: last.stage_id, rank: last.rank, id: last.id }) : null;
}
