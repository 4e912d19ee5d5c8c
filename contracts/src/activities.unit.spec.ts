import { describe, expect, it } from 'vitest';
import { activityListQuery, activityTemplateBody, activityTypes, bulkActivitiesBody, createActivityBody } from './activities.ts';
import { timelineQuery } from './timeline.ts';

const leadId = '6f1c2b4e-1111-4a2b-8c3d-0123456789ab';
const paths = (r: { success: boolean; error?: { issues: { path: PropertyKey[] }[] } }) => r.error?.issues.map((i) => i.path.join('.')) ?? [];

describe('createActivityBody: a discriminated union on type', () => {
  it.each(activityTypes)('accepts a minimal %s and fills its details with defaults', (type) => {
    const parsed = createActivityBody.parse({ type, leadId, subject: 'Hello' });
    expect(parsed.type).toBe(type);
    expect(parsed.details).toBeTypeOf('object');
    expect(parsed.completion).toBeNull();
  });

  const valid: Record<(typeof activityTypes)[number], { details: unknown; outcome: string }> = {
    call: { details: { direction: 'inbound', phoneNumber: '+1 555 0100' }, outcome: 'no_answer' },
    email: { details: { direction: 'outbound', from: 'Me@Example.com', to: ['ada@example.com'], cc: [] }, outcome: 'sent' },
    meeting: { details: { attendees: ['Ada', 'Grace'], location: 'HQ', meetingUrl: 'https://meet.example.com/x' }, outcome: 'held' },
    note: { details: { pinned: true }, outcome: 'written down' },
    task: { details: { priority: 'high' }, outcome: 'done' },
    sms: { details: { direction: 'outbound', phoneNumber: '555-0100' }, outcome: 'delivered' },
  };
  it.each(activityTypes)('accepts the details and outcomes of a %s', (type) => {
    const parsed = createActivityBody.parse({ type, leadId, subject: 'x', details: valid[type].details, completion: { outcome: valid[type].outcome, durationMinutes: 5 } });
    expect(parsed.completion?.outcome).toBe(valid[type].outcome);
  });

  it('refuses details of another type, unknown keys and an outcome of another type, naming the fields', () => {
    expect(paths(createActivityBody.safeParse({ type: 'call', leadId, subject: 'x', details: { attendees: [] } }))).toEqual(['details']);
    expect(paths(createActivityBody.safeParse({ type: 'call', leadId, subject: 'x', details: { direction: 'up' } }))).toEqual(['details.direction']);
    expect(paths(createActivityBody.safeParse({ type: 'call', leadId, subject: 'x', completion: { outcome: 'held' } }))).toEqual(['completion.outcome']);
    expect(paths(createActivityBody.safeParse({ type: 'email', leadId, subject: 'x', details: { to: ['not-an-address'] } }))).toEqual(['details.to.0']);
    expect(paths(createActivityBody.safeParse({ type: 'fax', leadId, subject: 'x' }))).toEqual(['type']);
    expect(paths(createActivityBody.safeParse({ type: 'note', leadId, subject: ' ' }))).toEqual(['subject']);
    expect(paths(createActivityBody.safeParse({ type: 'task', leadId, subject: 'x', completion: { durationMinutes: -1 } }))).toEqual(['completion.durationMinutes']);
  });

  it('names the failing item of a bulk body', () => {
    const r = bulkActivitiesBody.safeParse({ activities: [{ type: 'note', leadId, subject: 'ok' }, { type: 'call', leadId: 'nope', subject: 'x' }] });
    expect(paths(r)).toEqual(['activities.1.leadId']);
  });

  it('checks template details against the template type', () => {
    expect(activityTemplateBody.safeParse({ name: 'Discovery', type: 'call', subject: 'Discovery call', details: { direction: 'inbound' } }).success).toBe(true);
    expect(paths(activityTemplateBody.safeParse({ name: 'Discovery', type: 'call', subject: 'x', details: { priority: 'high' } }))).toEqual(['details']);
  });

  it('parses list and timeline filters', () => {
    expect(activityListQuery.parse({ type: 'call,email', completed: 'false' })).toMatchObject({ type: ['call', 'email'], completed: false, limit: 50 });
    expect(activityListQuery.safeParse({ type: 'call,fax' }).success).toBe(false);
    expect(timelineQuery.parse({ kinds: 'note,stage' }).kinds).toEqual(['note', 'stage']);
    expect(timelineQuery.safeParse({ kinds: 'nope' }).success).toBe(false);
  });
});
