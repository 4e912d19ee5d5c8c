import { forgetLeadAnswer, forgetLeadBody, leadIdParams } from '@leadline/contracts';
import { SealingEventStore, type EventStore } from '@leadline/eventstore';
import { ForbiddenError, NotFoundError } from '@leadline/platform';
import { auditContext, recordAudit } from '../audit/record.ts';
import type { App, RouteDeps } from '../deps.ts';
import { loadAggregate } from '../events.ts';
import { accepted, executeCommand, handleCommand } from '../handler.ts';
import { leadStream } from '../reads.ts';
import { createHeaders, problems } from '../schemas.ts';
import { forgetLead } from './forget.ts';
import { leadAggregate } from './lead.ts';
import { shredLead } from './shred.ts';

const sealing = (store: EventStore): SealingEventStore => {
  if (!(store instanceof SealingEventStore)) throw new Error('forgetting needs the sealing event store (openEventStore)');
  return store;
};

export function registerForgetRoute(app: App, deps: RouteDeps): void {
  app.post(
    '/api/leads/:id/forget',
    {
      schema: {
        tags: ['leads'],
        summary: 'Forget this person (admins)',
        description:
          "Destroys the lead's data key, so its names, email, phone and activity texts become unreadable everywhere, the event store included (crypto-shredding); events stored in clear before encryption are overwritten in place (`rewrittenEvents`; `plaintextEventsLeft` counts those a store cannot rewrite, EventStoreDB). Appends LeadForgotten (who, why, when); read models then show the name as \"Erased\". Stages, values and dates stay. Idempotent.",
        headers: createHeaders,
        params: leadIdParams,
        body: forgetLeadBody,
        response: { 200: forgetLeadAnswer, ...problems(400, 401, 403, 404, 409, 503) },
      },
    },
    (request, reply) =>
      executeCommand(request, reply, deps, 'ForgetLead', async ({ principal, metadata }) => {
        if (principal.role !== 'admin') throw new ForbiddenError('Only an admin may forget a person');
        const leadId = request.params.id;
        const { reason } = request.body;
        const store = sealing(deps.eventStore);
        const lead = await loadAggregate(store, leadStream(leadId), leadAggregate);
        if (lead.state.status !== 'active') throw new NotFoundError(`Lead ${leadId} not found`);
        // Audited before anything is destroyed: a forget never happens unrecorded.
        await recordAudit(deps.pool, auditContext(request, principal), { kind: 'forget', subject: { type: 'lead', id: leadId }, detail: { reason } });
        // The key goes first: whatever is sealed for the lead from here on is refused, whatever was sealed is unreadable.
        const shredded = await shredLead(deps, store, leadId);
        const outcome = await handleCommand(store, {
          streamId: leadStream(leadId),
          aggregate: leadAggregate,
          metadata,
          decide: (loaded) => forgetLead({ type: 'ForgetLead', data: { leadId, reason }, metadata }, loaded.state),
        });
        return { status: 200, body: { ...accepted(leadId, outcome), ...shredded }, streams: [outcome] };
      }),
  );
}
