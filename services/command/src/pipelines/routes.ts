import { commandAccepted, createStageBody } from '@leadline/contracts';
import type { App, RouteDeps } from '../deps.ts';
import { executeCommand, handleCommand } from '../handler.ts';
import { DEFAULT_PIPELINE_ID, entityIdFor } from '../ids.ts';
import { pipelineStream } from '../reads.ts';
import { createHeaders, problems } from '../schemas.ts';
import { decide } from './decide.ts';
import { pipelineAggregate } from './pipeline.ts';

export function registerPipelineRoutes(app: App, deps: RouteDeps): void {
  app.post(
    '/api/pipeline/stages',
    {
      schema: {
        tags: ['pipeline'],
        summary: 'Add a stage to the pipeline (admin, manager)',
        description: 'Adds a stage to the default pipeline unless pipelineId names another. Names are unique per pipeline, ignoring case; without orderPosition the stage goes after the last one.',
        headers: createHeaders,
        body: createStageBody,
        response: { 201: commandAccepted, ...problems(400, 401, 403, 404, 409, 503) },
      },
    },
    (request, reply) =>
      executeCommand(request, reply, deps, 'AddStage', async ({ metadata }) => {
        const { pipelineId = DEFAULT_PIPELINE_ID, ...stage } = request.body;
        const stageId = entityIdFor(metadata.commandId);
        const outcome = await handleCommand(deps.eventStore, {
          streamId: pipelineStream(pipelineId),
          aggregate: pipelineAggregate,
          metadata,
          decide: (loaded) => decide({ type: 'AddStage', data: { pipelineId, stageId, ...stage }, metadata }, loaded.state),
        });
        return { status: 201, body: { id: stageId, version: outcome.version, checkpoint: outcome.checkpoint }, streams: [outcome] };
      }),
  );
}
