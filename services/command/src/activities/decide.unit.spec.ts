import crypto from 'node:crypto';
import { createActivityBody, type CreateActivityBody } from '@leadline/contracts';
import { ConflictError, ForbiddenError, IllegalStateError, NotFoundError, ValidationError } from '@leadline/platform';
import { describe, it } from 'vitest';
import { evolve as evolveLead, initialState as noLead, type LeadState } from '../leads/lead.ts';
import { deciderSpec } from '../testing/decider.ts';
import { NEW, PIPELINE_ID, emptyFields, metaFor, userWith } from '../testing/fixtures.ts';
import { evolve, initialState, type ActivityState } from './activity.ts';
import { decide, type ActivityCommand, type ActivityContext, type ActivityEvent } from './decide.ts';

const spec = deciderSpec<ActivityCommand, ActivityState, ActivityEvent>({ initialState, evolve, decide });

const activityId = crypto.randomUUID();
const leadId = crypto.randomUUID();
const repA = crypto.randomUUID();
const repB = crypto.randomUUID();
const manager = crypto.randomUUID();
const asRepA = metaFor(repA, 'rep');
const asRepB = metaFor(repB, 'rep');
const asManager = metaFor(manager, 'manager');

const leadOwnedBy = (ownerId: string | null): LeadState =>
  evolveLead(noLead, { type: 'LeadCreated', data: { leadId, pipelineId: PIPELINE_ID, stageId: NEW, rank: 'V', ownerId, fields: { ...emptyFields, lastName: 'Lovelace' } } });
const ctx = (lead: LeadState = leadOwnedBy(repA), user: ActivityContext['user'] = null): ActivityContext => ({ lead, user });

const body = (over: Record<string, unknown> = {}): CreateActivityBody => createActivityBody.parse({ type: 'call', leadId, subject: 'Intro call', ...over });
const log = (b: CreateActivityBody, meta = asRepA, context = ctx()): ActivityCommand => ({ type: 'LogActivity', data: { activityId, body: b, templateId: null }, context, metadata: meta });

const logged = (over: Partial<Extract<ActivityEvent, { type: 'ActivityLogged' }>['data']> = {}): ActivityEvent => ({
  type: 'ActivityLogged',
  data: {
    activityId,
    leadId,
    type: 'call',
    userId: repA,
    subject: 'Intro call',
    description: null,
    scheduledAt: null,
    details: { direction: 'outbound', phoneNumber: null },
    completion: null,
    templateId: null,
    ...over,
  },
});

describe('LogActivity', () => {
  it('logs a call with its details defaulted, owned by the caller', () => {
    spec.given([]).when(log(body())).then([logged()]);
  });

  it('logs a call already made, with a call outcome and the request time as completion time', () => {
    spec
      .given([])
      .when(log(body({ completion: { outcome: 'left_voicemail', durationMinutes: 2 } })))
      .then([logged({ completion: { completedAt: asRepA.occurredAt, outcome: 'left_voicemail', durationMinutes: 2 } })]);
  });

  it('refuses a lead that does not exist (or was deleted)', () => {
    spec.given([]).when(log(body(), asRepA, ctx(noLead))).thenThrows(NotFoundError);
  });

  it('refuses a rep on another rep\'s lead (as a missing lead), and a rep giving the activity to someone else', () => {
    spec.given([]).when(log(body(), asRepB)).thenThrows(NotFoundError, { message: `Lead ${leadId} not found` });
    spec.given([]).when(log(body({ userId: repB }), asRepA)).thenThrows(ForbiddenError);
  });

  it('lets a manager give it to a rep, and refuses a user who cannot hold activities', () => {
    spec.given([]).when(log(body({ userId: repB }), asManager, ctx(leadOwnedBy(repA), userWith(repB, 'rep')))).then([logged({ userId: repB })]);
    spec.given([]).when(log(body({ userId: repB }), asManager, ctx(leadOwnedBy(repA), userWith(repB, 'auditor')))).thenThrows(IllegalStateError, { rule: 'invalid-user' });
  });

  it('refuses auditors and a second log with the same id', () => {
    spec.given([]).when(log(body(), metaFor(crypto.randomUUID(), 'auditor'))).thenThrows(ForbiddenError);
    spec.given([logged()]).when(log(body())).thenThrows(ConflictError);
  });
});

describe('UpdateActivity', () => {
  const update = (changes: Record<string, unknown>, meta = asRepA, context = ctx()): ActivityCommand => ({ type: 'UpdateActivity', data: { activityId, changes }, context, metadata: meta });

  it('records only what changes, from and to', () => {
    spec
      .given([logged()])
      .when(update({ subject: 'Intro call', description: 'Asked about pricing' }))
      .then([{ type: 'ActivityUpdated', data: { activityId, leadId, changes: { description: { from: null, to: 'Asked about pricing' } } } }]);
    spec.given([logged()]).when(update({ subject: 'Intro call' })).then([]);
  });

  it('validates details against the activity type, naming the field', () => {
    spec.given([logged()]).when(update({ details: { direction: 'sideways' } })).thenThrows(ValidationError, { errors: [{ field: 'body.details.direction' }] });
    spec.given([logged()]).when(update({ details: { attendees: ['Ada'] } })).thenThrows(ValidationError);
  });

  it('refuses a deleted activity and a rep on someone else\'s', () => {
    spec.given([logged(), { type: 'ActivityDeleted', data: { activityId, leadId, reason: null } }]).when(update({ subject: 'x' })).thenThrows(IllegalStateError, { rule: 'activity-deleted' });
    spec.given([logged()]).when(update({ subject: 'x' }, asRepB)).thenThrows(NotFoundError, { message: `Activity ${activityId} not found` });
    spec.given([]).when(update({ subject: 'x' })).thenThrows(NotFoundError, { message: `Activity ${activityId} not found` });
  });

  it("refuses a rep a colleague's activity on an unassigned lead, and lets the lead's owner change it", () => {
    const unassigned = ctx(leadOwnedBy(null));
    spec.given([logged()]).when(update({ subject: 'x' }, asRepB, unassigned)).thenThrows(ForbiddenError);
    spec.given([logged()]).when(update({ subject: 'x' }, asRepA, unassigned)).then([{ type: 'ActivityUpdated', data: { activityId, leadId, changes: { subject: { from: 'Intro call', to: 'x' } } } }]);
    spec.given([logged()]).when(update({ subject: 'x' }, asRepB, ctx(leadOwnedBy(repB)))).then([{ type: 'ActivityUpdated', data: { activityId, leadId, changes: { subject: { from: 'Intro call', to: 'x' } } } }]);
  });

  it('answers a deleted activity a rep cannot see with the 404 of a missing one, not the 422', () => {
    spec.given([logged(), { type: 'ActivityDeleted', data: { activityId, leadId, reason: null } }]).when(update({ subject: 'x' }, asRepB)).thenThrows(NotFoundError);
  });
});

describe('CompleteActivity', () => {
  const complete = (outcome: string | null, durationMinutes: number | null = null, meta = asRepA): ActivityCommand => ({
    type: 'CompleteActivity',
    data: { activityId, outcome, durationMinutes },
    context: ctx(),
    metadata: meta,
  });

  it('completes with an outcome of the type, and a repeat changes nothing', () => {
    const done: ActivityEvent = { type: 'ActivityCompleted', data: { activityId, leadId, completedAt: asRepA.occurredAt, outcome: 'busy', durationMinutes: 1 } };
    spec.given([logged()]).when(complete('busy', 1)).then([done]);
    spec.given([logged(), done]).when(complete('busy', 1)).then([]);
  });

  it('refuses an outcome the type does not have', () => {
    spec.given([logged()]).when(complete('held')).thenThrows(ValidationError, { errors: [{ field: 'body.outcome' }] });
    spec.given([logged({ type: 'meeting', details: { attendees: [], location: null, meetingUrl: null } })]).when(complete('held')).then([
      { type: 'ActivityCompleted', data: { activityId, leadId, completedAt: asRepA.occurredAt, outcome: 'held', durationMinutes: null } },
    ]);
  });
});

describe('DeleteActivity', () => {
  const del = (meta = asRepA, context = ctx()): ActivityCommand => ({ type: 'DeleteActivity', data: { activityId, reason: 'duplicate' }, context, metadata: meta });

  it('deletes once; deleting again appends nothing', () => {
    const deleted: ActivityEvent = { type: 'ActivityDeleted', data: { activityId, leadId, reason: 'duplicate' } };
    spec.given([logged()]).when(del()).then([deleted]);
    spec.given([logged(), deleted]).when(del()).then([]);
  });

  it('lets a manager delete any activity, not another rep', () => {
    spec.given([logged()]).when(del(asManager)).then([{ type: 'ActivityDeleted', data: { activityId, leadId, reason: 'duplicate' } }]);
    spec.given([logged()]).when(del(asRepB)).thenThrows(NotFoundError, { message: `Activity ${activityId} not found` });
    spec.given([logged()]).when(del(asRepB, ctx(leadOwnedBy(null)))).thenThrows(ForbiddenError);
  });
});
