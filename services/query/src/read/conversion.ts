import { CONVERSION_ALL_OWNERS as ALL_OWNERS, CONVERSION_NO_STAGE as NO_STAGE, stayLengthQuantile, type ConversionRates } from '@leadline/contracts';
import type pg from 'pg';

/** Where a won stage sits when stages are compared: after every open stage. */
const WON_POSITION = 1_000_000;
const DAY_MS = 86_400_000;

type Window = { pipelineId: string; from: string; to: string; ownerId: string | null };
type StageRow = { id: string; name: string; is_won: boolean; is_lost: boolean; order_position: number };

/** The days a window can name: PostgreSQL's dates have no year 0, and ISO strings four-digit years. */
const FIRST_DAY = Date.parse('0001-01-01T00:00:00Z');
const LAST_DAY = Date.parse('9999-12-31T00:00:00Z');

/** The window in whole UTC days: from down to its day's start, to up to the next (a to at midnight stays). */
export function dayWindow(from: string, to: string): { from: string; to: string } {
  const clamp = (ms: number) => Math.min(LAST_DAY, Math.max(FIRST_DAY, ms));
  const start = clamp(Math.floor(Date.parse(from) / DAY_MS) * DAY_MS);
  const end = clamp(Math.max(Math.ceil(Date.parse(to) / DAY_MS) * DAY_MS, start + DAY_MS));
  return { from: new Date(start).toISOString(), to: new Date(end).toISOString() };
}

/**
 * Stage-to-stage conversion from the `conversion` projection, as documented in docs/pipelines.md:
 * the cohort is every lead that entered the pipeline within the window (whole UTC days); a lead
 * "reached" a stage when by the window's end it had entered that stage or any later open or won
 * one (a skip passes through the skipped stages, a step back never un-reaches anything). Entries,
 * transitions, closings and stay lengths come from per-day rollups; stage order and kinds are today's.
 */
export async function conversionRates(pool: pg.Pool, requested: Window): Promise<Omit<ConversionRates, 'checkpoint' | 'stale'>> {
  const w = { ...requested, ...dayWindow(requested.from, requested.to) };
  const ownerKey = w.ownerId ?? ALL_OWNERS;
  const days = [w.pipelineId, w.from.slice(0, 10), w.to.slice(0, 10), ownerKey];
  const [stages, cohort, pairs, lengths] = await Promise.all([
    pool.query<StageRow>('SELECT id, name, is_won, is_lost, order_position FROM read.stages WHERE pipeline_id = $1::uuid ORDER BY is_lost, is_won, order_position, id', [w.pipelineId]),
    // Per set of stages reached: most leads reached their last new stage before the window's end
    // (`reached` as stored); the others have their reach cut at the end.
    pool.query<{ reached: string[]; leads: number }>(
      `WITH c AS (SELECT * FROM read.conversion_leads l WHERE l.pipeline_id = $1::uuid AND l.entered_at >= $2::timestamptz AND l.entered_at < $3::timestamptz
                    AND ($4::uuid IS NULL OR l.entry_owner_id = $4::uuid))
       SELECT reached, count(*)::int AS leads FROM (
         SELECT reached FROM c WHERE reached_through < $3::timestamptz
         UNION ALL
         SELECT ARRAY(SELECT e.key::uuid FROM jsonb_each_text(c.reach) e WHERE e.value::timestamptz < $3::timestamptz) FROM c WHERE reached_through >= $3::timestamptz
       ) x GROUP BY reached`,
      [w.pipelineId, w.from, w.to, w.ownerId],
    ),
    pool.query<{ from_key: string; stage_id: string; count: number }>(
      `SELECT from_key, stage_id, sum(entries)::int AS count FROM read.conversion_entries
       WHERE pipeline_id = $1::uuid AND owner_key = $4::uuid AND day >= $2::date AND day < $3::date GROUP BY from_key, stage_id`,
      days,
    ),
    pool.query<{ stage_id: string; bucket: number; stays: number }>(
      `SELECT stage_id, bucket, sum(stays)::int AS stays FROM read.conversion_stay_lengths
       WHERE pipeline_id = $1::uuid AND owner_key = $4::uuid AND day >= $2::date AND day < $3::date GROUP BY stage_id, bucket`,
      days,
    ),
  ]);
  const stageBy = new Map(stages.rows.map((s) => [s.id, s]));
  const position = (s: StageRow) => (s.is_won ? WON_POSITION : s.order_position);

  // reached(stage) = cohort leads that reached it or a later open/won stage.
  let cohortSize = 0;
  const furthest = new Map<number, number>(); // furthest position reached → leads
  for (const r of cohort.rows) {
    cohortSize += r.leads;
    const positions = r.reached.map((id) => stageBy.get(id)).filter((s): s is StageRow => s !== undefined && !s.is_lost).map(position);
    if (positions.length === 0) continue;
    const top = Math.max(...positions);
    furthest.set(top, (furthest.get(top) ?? 0) + r.leads);
  }
  const reachedBy = new Map<string, number>();
  for (const s of stages.rows) {
    if (s.is_lost) continue;
    let n = 0;
    for (const [pos, leads] of furthest) if (pos >= position(s)) n += leads;
    reachedBy.set(s.id, n);
  }

  const entriesBy = new Map<string, { entries: number; backward: number }>();
  const lostCount = new Map<string, number>();
  const transitions: { fromStageId: string; toStageId: string; count: number }[] = [];
  let won = 0;
  let lost = 0;
  for (const p of pairs.rows) {
    const to = stageBy.get(p.stage_id);
    const fromId = p.from_key === NO_STAGE ? null : p.from_key;
    const from = fromId === null ? undefined : stageBy.get(fromId);
    if (to) {
      const e = entriesBy.get(p.stage_id) ?? { entries: 0, backward: 0 };
      e.entries += p.count;
      if (from && position(from) > position(to)) e.backward += p.count;
      entriesBy.set(p.stage_id, e);
      if (to.is_won) won += p.count;
      if (to.is_lost) lost += p.count;
    }
    if (fromId === null) continue;
    if (to?.is_lost) lostCount.set(fromId, (lostCount.get(fromId) ?? 0) + p.count);
    transitions.push({ fromStageId: fromId, toStageId: p.stage_id, count: p.count });
  }
  const byId = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  transitions.sort((a, b) => b.count - a.count || byId(a.fromStageId, b.fromStageId) || byId(a.toStageId, b.toStageId));

  const histograms = new Map<string, Map<number, number>>();
  for (const l of lengths.rows) {
    const h = histograms.get(l.stage_id) ?? new Map<number, number>();
    h.set(Number(l.bucket), l.stays);
    histograms.set(l.stage_id, h);
  }
  const round = (n: number | null | undefined, digits = 1) => (n == null ? null : Math.round(n * 10 ** digits) / 10 ** digits);
  const daysAt = (stageId: string, p: number) => {
    const h = histograms.get(stageId);
    const seconds = h ? stayLengthQuantile(h, p) : null;
    return seconds === null ? null : round(seconds / 86_400);
  };

  const funnel = stages.rows.filter((s) => !s.is_lost);
  const out = stages.rows.map((s) => {
    const i = funnel.findIndex((f) => f.id === s.id);
    const next = i >= 0 && !s.is_won ? funnel[i + 1] : undefined;
    const here = reachedBy.get(s.id) ?? 0;
    return {
      stageId: s.id,
      name: s.name,
      isWon: s.is_won,
      isLost: s.is_lost,
      reached: s.is_lost ? (entriesBy.get(s.id)?.entries ?? 0) : here,
      conversionToNext: next && here > 0 ? round((reachedBy.get(next.id) ?? 0) / here, 4) : null,
      entries: entriesBy.get(s.id)?.entries ?? 0,
      backwardEntries: entriesBy.get(s.id)?.backward ?? 0,
      medianDays: daysAt(s.id, 0.5),
      p90Days: daysAt(s.id, 0.9),
      lostFrom: lostCount.get(s.id) ?? 0,
    };
  });
  const mostLost = [...lostCount].sort((a, b) => b[1] - a[1] || byId(a[0], b[0]))[0];
  return {
    pipelineId: w.pipelineId,
    from: w.from,
    to: w.to,
    ownerId: w.ownerId,
    cohort: cohortSize,
    stages: out,
    won,
    lost,
    winRate: won + lost > 0 ? round(won / (won + lost), 4) : null,
    mostLostStageId: mostLost?.[0] ?? null,
    transitions,
  };
}
