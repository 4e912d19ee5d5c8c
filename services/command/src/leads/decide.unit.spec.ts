import crypto from 'node:crypto';
import type { FieldPolicy } from '@leadline/contracts';
import { describe, it } from 'vitest';
import { ConflictError, ForbiddenError, IllegalStateError, NotFoundError } from '@leadline/platform';
import { deciderSpec } from '../testing/decider.ts';
import { fieldsFor } from '../testing/fields.ts';
import { CONTACTED, LOST, NEW, PIPELINE_ID, PROPOSAL, WON, emptyFields, metaFor, pipeline, userWith } from '../testing/fixtures.ts';
import { initialState as noUser } from '../users/user.ts';
import { decide, type LeadCommand, type LeadEvent } from './decide.ts';
import { evolve, initialState, type LeadState } from './lead.ts';

const spec = deciderSpec<LeadCommand, LeadState, LeadEvent>({ initialState, evolve, decide });

const leadId = crypto.randomUUID();
const admin = crypto.randomUUID();
const repA = crypto.randomUUID();
const repB = crypto.randomUUID();
const asAdmin = metaFor(admin, 'admin');
const asRepA = metaFor(repA, 'rep');

const created = (over: Partial<{ stageId: string; rank: string; ownerId: string | null; id: string }> = {}): LeadEvent => ({
  type: 'LeadCreated',
  data: {
    leadId: over.id ?? leadId,
    pipelineId: PIPELINE_ID,
    stageId: over.stageId ?? NEW,
    rank: over.rank ?? 'V',
    ownerId: over.ownerId === undefined ? repA : over.ownerId,
    fields: { ...emptyFields, firstName: 'Ada', company: 'Acme', dealValue: 1200, customFields: { tier: 'gold', seats: 5 } },
  },
});

const moved = (from: string, to: string, rank: string, extra: Partial<{ lostReason: string | null; wonValue: number | null }> = {}): LeadEvent => ({
  type: 'LeadMovedToStage',
  data: { leadId, pipelineId: PIPELINE_ID, fromStageId: from, toStageId: to, rank, lostReason: extra.lostReason ?? null, wonValue: extra.wonValue ?? null },
});

const stateOf = (events: LeadEvent[]): LeadState => events.reduce(evolve, initialState);

describe('CreateLead', () => {
  const create = (meta = asAdmin, data: Partial<Extract<LeadCommand, { type: 'CreateLead' }>['data']> = {}, context: Partial<Extract<LeadCommand, { type: 'CreateLead' }>['context']> = {}): LeadCommand => ({
    type: 'CreateLead',
    data: { leadId, pipelineId: PIPELINE_ID, fields: { lastName: 'Lovelace' }, ...data },
    context: { pipeline, owner: noUser, topRank: null, fields: fieldsFor(meta), ...context },
    metadata: meta,
  });

  it('puts the lead at the top of the first open stage, unassigned when an admin names no owner', () => {
    spec
      .given([])
      .when(create())
      .then([{ type: 'LeadCreated', data: { leadId, pipelineId: PIPELINE_ID, stageId: NEW, rank: 'V', ownerId: null, fields: { ...emptyFields, lastName: 'Lovelace' } } }]);
  });

  it('ranks above the current top card of the column', () => {
    spec
      .given([])
      .when(create(asAdmin, { stageId: CONTACTED }, { topRank: 'V' }))
      .then([{ type: 'LeadCreated', data: { leadId, pipelineId: PIPELINE_ID, stageId: CONTACTED, rank: 'G', ownerId: null, fields: { ...emptyFields, lastName: 'Lovelace' } } }]);
  });

  it("makes a rep's new lead theirs, or nobody's when they ask", () => {
    const base = { leadId, pipelineId: PIPELINE_ID, stageId: NEW, rank: 'V', fields: { ...emptyFields, lastName: 'Lovelace' } };
    spec.given([]).when(create(asRepA, {}, { owner: userWith(repA, 'rep') })).then([{ type: 'LeadCreated', data: { ...base, ownerId: repA } }]);
    spec.given([]).when(create(asRepA, { ownerId: null })).then([{ type: 'LeadCreated', data: { ...base, ownerId: null } }]);
  });

  it('refuses a rep giving a new lead to someone else', () => {
    spec.given([]).when(create(asRepA, { ownerId: repB }, { owner: userWith(repB, 'rep') })).thenThrows(ForbiddenError);
  });

  it('refuses auditors and analysts', () => {
    spec.given([]).when(create(metaFor(admin, 'auditor'))).thenThrows(ForbiddenError);
    spec.given([]).when(create(metaFor(admin, 'analyst'))).thenThrows(ForbiddenError);
  });

  it('refuses an owner who does not exist or may not own leads', () => {
    spec.given([]).when(create(asAdmin, { ownerId: repB }, { owner: noUser })).thenThrows(IllegalStateError, { rule: 'invalid-owner' });
    const auditor = crypto.randomUUID();
    spec.given([]).when(create(asAdmin, { ownerId: auditor }, { owner: userWith(auditor, 'auditor') })).thenThrows(IllegalStateError, { rule: 'invalid-owner' });
  });

  it('refuses an unknown stage and a won or lost stage', () => {
    spec.given([]).when(create(asAdmin, { stageId: crypto.randomUUID() })).thenThrows(IllegalStateError, { rule: 'unknown-stage' });
    spec.given([]).when(create(asAdmin, { stageId: WON })).thenThrows(IllegalStateError, { rule: 'create-in-closed-stage' });
    spec.given([]).when(create(asAdmin, { stageId: LOST })).thenThrows(IllegalStateError, { rule: 'create-in-closed-stage' });
  });

  it('refuses a lead id that already exists', () => {
    spec.given([created()]).when(create()).thenThrows(ConflictError);
  });

  it('refuses a field the creator may not write, naming it (custom fields are granted by key)', () => {
    spec.given([]).when(create(asRepA, { ownerId: null, fields: { lastName: 'Lovelace', customFields: { tier: 'gold' } } })).thenThrows(ForbiddenError, { errors: [{ field: 'body.customFields.tier', message: 'hidden from your role' }] });
    spec.given([]).when(create(asAdmin, { fields: { lastName: 'Lovelace', customFields: { tier: 'gold' } } })).then([
      { type: 'LeadCreated', data: { leadId, pipelineId: PIPELINE_ID, stageId: NEW, rank: 'V', ownerId: null, fields: { ...emptyFields, lastName: 'Lovelace', customFields: { tier: 'gold' } } } },
    ]);
  });
});

describe('UpdateLeadDetails', () => {
  const update = (changes: Record<string, unknown>, meta = asAdmin): LeadCommand => ({
    type: 'UpdateLeadDetails',
    data: { leadId, changes },
    context: { pipeline, fields: fieldsFor(meta) },
    metadata: meta,
  });

  it('records only the fields that change, with from and to', () => {
    spec
      .given([created()])
      .when(update({ firstName: 'Ada', company: 'Analytical Engines', dealValue: 1500 }))
      .then([
        { type: 'LeadDetailsUpdated', data: { leadId, changes: { company: { from: 'Acme', to: 'Analytical Engines' } } } },
        { type: 'LeadDealValueChanged', data: { leadId, from: 1200, to: 1500 } },
      ]);
  });

  it('compares custom fields by value and replaces them as a whole', () => {
    spec.given([created()]).when(update({ customFields: { seats: 5, tier: 'gold' } })).then([]);
    spec
      .given([created()])
      .when(update({ customFields: { tier: 'gold' } }))
      .then([{ type: 'LeadDetailsUpdated', data: { leadId, changes: { customFields: { from: { tier: 'gold', seats: 5 }, to: { tier: 'gold' } } } } }]);
  });

  it('appends nothing when nothing changes', () => {
    spec.given([created()]).when(update({ firstName: 'Ada' })).then([]);
  });

  it('refuses a won or lost lead until it is reopened', () => {
    spec.given([created(), moved(NEW, WON, 'V', { wonValue: 1200 })]).when(update({ city: 'London' })).thenThrows(IllegalStateError, { rule: 'lead-closed' });
    spec.given([created(), moved(NEW, LOST, 'V', { lostReason: 'budget' })]).when(update({ city: 'London' })).thenThrows(IllegalStateError, { rule: 'lead-closed' });
    spec
      .given([created(), moved(NEW, WON, 'V', { wonValue: 1200 }), moved(WON, PROPOSAL, 'V')])
      .when(update({ city: 'London' }))
      .then([{ type: 'LeadDetailsUpdated', data: { leadId, changes: { city: { from: null, to: 'London' } } } }]);
  });

  it('refuses clearing every name of the lead', () => {
    spec.given([created()]).when(update({ firstName: null, company: null })).thenThrows(IllegalStateError, { rule: 'name-required' });
  });

  it("lets a rep change their own and unassigned leads, not another rep's", () => {
    spec.given([created({ ownerId: repA })]).when(update({ city: 'Paris' }, asRepA)).then([{ type: 'LeadDetailsUpdated', data: { leadId, changes: { city: { from: null, to: 'Paris' } } } }]);
    spec.given([created({ ownerId: null })]).when(update({ city: 'Paris' }, asRepA)).then([{ type: 'LeadDetailsUpdated', data: { leadId, changes: { city: { from: null, to: 'Paris' } } } }]);
    spec.given([created({ ownerId: repB })]).when(update({ city: 'Paris' }, asRepA)).thenThrows(NotFoundError, { message: `Lead ${leadId} not found` });
  });

  it("answers a rep on another rep's lead exactly as for a lead that does not exist", () => {
    spec.given([]).when(update({ city: 'Paris' }, asRepA)).thenThrows(NotFoundError, { message: `Lead ${leadId} not found` });
    spec.given([created({ ownerId: repB })]).when(update({ city: 'Paris' }, asRepA)).thenThrows(NotFoundError, { message: `Lead ${leadId} not found` });
    spec.given([created({ ownerId: repB })]).when(update({ city: 'Paris' }, metaFor(admin, 'auditor'))).thenThrows(ForbiddenError);
  });

  it('answers not found for a lead that does not exist', () => {
    spec.given([]).when(update({ city: 'Paris' })).thenThrows(NotFoundError);
  });

  describe('field permissions', () => {
    const policy: FieldPolicy = {
      rules: [
        { role: 'rep', leads: 'all', teamId: null, field: 'dealValue', access: 'read_only' },
        { role: 'rep', leads: 'all', teamId: null, field: 'custom.tier', access: 'visible' },
      ],
      customFields: [{ key: 'tier', label: 'Tier' }],
    };
    const asRep = (changes: Record<string, unknown>): LeadCommand => ({ ...update(changes, asRepA), context: { pipeline, fields: fieldsFor(asRepA, policy) } } as LeadCommand);

    it('refuses a read-only field, naming it, but accepts the same value sent back unchanged', () => {
      spec.given([created()]).when(asRep({ dealValue: 99 })).thenThrows(ForbiddenError, { errors: [{ field: 'body.dealValue', message: 'read-only for your role' }] });
      spec.given([created()]).when(asRep({ dealValue: 1200, city: 'Paris' })).then([{ type: 'LeadDetailsUpdated', data: { leadId, changes: { city: { from: null, to: 'Paris' } } } }]);
    });

    it('keeps custom fields the writer cannot see and refuses naming one', () => {
      spec
        .given([created()])
        .when(asRep({ customFields: { tier: 'silver' } }))
        .then([{ type: 'LeadDetailsUpdated', data: { leadId, changes: { customFields: { from: { tier: 'gold', seats: 5 }, to: { tier: 'silver', seats: 5 } } } } }]);
      spec.given([created()]).when(asRep({ customFields: { tier: 'gold', seats: 6 } })).thenThrows(ForbiddenError, { errors: [{ field: 'body.customFields.seats', message: 'hidden from your role' }] });
    });
  });
});

describe('MoveLeadToStage', () => {
  type Move = Extract<LeadCommand, { type: 'MoveLeadToStage' }>;
  const move = (data: Partial<Move['data']> & { stageId: string }, context: Partial<Move['context']> = {}, meta = asAdmin): LeadCommand => ({
    type: 'MoveLeadToStage',
    data: { leadId, ...data },
    context: { pipeline, above: null, below: null, topRank: null, ...context },
    metadata: meta,
  });
  const other = (id: string, stageId: string, rank: string) => stateOf([created({ id, stageId, rank })]);
  const a = crypto.randomUUID();
  const b = crypto.randomUUID();

  it('moves to the top of another column', () => {
    spec.given([created()]).when(move({ stageId: CONTACTED }, { topRank: 'V' })).then([moved(NEW, CONTACTED, 'G')]);
  });

  it('places the card between the neighbours it was dropped between', () => {
    spec
      .given([created()])
      .when(move({ stageId: CONTACTED, afterLeadId: a, beforeLeadId: b }, { above: other(a, CONTACTED, 'A'), below: other(b, CONTACTED, 'C') }))
      .then([moved(NEW, CONTACTED, 'B')]);
  });

  it('ignores neighbours that are in another stage or are the moved lead', () => {
    spec
      .given([created()])
      .when(move({ stageId: CONTACTED, afterLeadId: a, beforeLeadId: leadId }, { above: other(a, PROPOSAL, 'A'), below: stateOf([created()]), topRank: 'V' }))
      .then([moved(NEW, CONTACTED, 'G')]);
  });

  it('reorders within a stage, and appends nothing when the card is already there', () => {
    spec
      .given([created({ rank: 'V' })])
      .when(move({ stageId: NEW, afterLeadId: a, beforeLeadId: b }, { above: other(a, NEW, 'X'), below: other(b, NEW, 'Z') }))
      .then([moved(NEW, NEW, 'Y')]);
    spec
      .given([created({ rank: 'V' })])
      .when(move({ stageId: NEW, afterLeadId: a, beforeLeadId: b }, { above: other(a, NEW, 'U'), below: other(b, NEW, 'X') }))
      .then([]);
    spec.given([created({ rank: 'V' })]).when(move({ stageId: NEW }, { topRank: 'V' })).then([]);
  });

  it('needs a reason to lose a lead', () => {
    spec.given([created()]).when(move({ stageId: LOST })).thenThrows(IllegalStateError, { rule: 'lost-reason-required' });
    spec.given([created()]).when(move({ stageId: LOST, lostReason: 'no budget' })).then([moved(NEW, LOST, 'V', { lostReason: 'no budget' })]);
  });

  it('records the deal value when a lead is won, and reopens it when moved back', () => {
    spec.given([created()]).when(move({ stageId: WON })).then([moved(NEW, WON, 'V', { wonValue: 1200 })]);
    spec.given([created(), moved(NEW, WON, 'V', { wonValue: 1200 })]).when(move({ stageId: PROPOSAL })).then([moved(WON, PROPOSAL, 'V')]);
  });

  it('refuses a stage that is not in the pipeline', () => {
    spec.given([created()]).when(move({ stageId: crypto.randomUUID() })).thenThrows(IllegalStateError, { rule: 'unknown-stage' });
  });

  it("refuses a rep moving another rep's lead as if it did not exist", () => {
    spec.given([created({ ownerId: repB })]).when(move({ stageId: CONTACTED }, {}, asRepA)).thenThrows(NotFoundError, { message: `Lead ${leadId} not found` });
  });
});

describe('AssignLead', () => {
  const assign = (ownerId: string | null, owner = ownerId ? userWith(ownerId, 'rep') : noUser, meta = asAdmin): LeadCommand => ({
    type: 'AssignLead',
    data: { leadId, ownerId, reason: 'territory' },
    context: { owner },
    metadata: meta,
  });

  const byHand = { via: 'manual' as const, ruleId: null, ruleName: null, matched: [] };
  it('records the previous and the new owner', () => {
    spec.given([created({ ownerId: repA })]).when(assign(repB)).then([{ type: 'LeadAssigned', data: { leadId, previousOwnerId: repA, ownerId: repB, reason: 'territory', ...byHand } }]);
    spec.given([created({ ownerId: repA })]).when(assign(null)).then([{ type: 'LeadAssigned', data: { leadId, previousOwnerId: repA, ownerId: null, reason: 'territory', ...byHand } }]);
  });

  it('appends nothing when the owner does not change', () => {
    spec.given([created({ ownerId: repA })]).when(assign(repA)).then([]);
  });

  it('refuses an owner who may not own leads', () => {
    const analyst = crypto.randomUUID();
    spec.given([created()]).when(assign(analyst, userWith(analyst, 'analyst'))).thenThrows(IllegalStateError, { rule: 'invalid-owner' });
    spec.given([created()]).when(assign(repB, noUser)).thenThrows(IllegalStateError, { rule: 'invalid-owner' });
  });

  it('lets a rep take an unassigned lead but not hand leads to others', () => {
    spec.given([created({ ownerId: null })]).when(assign(repA, userWith(repA, 'rep'), asRepA)).then([{ type: 'LeadAssigned', data: { leadId, previousOwnerId: null, ownerId: repA, reason: 'territory', ...byHand } }]);
    spec.given([created({ ownerId: repA })]).when(assign(repB, userWith(repB, 'rep'), asRepA)).thenThrows(ForbiddenError);
    spec.given([created({ ownerId: repB })]).when(assign(repA, userWith(repA, 'rep'), asRepA)).thenThrows(NotFoundError, { message: `Lead ${leadId} not found` });
  });

  it('answers not found for a lead that does not exist', () => {
    spec.given([]).when(assign(repA)).thenThrows(NotFoundError);
  });
});
