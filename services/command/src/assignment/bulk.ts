import crypto from 'node:crypto';
import { BULK_ASSIGN_MAX, bulkAssignBody, type BulkAssignFilter, type BulkAssignLine, type BulkAssignResult } from '@leadline/contracts';
import { ConflictError, ForbiddenError, IllegalStateError, NotFoundError, ValidationError } from '@leadline/platform';
import type pg from 'pg';
import { requireWriter } from '../auth.ts';
import type { App, RouteDeps } from '../deps.ts';
import type { CommandMetadata } from '../events.ts';
import { handleCommand, parseIdempotencyKey } from '../handler.ts';
import { deterministicId } from '../ids.ts';
import { decide } from '../leads/decide.ts';
import { leadAggregate } from '../leads/lead.ts';
import { leadStream, loadUser } from '../reads.ts';
import { canOwnLeads, type UserState } from '../users/user.ts';
import { assertManager } from './decide.ts';
import { problems } from '../schemas.ts';

/** Leads worked on at once: enough to hide the store's round trips, few enough to leave room for everyone else. */
const CONCURRENCY = 8;
/** A progress line at most this often (and after the last lead). */
const PROGRESS_MS = 150;

/** Ids of the leads matching a board filter, oldest first (the command side reads the board's read model). */
export async function leadsMatching(pool: pg.Pool, f: BulkAssignFilter, limit: number): Promise<string[]> {
  const params: unknown[] = [];
  const p = (v: unknown) => {
    params.push(v);
    return `$${params.length}`;
  };
  const where: string[] = [];
  if (f.pipelineId) where.push(`l.pipeline_id = ${p(f.pipelineId)}::uuid`);
  if (f.stageId) where.push(`l.stage_id = ${p(f.stageId)}::uuid`);
  if (f.ownerId === 'none') where.push('l.owner_id IS NULL');
  else if (f.ownerId) where.push(`l.owner_id = ${p(f.ownerId)}::uuid`);
  if (f.source) where.push(`lower(l.source) = lower(${p(f.source)}::text)`);
  if (f.minValue !== undefined) where.push(`l.deal_value >= ${p(f.minValue)}::numeric`);
  if (f.maxValue !== undefined) where.push(`l.deal_value <= ${p(f.maxValue)}::numeric`);
  if (f.q) {
    const q = p(`%${f.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
    where.push(`((coalesce(l.first_name, '') || ' ' || coalesce(l.last_name, '')) ILIKE ${q} OR l.company ILIKE ${q} OR l.email ILIKE ${q})`);
  }
  if (f.openOnly) where.push('NOT s.is_won AND NOT s.is_lost');
  const { rows } = await pool.query<{ id: string }>(
    `SELECT l.id FROM read.leads l JOIN read.stages s ON s.id = l.stage_id ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY l.created_at, l.id LIMIT ${p(limit)}`,
    params,
  );
  return rows.map((r) => r.id);
}

/** A refusal a person can act on; anything else is a server fault and is not described. */
function failureReason(err: unknown): string {
  if (err instanceof NotFoundError || err instanceof ForbiddenError || err instanceof IllegalStateError || err instanceof ConflictError || err instanceof ValidationError) return err.message;
  return 'could not be assigned (server error); run the assignment again for this lead';
}

export type BulkRun = { jobId: string; leadIds: string[]; owner: UserState; ownerId: string | null; reason: string | null; metadata: Omit<CommandMetadata, 'commandId'> };

/**
 * Assigns each lead on its own (all-or-nothing per lead), reporting progress. Every lead's command id
 * follows from the job and the lead, so running the same job again (same Idempotency-Key) appends
 * nothing twice.
 */
export async function runBulkAssign(deps: Pick<RouteDeps, 'eventStore'>, run: BulkRun, onProgress: (line: BulkAssignLine) => void): Promise<Extract<BulkAssignLine, { type: 'done' }>> {
  const results: BulkAssignResult[] = new Array(run.leadIds.length);
  const counts = { assigned: 0, unchanged: 0, failed: 0 };
  let next = 0;
  let done = 0;
  let lastReport = 0;
  const report = (force: boolean) => {
    const now = Date.now();
    if (!force && now - lastReport < PROGRESS_MS) return;
    lastReport = now;
    onProgress({ type: 'progress', done, total: run.leadIds.length, ...counts });
  };
  const worker = async () => {
    while (next < run.leadIds.length) {
      const i = next++;
      const leadId = run.leadIds[i];
      const metadata = { ...run.metadata, commandId: deterministicId(`bulk-assign:${run.jobId}:${leadId}`) };
      try {
        const outcome = await handleCommand(deps.eventStore, {
          streamId: leadStream(leadId),
          aggregate: leadAggregate,
          metadata,
          decide: (loaded) => decide({ type: 'AssignLead', data: { leadId, ownerId: run.ownerId, reason: run.reason }, context: { owner: run.owner }, metadata }, loaded.state),
        });
        const assigned = outcome.appended > 0 || (await wasAppliedBy(deps, leadId, metadata.commandId));
        results[i] = { leadId, outcome: assigned ? 'assigned' : 'unchanged', reason: assigned ? null : 'already owned by that user', checkpoint: outcome.checkpoint || null };
        counts[assigned ? 'assigned' : 'unchanged']++;
      } catch (err) {
        results[i] = { leadId, outcome: 'failed', reason: failureReason(err), checkpoint: null };
        counts.failed++;
      }
      done++;
      report(false);
    }
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, run.leadIds.length) }, worker));
  report(true);
  const checkpoint = results.reduce((max, r) => (r.checkpoint && r.checkpoint > max ? r.checkpoint : max), '');
  return { type: 'done', jobId: run.jobId, total: run.leadIds.length, ...counts, results, checkpoint };
}

/** A rerun of the same job: the lead's assignment was appended by this very command the first time. */
async function wasAppliedBy(deps: Pick<RouteDeps, 'eventStore'>, leadId: string, commandId: string): Promise<boolean> {
  const events = await deps.eventStore.readStream(leadStream(leadId));
  return events.some((e) => e.metadata.commandId === commandId && e.type === 'LeadAssigned');
}

export function registerBulkAssignRoute(app: App, deps: RouteDeps): void {
  app.post(
    '/api/leads/bulk-assign',
    {
      schema: {
        tags: ['assignment'],
        summary: 'Assign many leads (ids or a filter) with streamed progress',
        description:
          `Admins and managers. Up to ${BULK_ASSIGN_MAX} leads, named or matched by a board filter. Each lead is assigned on its own (all-or-nothing per lead). ` +
          'The answer is NDJSON (application/x-ndjson): a `started` line, `progress` lines, then a `done` line with one result per lead (assigned, unchanged, failed with why). ' +
          'Send an Idempotency-Key to make a retry safe: the same key is the same job and nothing is assigned twice.',
        body: bulkAssignBody,
        response: problems(400, 401, 403, 503),
      },
    },
    async (request, reply) => {
      const principal = await requireWriter(request, deps.sessions);
      const actor = { userId: principal.userId, role: principal.role };
      assertManager(actor, 'bulk-assign leads');
      const { userId, reason, leadIds, filter } = request.body;
      const owner = await loadUser(deps.eventStore, userId);
      if (userId !== null && !canOwnLeads(owner)) throw new ValidationError('Invalid owner', [{ field: 'body.userId', message: `user ${userId} does not exist or may not own leads` }]);
      const ids = leadIds ? [...new Set(leadIds)] : await leadsMatching(deps.pool, filter as BulkAssignFilter, BULK_ASSIGN_MAX + 1);
      if (ids.length > BULK_ASSIGN_MAX) throw new ValidationError('Too many leads', [{ field: 'body.filter', message: `the filter matches more than ${BULK_ASSIGN_MAX} leads: narrow it` }]);
      const key = parseIdempotencyKey(request.headers['idempotency-key']);
      const jobId = key ? deterministicId(`bulk-assign:${principal.userId}:${key}`) : crypto.randomUUID();
      const metadata = { correlationId: request.correlationId, actor, occurredAt: new Date().toISOString() };

      reply.hijack();
      const raw = reply.raw;
      raw.writeHead(200, { 'content-type': 'application/x-ndjson; charset=utf-8', 'cache-control': 'no-store', 'x-accel-buffering': 'no' });
      const write = (line: BulkAssignLine) => raw.write(`${JSON.stringify(line)}\n`);
      write({ type: 'started', jobId, total: ids.length });
      try {
        const done = await runBulkAssign(deps, { jobId, leadIds: ids, owner, ownerId: userId, reason: reason ?? 'bulk assignment', metadata }, write);
        request.log.info({ correlationId: request.correlationId, command: 'BulkAssignLeads', jobId, total: done.total, assigned: done.assigned, unchanged: done.unchanged, failed: done.failed }, 'command accepted');
        write(done);
      } catch (err) {
        request.log.error({ err, jobId }, 'bulk assignment stopped');
        write({ type: 'error', message: 'The bulk assignment stopped (server error); run it again with the same Idempotency-Key to finish it.' });
      }
      raw.end();
    },
  );
}
