import { ForbiddenError, NotFoundError } from '@leadline/platform';
import type { CommandMetadata, EventPayload } from '../events.ts';
import type { LeadState } from './lead.ts';

export type ForgetLead = { type: 'ForgetLead'; data: { leadId: string; reason: string }; metadata: CommandMetadata };

/** Only an admin forgets a person, once; the event names why (who and when are its metadata). */
export function forgetLead(command: ForgetLead, state: LeadState): EventPayload<'LeadForgotten'>[] {
  const { data, metadata } = command;
  if (metadata.actor.role !== 'admin') throw new ForbiddenError('Only an admin may forget a person');
  if (state.status !== 'active') throw new NotFoundError(`Lead ${data.leadId} not found`);
  if (state.forgotten) return [];
  return [{ type: 'LeadForgotten', data: { leadId: state.id, reason: data.reason } }];
}
