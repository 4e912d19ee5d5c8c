import crypto from 'node:crypto';
import type pg from 'pg';
import { completeLeadFields, createLeadBody, eventDataSchemas } from '@leadline/contracts';
import { rankBetween } from '@leadline/command';
import { notifyAppended, sealEvents, type Keyring } from '@leadline/eventstore';
import type { PlannedCommand, PlanStage } from './plan.ts';

type LeadRow = { stageId: string; rank: string; ownerId: string | null; dealValue: number | null; lostReason: string | null; version: number };

/** Min (rank, id) per stage with lazy deletion: the card `topRankInStage` would read from a caught-up read model. */
class TopOfColumn {
  private heaps = new Map<string, [string, string][]>();
  constructor(private readonly leads: Map<string, LeadRow>) {}
  private static less(a: [string, string], b: [string, string]) {
    return a[0] < b[0] || (a[0] === b[0] && a[1] < b[1]);
  }
  add(stageId: string, rank: string, id: string) {
    const h = this.heaps.get(stageId) ?? [];
    this.heaps.set(stageId, h);
    h.push([rank, id]);
    for (let i = h.length - 1; i > 0; ) {
      const p = (i - 1) >> 1;
      if (!TopOfColumn.less(h[i], h[p])) break;
      [h[i], h[p]] = [h[p], h[i]];
      i = p;
    }
  }
  top(stageId: string): string | null {
    const h = this.heaps.get(stageId);
    while (h && h.length > 0) {
      const [rank, id] = h[0];
      const lead = this.leads.get(id);
      if (lead && lead.stageId === stageId && lead.rank === rank) return rank;
      const last = h.pop()!;
      if (h.length === 0) break;
      h[0] = last;
      for (let i = 0; ; ) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < h.length && TopOfColumn.less(h[l], h[m])) m = l;
        if (r < h.length && TopOfColumn.less(h[r], h[m])) m = r;
        if (m === i) break;
        [h[i], h[m]] = [h[m], h[i]];
        i = m;
      }
    }
    return null;
  }
}

export type BulkEvent = { eventId: string; streamId: string; streamVersion: number; type: string; data: unknown; metadata: Record<string, unknown> };

export type BulkContext = { pipelineId: string; stages: readonly PlanStage[]; actorId: string };

/**
 * Turns planned commands into exactly the events the command service appends for them when the
 * read model is caught up (the rules of the lead decider: top-of-column rank on create and on a
 * move without a usable neighbour, rank just under `afterLeadId` otherwise, `wonValue` into won,
 * no event for an assignment to the current owner, an assignment by hand records `via: 'manual'`). `datagen.int.spec.ts` proves the equality.
 */
export class EventSynthesizer {
  private readonly leads = new Map<string, LeadRow>();
  private readonly tops = new TopOfColumn(this.leads);
  private readonly stages: Map<string, PlanStage>;
  private readonly firstOpen: PlanStage;
  constructor(private readonly ctx: BulkContext) {
    this.stages = new Map(ctx.stages.map((s) => [s.id, s]));
    this.firstOpen = ctx.stages.find((s) => !s.isWon && !s.isLost)!;
  }

  private event(cmd: PlannedCommand, version: number, type: keyof typeof eventDataSchemas, data: unknown): BulkEvent {
    const eventId = crypto.randomUUID();
    const commandId = crypto.randomUUID();
    return {
      eventId,
      streamId: `lead-${cmd.leadId}`,
      streamVersion: version,
      type,
      data,
      metadata: { eventId, commandId, correlationId: commandId, causationId: commandId, actorId: this.ctx.actorId, occurredAt: new Date(cmd.at).toISOString(), schemaVersion: eventDataSchemas[type].version },
    };
  }

  events(cmd: PlannedCommand): BulkEvent[] {
    if (cmd.kind === 'create') {
      const { id, stageId, ownerId, pipelineId: _p, ...rest } = createLeadBody.parse(cmd.body);
      const stage = stageId ? this.stages.get(stageId)! : this.firstOpen;
      const rank = rankBetween(null, this.tops.top(stage.id));
      const fields = completeLeadFields(rest);
      this.leads.set(id!, { stageId: stage.id, rank, ownerId: ownerId ?? null, dealValue: fields.dealValue ?? null, lostReason: null, version: 1 });
      this.tops.add(stage.id, rank, id!);
      return [this.event(cmd, 1, 'LeadCreated', { leadId: id, pipelineId: this.ctx.pipelineId, stageId: stage.id, rank, ownerId: ownerId ?? null, fields })];
    }
    const lead = this.leads.get(cmd.leadId);
    if (!lead) throw new Error(`planned ${cmd.kind} of unknown lead ${cmd.leadId}`);
    if (cmd.kind === 'assign') {
      const ownerId = cmd.body.userId;
      if (lead.ownerId === ownerId) return [];
      const previousOwnerId = lead.ownerId;
      lead.ownerId = ownerId;
      lead.version++;
      return [this.event(cmd, lead.version, 'LeadAssigned', { leadId: cmd.leadId, previousOwnerId, ownerId, reason: cmd.body.reason ?? null, via: 'manual', ruleId: null, ruleName: null, matched: [] })];
    }
    const target = this.stages.get(cmd.body.stageId)!;
    if (target.id === lead.stageId) throw new Error('the plan never reorders within a stage');
    const above = cmd.body.afterLeadId ? this.leads.get(cmd.body.afterLeadId) : undefined;
    const rank = above && cmd.body.afterLeadId !== cmd.leadId && above.stageId === target.id ? rankBetween(above.rank, null) : rankBetween(null, this.tops.top(target.id));
    const fromStageId = lead.stageId;
    const lostReason = target.isLost ? cmd.body.lostReason ?? null : null;
    lead.stageId = target.id;
    lead.rank = rank;
    lead.lostReason = lostReason;
    lead.version++;
    this.tops.add(target.id, rank, cmd.leadId);
    return [
      this.event(cmd, lead.version, 'LeadMovedToStage', {
        leadId: cmd.leadId,
        pipelineId: this.ctx.pipelineId,
        fromStageId,
        toStageId: target.id,
        rank,
        lostReason,
        wonValue: target.isWon ? lead.dealValue : null,
      }),
    ];
  }
}

export type BulkResult = { commands: number; events: number; bytes: number; ms: number };

/**
 * Appends the events of the planned commands straight into `es.events` (and the stream versions
 * into `es.streams`), many per transaction: the bulk path for large datasets. Each batch is one
 * INSERT ... SELECT FROM unnest(...) in its own transaction, so readers see it as one commit.
 * Personal values are sealed as the sealing store seals them (`sealEvents`, one key query per
 * batch), so `keyring` must hold the master key of the services that will read them.
 */
export async function bulkAppend(
  pool: pg.Pool,
  keyring: Keyring,
  commands: Iterable<PlannedCommand>,
  ctx: BulkContext,
  options: { batchSize?: number; onProgress?: (done: BulkResult) => void | Promise<void> } = {},
): Promise<BulkResult> {
  const synth = new EventSynthesizer(ctx);
  const started = performance.now();
  const result: BulkResult = { commands: 0, events: 0, bytes: 0, ms: 0 };
  let batch: BulkEvent[] = [];
  const flush = async () => {
    if (batch.length === 0) return;
    const cols = { id: [] as string[], stream: [] as string[], version: [] as number[], type: [] as string[], data: [] as string[], meta: [] as string[] };
    const versions = new Map<string, number>();
    for (const e of await sealEvents(keyring, batch)) {
      const data = JSON.stringify(e.data);
      const meta = JSON.stringify(e.metadata);
      cols.id.push(e.eventId);
      cols.stream.push(e.streamId);
      cols.version.push(e.streamVersion);
      cols.type.push(e.type);
      cols.data.push(data);
      cols.meta.push(meta);
      versions.set(e.streamId, e.streamVersion);
      result.bytes += data.length + meta.length;
    }
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      await client.query(
        `INSERT INTO es.events (event_id, stream_id, stream_version, type, data, metadata)
         SELECT * FROM unnest($1::uuid[], $2::text[], $3::int[], $4::text[], $5::jsonb[], $6::jsonb[])`,
        [cols.id, cols.stream, cols.version, cols.type, cols.data, cols.meta],
      );
      await client.query(
        `INSERT INTO es.streams (stream_id, version) SELECT * FROM unnest($1::text[], $2::int[])
         ON CONFLICT (stream_id) DO UPDATE SET version = EXCLUDED.version`,
        [[...versions.keys()], [...versions.values()]],
      );
      await client.query('COMMIT');
      // Written past the adapter, so the wake-up it would send is ours to send (after the commit).
      await notifyAppended(client).catch(() => {});
    } catch (err) {
      await client.query('ROLLBACK').catch(() => {});
      throw err;
    } finally {
      client.release();
    }
    result.events += batch.length;
    batch = [];
    result.ms = performance.now() - started;
    await options.onProgress?.({ ...result });
  };
  for (const cmd of commands) {
    result.commands++;
    batch.push(...synth.events(cmd));
    if (batch.length >= (options.batchSize ?? 5000)) await flush();
  }
  await flush();
  result.ms = performance.now() - started;
  return result;
}
