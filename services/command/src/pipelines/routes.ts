import {
  commandAccepted,
  createPipelineBody,
  createStageBody,
  deleteStageAccepted,
  deleteStageQuery,
  lostReasonsBody,
  pipelineParams,
  renamePipelineBody,
  reorderStagesBody,
  stageParams,
  updateStageBody,
} from '@leadline/contracts';
import { ConflictError, NotFoundError } from '@leadline/platform';
import type { App, RouteDeps } from '../deps.ts';
import { acceptedAnswer, executeCommand, handleCommand } from '../handler.ts';
import { DEFAULT_PIPELINE_ID, deterministicId, entityIdFor } from '../ids.ts';
import { pipelineStream } from '../reads.ts';
import { changeHeaders, createHeaders, problems } from '../schemas.ts';
import { decide, type PipelineCommand } from './decide.ts';
import { leadsInStage, moveLeadsOut } from './moveLeads.ts';
import { pipelineAggregate, type PipelineState } from './pipeline.ts';
import { pipelineOfStage } from './stageIndex.ts';


export function registerPipelineRoutes(app: App, deps: RouteDeps): void {
  const store = deps.eventStore;
  /** Runs one pipeline command on the pipeline's stream (If-Match pins its version). */
  const run = (pipelineId: string, command: (state: PipelineState) => PipelineCommand, metadata: PipelineCommand['metadata'], ifMatch?: number) =>
    handleCommand(store, {
      streamId: pipelineStream(pipelineId),
      aggregate: pipelineAggregate,
      metadata,
      expectedVersion: ifMatch,
      decide: (loaded) => decide(command(loaded.state), loaded.state),
    });
  /** The pipeline a stage belongs to, from the pipeline streams (404 when no pipeline holds it). */
  const pipelineFor = async (stageId: string): Promise<string> => {
    const pipelineId = await pipelineOfStage(deps.pool, store, stageId);
    if (!pipelineId) throw new NotFoundError(`Stage ${stageId} not found`);
    return pipelineId;
  };

  app.post(
    '/api/pipelines',
    {
      schema: {
        tags: ['pipeline'],
        summary: 'Create a pipeline (admin, manager)',
        description: 'Starts with the default stages (New, Qualified, Contacted, Proposal, Won, Lost) and the default lost reasons.',
        headers: createHeaders,
        body: createPipelineBody,
        response: { 201: commandAccepted, ...problems(400, 401, 403, 409, 503) },
      },
    },
    (request, reply) =>
      executeCommand(request, reply, deps, 'CreatePipeline', async ({ metadata }) => {
        const pipelineId = entityIdFor(metadata.commandId);
        const stageIds = Array.from({ length: 6 }, (_, i) => deterministicId(`pipeline:${pipelineId}:stage:${i}`));
        const outcome = await run(pipelineId, () => ({ type: 'CreatePipeline', data: { pipelineId, name: request.body.name, stageIds }, metadata }), metadata);
        return acceptedAnswer(pipelineId, outcome, 201);
      }),
  );

  app.put(
    '/api/pipelines/:id',
    {
      schema: {
        tags: ['pipeline'],
        summary: 'Rename a pipeline (admin, manager)',
        headers: changeHeaders,
        params: pipelineParams,
        body: renamePipelineBody,
        response: { 200: commandAccepted, ...problems(400, 401, 403, 404, 409, 422, 503) },
      },
    },
    (request, reply) =>
      executeCommand(request, reply, deps, 'RenamePipeline', async ({ metadata, ifMatch }) => {
        const pipelineId = request.params.id;
        const outcome = await run(pipelineId, () => ({ type: 'RenamePipeline', data: { pipelineId, name: request.body.name }, metadata }), metadata, ifMatch);
        return acceptedAnswer(pipelineId, outcome);
      }),
  );

  app.post(
    '/api/pipelines/:id/archive',
    {
      schema: {
        tags: ['pipeline'],
        summary: 'Archive a pipeline (admin, manager)',
        description: 'An archived pipeline takes no new leads and no stage changes; its leads and history stay readable. The default pipeline cannot be archived.',
        headers: changeHeaders,
        params: pipelineParams,
        response: { 200: commandAccepted, ...problems(400, 401, 403, 404, 409, 422, 503) },
      },
    },
    (request, reply) =>
      executeCommand(request, reply, deps, 'ArchivePipeline', async ({ metadata, ifMatch }) => {
        const pipelineId = request.params.id;
        const outcome = await run(pipelineId, () => ({ type: 'ArchivePipeline', data: { pipelineId }, metadata }), metadata, ifMatch);
        return acceptedAnswer(pipelineId, outcome);
      }),
  );

  app.put(
    '/api/pipeline/lost-reasons',
    {
      schema: {
        tags: ['pipeline'],
        summary: "Set a pipeline's lost reasons (admin, manager)",
        description: 'The list reps pick from when a lead is lost, in display order. With allowFreeText false, a lost reason must be one of the list.',
        headers: changeHeaders,
        body: lostReasonsBody,
        response: { 200: commandAccepted, ...problems(400, 401, 403, 404, 409, 422, 503) },
      },
    },
    (request, reply) =>
      executeCommand(request, reply, deps, 'SetLostReasons', async ({ metadata, ifMatch }) => {
        const { pipelineId = DEFAULT_PIPELINE_ID, reasons, allowFreeText } = request.body;
        const outcome = await run(pipelineId, () => ({ type: 'SetLostReasons', data: { pipelineId, reasons, allowFreeText }, metadata }), metadata, ifMatch);
        return acceptedAnswer(pipelineId, outcome);
      }),
  );

  app.post(
    '/api/pipeline/stages',
    {
      schema: {
        tags: ['pipeline'],
        summary: 'Add a stage to a pipeline (admin, manager)',
        description: 'Adds a stage to the default pipeline unless pipelineId names another. Names are unique per pipeline, ignoring case; without orderPosition the stage goes after the last one.',
        headers: createHeaders,
        body: createStageBody,
        response: { 201: commandAccepted, ...problems(400, 401, 403, 404, 409, 422, 503) },
      },
    },
    (request, reply) =>
      executeCommand(request, reply, deps, 'AddStage', async ({ metadata }) => {
        const { pipelineId = DEFAULT_PIPELINE_ID, ...stage } = request.body;
        const stageId = entityIdFor(metadata.commandId);
        const outcome = await run(pipelineId, () => ({ type: 'AddStage', data: { pipelineId, stageId, ...stage }, metadata }), metadata);
        return acceptedAnswer(stageId, outcome, 201);
      }),
  );

  app.put(
    '/api/pipeline/stages/reorder',
    {
      schema: {
        tags: ['pipeline'],
        summary: 'Reorder the stages of a pipeline (admin, manager)',
        description:
          'stageIds must name every stage of the pipeline exactly once, in the new order. A list that misses a stage added or deleted meanwhile is 409 (rule stage-list-changed, with the current stageIds). If-Match pins the pipeline version the list was based on.',
        headers: changeHeaders,
        body: reorderStagesBody,
        response: { 200: commandAccepted, ...problems(400, 401, 403, 404, 409, 422, 503) },
      },
    },
    (request, reply) =>
      executeCommand(request, reply, deps, 'ReorderStages', async ({ metadata, ifMatch }) => {
        const { pipelineId, stageIds } = request.body;
        const outcome = await run(pipelineId, () => ({ type: 'ReorderStages', data: { pipelineId, stageIds }, metadata }), metadata, ifMatch);
        return acceptedAnswer(pipelineId, outcome);
      }),
  );

  app.put(
    '/api/pipeline/stages/:id',
    {
      schema: {
        tags: ['pipeline'],
        summary: 'Change a stage (admin, manager)',
        description: 'Any of name, color, probability, rottingDays, isActive, isWon, isLost. Marking a stage won unmarks it lost and the other way round. A pipeline keeps at least one active open, won and lost stage.',
        headers: changeHeaders,
        params: stageParams,
        body: updateStageBody,
        response: { 200: commandAccepted, ...problems(400, 401, 403, 404, 409, 422, 503) },
      },
    },
    (request, reply) =>
      executeCommand(request, reply, deps, 'UpdateStage', async ({ metadata, ifMatch }) => {
        const stageId = request.params.id;
        const pipelineId = await pipelineFor(stageId);
        const outcome = await run(pipelineId, () => ({ type: 'UpdateStage', data: { pipelineId, stageId, changes: request.body }, metadata }), metadata, ifMatch);
        return acceptedAnswer(stageId, outcome);
      }),
  );

  app.delete(
    '/api/pipeline/stages/:id',
    {
      schema: {
        tags: ['pipeline'],
        summary: 'Delete a stage, moving its leads (admin, manager)',
        description:
          'A stage holding leads needs moveToStageId (409 with leadCount otherwise). The stage is deleted first (StageDeleted), then every lead in it is moved to the target by its own LeadMovedToStage; `moved` counts them. If the answer is lost half way, repeating the same request finishes the moves.',
        headers: changeHeaders,
        params: stageParams,
        querystring: deleteStageQuery,
        response: { 200: deleteStageAccepted, ...problems(400, 401, 403, 404, 409, 422, 503) },
      },
    },
    (request, reply) =>
      executeCommand(request, reply, deps, 'DeleteStage', async ({ metadata, ifMatch }) => {
        const stageId = request.params.id;
        const moveToStageId = request.query.moveToStageId ?? null;
        const pipelineId = await pipelineFor(stageId);
        let stageName = '';
        const outcome = await handleCommand(store, {
          streamId: pipelineStream(pipelineId),
          aggregate: pipelineAggregate,
          metadata,
          expectedVersion: ifMatch,
          decide: async (loaded) => {
            const state = loaded.state;
            stageName = (state.status === 'active' && state.stages.find((s) => s.id === stageId)?.name) || 'deleted stage';
            const events = decide({ type: 'DeleteStage', data: { pipelineId, stageId, moveToStageId }, metadata }, state);
            if (moveToStageId === null && events.length > 0) {
              const leadCount = (await leadsInStage(deps.pool, stageId)).length;
              if (leadCount > 0)
                throw new ConflictError(`The stage holds ${leadCount} lead(s): name a stage to move them to (moveToStageId)`, { rule: 'stage-has-leads', leadCount });
            }
            return events;
          },
        });
        const moves = moveToStageId === null ? [] : await moveLeadsOut(deps, { pipelineId, stageId, stageName, targetId: moveToStageId, afterCheckpoint: outcome.checkpoint, metadata });
        const moved = moves.filter((m) => m.appended > 0).length;
        const checkpoint = moves.reduce((max, m) => (m.checkpoint > max ? m.checkpoint : max), outcome.checkpoint);
        return { status: 200, body: { id: stageId, version: outcome.version, checkpoint, moved }, streams: [outcome, ...moves] };
      }),
  );
}
