import crypto from 'node:crypto';
import { describe, it } from 'vitest';
import { ForbiddenError, NotFoundError } from '@leadline/platform';
import type { EventPayload } from '../events.ts';
import { deciderSpec } from '../testing/decider.ts';
import { NEW, PIPELINE_ID, emptyFields, metaFor } from '../testing/fixtures.ts';
import { forgetLead, type ForgetLead } from './forget.ts';
import { evolve, initialState, type LeadEvent, type LeadState } from './lead.ts';

const spec = deciderSpec<ForgetLead, LeadState, LeadEvent>({ initialState, evolve, decide: forgetLead });

const leadId = crypto.randomUUID();
const created: LeadEvent = { type: 'LeadCreated', data: { leadId, pipelineId: PIPELINE_ID, stageId: NEW, rank: 'V', ownerId: null, fields: { ...emptyFields, firstName: 'Ada' } } };
const forgotten: EventPayload<'LeadForgotten'> = { type: 'LeadForgotten', data: { leadId, reason: 'request 17' } };
const forget = (role: 'admin' | 'manager' | 'rep' | 'auditor'): ForgetLead => ({ type: 'ForgetLead', data: { leadId, reason: 'request 17' }, metadata: metaFor(crypto.randomUUID(), role) });

describe('forgetting a person', () => {
  it('an admin forgets a lead: LeadForgotten with the reason', () => spec.given([created]).when(forget('admin')).then([forgotten]));
  it('only once: a forgotten lead appends nothing', () => spec.given([created, forgotten]).when(forget('admin')).then([]));
  it.each(['manager', 'rep', 'auditor'] as const)('a %s may not', (role) => spec.given([created]).when(forget(role)).thenThrows(ForbiddenError));
  it('a missing lead is 404', () => spec.given([]).when(forget('admin')).thenThrows(NotFoundError));
});
