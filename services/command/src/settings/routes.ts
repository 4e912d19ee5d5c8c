import { commandAccepted, FIELD_POLICY_STREAM, fieldPolicy } from '@leadline/contracts';
import { z } from 'zod';
import { ConcurrencyError, ValidationError } from '@leadline/platform';
import { loadTeamMembers } from '../assignment/facts.ts';
import { auditContext, recordAudit } from '../audit/record.ts';
import type { App, RouteDeps } from '../deps.ts';
import { executeCommand, handleCommand } from '../handler.ts';
import { changeHeaders, problems } from '../schemas.ts';
import { changeFieldPolicy } from './decide.ts';
import { fieldPolicyAggregate } from './fieldPolicy.ts';

/** The policy is one stream without an id of its own: the answer is its version and checkpoint. */
const policyAccepted = commandAccepted.omit({ id: true });

export function registerSettingsRoutes(app: App, deps: RouteDeps): void {
  const store = deps.eventStore;

  app.put(
    '/api/settings/field-permissions',
    {
      schema: {
        tags: ['settings'],
        summary: 'Replace the field permissions (admins)',
        description:
          'The full rule set: for each role but admin (optionally narrowed to leads of other teams or of one team), each field visible, read_only or hidden; custom fields are `custom.<key>`, must be declared in customFields, and are hidden from every role a rule does not grant them to. If-Match is required: the version GET /api/settings/field-permissions answered (0 before the first change); another version answers 409 with currentVersion.',
        headers: changeHeaders,
        body: fieldPolicy,
        response: { 200: policyAccepted, ...problems(400, 401, 403, 409, 503) },
      },
    },
    (request, reply) =>
      executeCommand(request, reply, deps, 'ChangeFieldPolicy', async ({ principal, metadata, ifMatch }) => {
        if (ifMatch === undefined) throw new ValidationError('If-Match is required: the version you edited', [{ field: 'headers.if-match', message: 'required' }]);
        const teamIds = [...new Set(request.body.rules.flatMap((r) => (r.teamId ? [r.teamId] : [])))];
        const outcome = await handleCommand(store, {
          streamId: FIELD_POLICY_STREAM,
          aggregate: fieldPolicyAggregate,
          metadata,
          expectedVersion: ifMatch,
          decide: async (loaded) => {
            // handleCommand lets a missing stream through for the decider's 404; here version 0 is a version like any other.
            if (loaded.version !== ifMatch) throw new ConcurrencyError(FIELD_POLICY_STREAM, ifMatch, loaded.version);
            const existing = await Promise.all(teamIds.map(async (id) => ((await loadTeamMembers(store, id)) ? id : null)));
            return changeFieldPolicy(metadata.actor, request.body, new Set(existing.filter((id): id is string => id !== null)));
          },
        });
        // The event itself names who changed what; the audit trail lists it with the other permission changes.
        if (outcome.appended > 0) {
          const detail = { version: outcome.version, rules: request.body.rules.length, customFields: request.body.customFields.map((c) => c.key) };
          await recordAudit(deps.pool, auditContext(request, principal), { kind: 'permission_changed', subject: { type: 'permissions', id: 'field-permissions' }, detail });
        }
        return { status: 200, body: { version: outcome.version, checkpoint: outcome.checkpoint } satisfies z.infer<typeof policyAccepted>, streams: [outcome] };
      }),
  );
}
