import { commandAccepted, WORKSPACE_STREAM, workspaceSettingsBody } from '@leadline/contracts';
import { z } from 'zod';
import { ConcurrencyError, ValidationError } from '@leadline/platform';
import { auditContext, recordAudit } from '../audit/record.ts';
import type { App, RouteDeps } from '../deps.ts';
import { executeCommand, handleCommand } from '../handler.ts';
import { changeHeaders, problems } from '../schemas.ts';
import { decide } from './decide.ts';
import { workspaceAggregate } from './workspace.ts';

/** The workspace is one stream without an id of its own: the answer is its version and checkpoint. */
const settingsAccepted = commandAccepted.omit({ id: true });

export function registerWorkspaceRoutes(app: App, deps: RouteDeps): void {
  const store = deps.eventStore;

  app.put(
    '/api/settings/workspace',
    {
      schema: {
        tags: ['settings'],
        summary: 'Change the workspace settings (admins)',
        description:
          'Every workspace setting at once: `currency`, an ISO 4217 code (EUR, USD...) every amount is shown in. If-Match is required: the version GET /api/settings/workspace answered (0 before the first change); another version answers 409 with currentVersion. Saving the settings in force records nothing and answers the same version.',
        headers: changeHeaders,
        body: workspaceSettingsBody,
        response: { 200: settingsAccepted, ...problems(400, 401, 403, 409, 503) },
      },
    },
    (request, reply) =>
      executeCommand(request, reply, deps, 'ChangeWorkspaceSettings', async ({ principal, metadata, ifMatch }) => {
        if (ifMatch === undefined) throw new ValidationError('If-Match is required: the version you edited', [{ field: 'headers.if-match', message: 'required' }]);
        let previous: string | null = null;
        const outcome = await handleCommand(store, {
          streamId: WORKSPACE_STREAM,
          aggregate: workspaceAggregate,
          metadata,
          expectedVersion: ifMatch,
          decide: (loaded) => {
            // handleCommand lets a missing stream through for a decider's 404; here version 0 is a version like any other.
            if (loaded.version !== ifMatch) throw new ConcurrencyError(WORKSPACE_STREAM, ifMatch, loaded.version);
            previous = loaded.state.settings.currency;
            return decide({ type: 'ChangeWorkspaceSettings', data: request.body, metadata }, loaded.state);
          },
        });
        if (outcome.appended > 0) {
          const detail = { version: outcome.version, currency: { from: previous, to: request.body.currency } };
          await recordAudit(deps.pool, auditContext(request, principal), { kind: 'permission_changed', subject: { type: 'permissions', id: 'workspace' }, detail });
        }
        return { status: 200, body: { version: outcome.version, checkpoint: outcome.checkpoint } satisfies z.infer<typeof settingsAccepted>, streams: [outcome] };
      }),
  );
}
