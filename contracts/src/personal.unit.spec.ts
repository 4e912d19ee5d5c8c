import { describe, expect, it } from 'vitest';
import { completeLeadFields } from './leads.ts';
import { ERASED_NAME, erasePersonal, hasPersonalValues, personalValues, withValues } from './personal.ts';

const leadId = '6f1c2b4e-1111-4a2b-8c3d-0123456789ab';
const paths = (type: string, data: unknown) => personalValues(type, data).map((v) => v.path.join('.'));

describe('personal values in events', () => {
  it('a lead: names, email and phone, in creation and in changes (company and deal are not personal)', () => {
    const created = { leadId, fields: completeLeadFields({ firstName: 'Ada', lastName: 'Lovelace', email: 'ada@example.com', phone: '+44 1', company: 'Engines' }) };
    expect(paths('LeadCreated', created)).toEqual(['fields.firstName', 'fields.lastName', 'fields.email', 'fields.phone']);
    const erased = erasePersonal('LeadCreated', created) as typeof created;
    expect(erased.fields).toMatchObject({ firstName: ERASED_NAME, lastName: null, email: null, phone: null, company: 'Engines' });
    const changed = { leadId, changes: { lastName: { from: 'Byron', to: 'Lovelace' }, company: { from: null, to: 'Engines' } } };
    expect(paths('LeadDetailsUpdated', changed)).toEqual(['changes.lastName.from', 'changes.lastName.to']);
    expect(erasePersonal('LeadDetailsUpdated', changed)).toEqual({ leadId, changes: { lastName: { from: null, to: null }, company: { from: null, to: 'Engines' } } });
  });

  it('an activity: subject, description, contact details and free-text outcomes; fixed outcomes and the rest stay', () => {
    const logged = {
      leadId,
      type: 'email',
      subject: 'Hi Ada',
      description: 'Dear Ada',
      details: { direction: 'outbound', from: 'me@example.com', to: ['ada@example.com'], cc: [] },
      completion: { completedAt: '2026-01-01T00:00:00Z', outcome: 'sent', durationMinutes: null },
    };
    expect(erasePersonal('ActivityLogged', logged)).toEqual({ ...logged, subject: ERASED_NAME, description: null, details: { direction: 'outbound', from: null, to: [], cc: [] } });
    const note = { ...logged, type: 'note', details: { pinned: true }, completion: { ...logged.completion, outcome: 'Ada said yes' } };
    expect((erasePersonal('ActivityLogged', note) as typeof note).completion.outcome).toBeNull();
    expect(paths('ActivityCompleted', { outcome: 'no_answer' })).toEqual([]);
    expect(paths('ActivityCompleted', { outcome: 'she will call back' })).toEqual(['outcome']);
    const updated = { changes: { description: { from: null, to: 'x' }, details: { from: { direction: 'inbound', phoneNumber: '1' }, to: { direction: 'outbound', phoneNumber: '2' } }, userId: { from: 'a', to: 'b' } } };
    expect(erasePersonal('ActivityUpdated', updated)).toEqual({
      changes: { description: { from: null, to: null }, details: { from: { direction: 'inbound', phoneNumber: null }, to: { direction: 'outbound', phoneNumber: null } }, userId: { from: 'a', to: 'b' } },
    });
    expect(paths('ActivityDeleted', { reason: 'wrong person' })).toEqual(['reason']);
    expect(paths('LeadMovedToStage', { lostReason: 'budget' })).toEqual([]);
  });

  it('erasing is idempotent, and tells data in clear from data already erased', () => {
    const logged = { leadId, subject: 'Call Ada', description: null, details: { phoneNumber: '555' }, completion: { outcome: 'a note' } };
    const once = erasePersonal('ActivityLogged', logged);
    expect(erasePersonal('ActivityLogged', once)).toEqual(once);
    expect(hasPersonalValues('ActivityLogged', logged)).toBe(true);
    expect(hasPersonalValues('ActivityLogged', once)).toBe(false);
  });

  it('puts values back only at safe paths', () => {
    expect(withValues({ a: { b: 1 } }, [[['a', 'b'], 2]])).toEqual({ a: { b: 2 } });
    expect(() => withValues({ a: {} }, [[['__proto__', 'x'], 1]])).toThrow(/unsafe/);
    expect(() => withValues({ a: 1 }, [[['a', 'b'], 1]])).toThrow(/no place/);
  });
});
