import { CONVERSION_ALL_OWNERS as ALL_OWNERS, CONVERSION_NO_STAGE as NO_STAGE } from '@leadline/contracts';
import type { HandlerContext } from '../../engine/types.ts';

/** The UTC day of an instant, as the rollups key it. */
export const utcDay = (ms: number): string => new Date(ms).toISOString().slice(0, 10);

/** Owner keys a fact is counted under: every owner, and its owner when it has one. */
const ownerKeys = (ownerId: string | null): string[] => (ownerId ? [ALL_OWNERS, ownerId] : [ALL_OWNERS]);

type Counts = Map<string, number>;

function bump(counts: Counts, key: string): void {
  counts.set(key, (counts.get(key) ?? 0) + 1);
}

/** A batch's entries and ended stays, counted in memory and added to the rollup tables with one statement each. */
export class Rollups {
  private readonly entries: Counts = new Map();
  private readonly stays: Counts = new Map();

  /** One entry into `stageId` (from `fromStageId`, or none) on `day`. */
  entry(e: { pipelineId: string; ownerId: string | null; day: string; fromStageId: string | null; stageId: string }): void {
    for (const owner of ownerKeys(e.ownerId)) bump(this.entries, [e.pipelineId, owner, e.day, e.fromStageId ?? NO_STAGE, e.stageId].map(lower).join('|'));
  }

  /** One stay in `stageId` that ended on `day` after `bucket` (contracts' stayLengthBucket). */
  stay(s: { pipelineId: string; ownerId: string | null; day: string; stageId: string; bucket: number }): void {
    for (const owner of ownerKeys(s.ownerId)) bump(this.stays, [s.pipelineId, owner, s.day, s.stageId, s.bucket].map(lower).join('|'));
  }

  async write(ctx: HandlerContext): Promise<void> {
    await writeEntries(ctx, this.entries);
    await writeStays(ctx, this.stays);
  }
}

/** Keys as PostgreSQL stores them: two spellings of one uuid are one row. */
const lower = (part: string | number): string => String(part).toLowerCase();

const columns = (counts: Counts, width: number): string[][] => {
  const out: string[][] = Array.from({ length: width + 1 }, () => []);
  for (const [key, n] of counts) {
    key.split('|').forEach((part, i) => out[i].push(part));
    out[width].push(String(n));
  }
  return out;
};

/** Adds counts to a rollup table: key columns (with their SQL types) and the count column. */
const writeCounts =
  (table: string, keys: readonly (readonly [string, string])[], count: string) =>
  async (ctx: HandlerContext, counts: Counts): Promise<void> => {
    if (counts.size === 0) return;
    const names = keys.map(([name]) => name).join(', ');
    await ctx.db.query(
      `INSERT INTO ${ctx.table(table)} AS t (${names}, ${count})
       SELECT * FROM unnest(${keys.map(([, type], i) => `$${i + 1}::${type}[]`).join(', ')}, $${keys.length + 1}::int[])
       ON CONFLICT (${names}) DO UPDATE SET ${count} = t.${count} + EXCLUDED.${count}`,
      columns(counts, keys.length),
    );
  };

const writeEntries = writeCounts('conversion_entries', [['pipeline_id', 'uuid'], ['owner_key', 'uuid'], ['day', 'date'], ['from_key', 'uuid'], ['stage_id', 'uuid']], 'entries');
const writeStays = writeCounts('conversion_stay_lengths', [['pipeline_id', 'uuid'], ['owner_key', 'uuid'], ['day', 'date'], ['stage_id', 'uuid'], ['bucket', 'smallint']], 'stays');
