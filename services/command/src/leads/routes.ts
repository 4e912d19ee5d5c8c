import { assignLeadsBody, assignLeadsResponse, commandAccepted, createLeadBody, leadIdParams, moveLeadBody, reopenLeadBody, updateLeadBody } from '@leadline/contracts';
import { ConcurrencyError, ValidationError } from '@leadline/platform';
import type { App, RouteDeps } from '../deps.ts';
import { loadAggregate } from '../events.ts';
import { accepted, acceptedAnswer, alreadyApplied, appendDecided, executeCommand, handleCommand, withConflictRetry, type StreamOutcome } from '../handler.ts';
import { DEFAULT_PIPELINE_ID, entityIdFor } from '../ids.ts';
import { pipelineAggregate } from '../pipelines/pipeline.ts';
import { leadStream, loadPipeline, loadUser, topRankInStage } from '../reads.ts';
import { changeHeaders, createHeaders, problems } from '../schemas.ts';
import { loadFieldView } from '../fields/view.ts';
import { decide, ownerForNewLead, reopenTarget, stageForNewLead } from './decide.ts';
import { leadAggregate, type LeadState } from './lead.ts';
import { registerForgetRoute } from './forgetRoute.ts';


export function registerLeadRoutes(app: App, deps: RouteDeps): void {
  const store = deps.eventStore;
  const loadLead = async (id: string | undefined, except: string): Promise<LeadState | null> =>
    id === undefined || id === except ? null : (await loadAggregate(store, leadStream(id), leadAggregate)).state;

  app.post(
    '/api/leads',
    {
      schema: {
        tags: ['leads'],
        summary: 'Create a lead',
        description: 'Creates a lead in the default pipeline, at the top of its stage (the first open stage unless stageId names one). A field hidden or read-only for your role (field permissions) answers 403 naming it in `errors`.',
        headers: createHeaders,
        body: createLeadBody,
        response: { 201: commandAccepted, ...problems(400, 401, 403, 409, 422, 503) },
      },
    },
    (request, reply) =>
      executeCommand(request, reply, deps, 'CreateLead', async ({ metadata }) => {
        const { id, stageId, ownerId, pipelineId = DEFAULT_PIPELINE_ID, ...fields } = request.body;
        const leadId = id ?? entityIdFor(metadata.commandId);
        const outcome = await handleCommand(store, {
          streamId: leadStream(leadId),
          aggregate: leadAggregate,
          metadata,
          decide: async (loaded) => {
            const [pipeline, owner, fieldView] = await Promise.all([
              loadPipeline(store, pipelineId),
              loadUser(store, ownerForNewLead(metadata.actor, ownerId)),
              loadFieldView(store, deps.pool, metadata.actor),
            ]);
            const stage = stageForNewLead(pipeline, stageId);
            const topRank = stage ? await topRankInStage(deps.pool, stage.id) : null;
            return decide(
              { type: 'CreateLead', data: { leadId, pipelineId, stageId, ownerId, fields }, context: { pipeline, owner, topRank, fields: fieldView }, metadata },
              loaded.state,
            );
          },
        });
        return acceptedAnswer(leadId, outcome, 201);
      }),
  );

  app.patch(
    '/api/leads/:id',
    {
      schema: {
        tags: ['leads'],
        summary: 'Update lead details',
        description: 'Records the fields that actually change (customFields replace the whole object, except custom fields hidden from you, which keep their values). No change appends nothing and answers the current version. A won or lost lead must be reopened first. Changing a field hidden or read-only for your role on this lead answers 403 naming it in `errors`.',
        headers: changeHeaders,
        params: leadIdParams,
        body: updateLeadBody,
        response: { 200: commandAccepted, ...problems(400, 401, 403, 404, 409, 422, 503) },
      },
    },
    (request, reply) =>
      executeCommand(request, reply, deps, 'UpdateLeadDetails', async ({ metadata, ifMatch }) => {
        const leadId = request.params.id;
        const outcome = await handleCommand(store, {
          streamId: leadStream(leadId),
          aggregate: leadAggregate,
          metadata,
          expectedVersion: ifMatch,
          decide: async (loaded) => {
            const [pipeline, fieldView] = await Promise.all([
              loaded.state.status === 'active' ? loadPipeline(store, loaded.state.pipelineId) : pipelineAggregate.initialState,
              loadFieldView(store, deps.pool, metadata.actor),
            ]);
            return decide({ type: 'UpdateLeadDetails', data: { leadId, changes: request.body }, context: { pipeline, fields: fieldView }, metadata }, loaded.state);
          },
        });
        return acceptedAnswer(leadId, outcome);
      }),
  );

  app.put(
    '/api/leads/:id/move-stage',
    {
      schema: {
        tags: ['leads'],
        summary: 'Move a lead to a stage, or reorder it within its stage',
        description:
          'afterLeadId is the card directly above the drop, beforeLeadId the card directly below; without usable neighbours the card goes to the top. A lost stage needs lostReason; a won stage records the deal value as wonValue; moving out of won/lost reopens the lead.',
        headers: changeHeaders,
        params: leadIdParams,
        body: moveLeadBody,
        response: { 200: commandAccepted, ...problems(400, 401, 403, 404, 409, 422, 503) },
      },
    },
    (request, reply) =>
      executeCommand(request, reply, deps, 'MoveLeadToStage', async ({ metadata, ifMatch }) => {
        const leadId = request.params.id;
        const { stageId, lostReason, afterLeadId, beforeLeadId } = request.body;
        const outcome = await handleCommand(store, {
          streamId: leadStream(leadId),
          aggregate: leadAggregate,
          metadata,
          expectedVersion: ifMatch,
          decide: async (loaded) => {
            const lead = loaded.state;
            const [pipeline, above, below, topRank] = await Promise.all([
              lead.status === 'active' ? loadPipeline(store, lead.pipelineId) : pipelineAggregate.initialState,
              loadLead(afterLeadId, leadId),
              loadLead(beforeLeadId, leadId),
              topRankInStage(deps.pool, stageId),
            ]);
            return decide(
              { type: 'MoveLeadToStage', data: { leadId, stageId, lostReason, afterLeadId, beforeLeadId }, context: { pipeline, above, below, topRank }, metadata },
              lead,
            );
          },
        });
        return acceptedAnswer(leadId, outcome);
      }),
  );

  app.post(
    '/api/leads/:id/reopen',
    {
      schema: {
        tags: ['leads'],
        summary: 'Reopen a won or lost lead',
        description: 'Moves the lead to stageId (an open stage), else to the open stage it was last in, else to the first open stage; at the top of the column. Recorded as a LeadMovedToStage out of the closed stage.',
        headers: changeHeaders,
        params: leadIdParams,
        body: reopenLeadBody,
        response: { 200: commandAccepted, ...problems(400, 401, 403, 404, 409, 422, 503) },
      },
    },
    (request, reply) =>
      executeCommand(request, reply, deps, 'ReopenLead', async ({ metadata, ifMatch }) => {
        const leadId = request.params.id;
        const outcome = await handleCommand(store, {
          streamId: leadStream(leadId),
          aggregate: leadAggregate,
          metadata,
          expectedVersion: ifMatch,
          decide: async (loaded) => {
            const lead = loaded.state;
            const pipeline = lead.status === 'active' ? await loadPipeline(store, lead.pipelineId) : pipelineAggregate.initialState;
            const target = reopenTarget(lead, pipeline, request.body.stageId);
            const topRank = target ? await topRankInStage(deps.pool, target.id) : null;
            return decide({ type: 'ReopenLead', data: { leadId, stageId: request.body.stageId }, context: { pipeline, topRank }, metadata }, lead);
          },
        });
        return acceptedAnswer(leadId, outcome);
      }),
  );

  app.post(
    '/api/leads/assign',
    {
      schema: {
        tags: ['leads'],
        summary: 'Assign leads to a user (or unassign with userId null)',
        description:
          'The one multi-lead command, so the one exception to the `{id, version, checkpoint}` answer: it answers one result per lead and the greatest checkpoint. Every lead is loaded, authorised and validated before anything is appended; a lead whose owner does not change gets no event. If-Match is accepted only with a single lead.',
        headers: changeHeaders,
        body: assignLeadsBody,
        response: { 200: assignLeadsResponse, ...problems(400, 401, 403, 404, 409, 422, 503) },
      },
    },
    (request, reply) =>
      executeCommand(request, reply, deps, 'AssignLead', async ({ metadata, ifMatch }) => {
        const { userId, reason } = request.body;
        const leadIds = [...new Set(request.body.leadIds)];
        if (ifMatch !== undefined && leadIds.length !== 1)
          throw new ValidationError('If-Match applies to a single lead', [{ field: 'headers.if-match', message: 'only with exactly one lead' }]);
        const outcomes = await withConflictRetry(ifMatch !== undefined, async () => {
          const [owner, loaded] = await Promise.all([loadUser(store, userId), Promise.all(leadIds.map((id) => loadAggregate(store, leadStream(id), leadAggregate)))]);
          // Decide for every lead before appending anything: one refusal refuses the whole command.
          const plans = loaded.map((l, i) => {
            const done = alreadyApplied(l, metadata.commandId);
            if (done) return { loaded: l, done, events: [] };
            if (ifMatch !== undefined && l.version !== 0 && l.version !== ifMatch) throw new ConcurrencyError(l.streamId, ifMatch, l.version);
            const events = decide({ type: 'AssignLead', data: { leadId: leadIds[i], ownerId: userId, reason: reason ?? null }, context: { owner }, metadata }, l.state);
            return { loaded: l, done: undefined, events };
          });
          const results: StreamOutcome[] = [];
          for (const plan of plans) results.push(plan.done ?? (await appendDecided(store, plan.loaded, plan.events, metadata, { scope: plan.loaded.streamId })));
          return results;
        });
        const results = outcomes.map((o, i) => accepted(leadIds[i], o));
        const checkpoint = results.reduce((max, r) => (r.checkpoint > max ? r.checkpoint : max), '');
        return { status: 200, body: { results, checkpoint }, streams: outcomes };
      }),
  );

  registerForgetRoute(app, deps);
}
