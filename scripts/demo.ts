import { createLogger, createServer, endSession, SessionStore } from '@leadline/platform';
import { buildCommandApp, defaultStageId } from '@leadline/command';
import { generateLead, seededRandom, vocabulary, type Random } from '@leadline/datagen';
import { defaultStages, type CommandAccepted } from '@leadline/contracts';
import type { Stack } from './stack.ts';

export const DEMO_PASSWORD = 'leadline-demo';
const DAY = 86_400_000;

const demoUsers = [
  { email: 'maria.manager@demo.leadline', name: 'Maria Keller', role: 'manager' },
  { email: 'raj.rep@demo.leadline', name: 'Raj Patel', role: 'rep' },
  { email: 'sofia.rep@demo.leadline', name: 'Sofia García', role: 'rep' },
  { email: 'tom.rep@demo.leadline', name: "Tom O'Brien", role: 'rep' },
  { email: 'yuki.rep@demo.leadline', name: 'Yuki Tanaka', role: 'rep' },
  { email: 'amara.rep@demo.leadline', name: 'Amara Okafor', role: 'rep' },
  { email: 'anna.auditor@demo.leadline', name: 'Anna Lindqvist', role: 'auditor' },
  { email: 'leo.analyst@demo.leadline', name: 'Leo Marchetti', role: 'analyst' },
] as const;

/** The demo's period: its whole history (pipeline, admin, users, leads) starts this long ago. */
export const DEMO_DAYS = 90;

/** Logins to print, one per line. */
export const demoLogins = (): string[] => demoUsers.map((u) => `${u.role.padEnd(8)} ${u.email}`);

// By id, never by name: a user may rename a stage while the seeding runs.
const stageIds = new Map<string, string>(defaultStages.map((stage, index) => [stage.name, defaultStageId(index)]));

type Action =
  | { at: number; leadId: string; kind: 'create'; body: Record<string, unknown> }
  | { at: number; leadId: string; kind: 'move'; stage: string; lostReason?: string }
  | { at: number; leadId: string; kind: 'activity'; body: Record<string, unknown> };

/** What a rep did before moving a lead on: the call, email or meeting that earned the move. */
const touchBefore: Record<string, (r: Random) => Record<string, unknown>> = {
  Qualified: (r) => ({ type: 'call', subject: 'Discovery call', completion: { outcome: 'successful', durationMinutes: r.int(10, 45) } }),
  Contacted: (r) => ({ type: 'email', subject: r.pick(['Sent product overview', 'Shared case study', 'Follow-up with pricing']), completion: { outcome: 'sent' } }),
  Proposal: (r) => ({ type: 'meeting', subject: 'Demo and scoping', details: { location: r.pick(['Video call', 'Their office', 'Our office']) }, completion: { outcome: 'held', durationMinutes: r.pick([30, 45, 60]) } }),
  Won: () => ({ type: 'call', subject: 'Closing call', completion: { outcome: 'successful', durationMinutes: 20 } }),
  Lost: (r) => ({ type: 'call', subject: 'Check-in call', completion: { outcome: r.pick(['no_answer', 'left_voicemail', 'successful']), durationMinutes: 5 } }),
};

/** A lead's path through the default stages: how far it got and how it ended. */
function journey(r: Random, createdAt: number, now: number, leadId: string, ownerId: string | null, adminId: string): Action[] {
  const path = ['Qualified', 'Contacted', 'Proposal'];
  const advance = [0.6, 0.7, 0.6];
  const actions: Action[] = [];
  let t = createdAt;
  const step = () => (t += r.int(1, 12) * DAY * (0.3 + r.next()));
  const touch = (stage: string) =>
    actions.push({ at: Math.max(createdAt + 60_000, t - r.int(1, 20) * 3_600_000), leadId, kind: 'activity', body: { leadId, userId: ownerId ?? adminId, ...touchBefore[stage](r) } });
  // An open lead has its next step scheduled: a follow-up task in the coming days, logged today.
  const withFollowUp = () => {
    if (r.chance(0.6)) {
      const due = new Date(now + r.int(1, 10) * DAY).toISOString();
      actions.push({ at: Math.max(createdAt + 60_000, now - r.int(1, 48) * 3_600_000), leadId, kind: 'activity', body: { leadId, userId: ownerId ?? adminId, type: 'task', subject: r.pick(['Follow up', 'Send proposal draft', 'Book a demo', 'Call back']), scheduledAt: due } });
    }
    return actions;
  };
  const push = (a: Extract<Action, { kind: 'move' }>) => {
    touch(a.stage);
    actions.push(a);
  };
  for (let i = 0; i < path.length; i++) {
    step();
    if (t > now) return withFollowUp();
    if (!r.chance(advance[i])) {
      if (!r.chance(0.35)) return withFollowUp();
      push({ at: t, leadId, kind: 'move', stage: 'Lost', lostReason: r.pick(vocabulary.lostReasons) });
      return actions;
    }
    push({ at: t, leadId, kind: 'move', stage: path[i] });
  }
  step();
  if (t > now || !r.chance(0.8)) return withFollowUp();
  push(r.chance(0.55) ? { at: t, leadId, kind: 'move', stage: 'Won' } : { at: t, leadId, kind: 'move', stage: 'Lost', lostReason: r.pick(vocabulary.lostReasons) });
  return actions;
}

/** Groups consecutive actions on distinct leads so they can run side by side without reordering a lead's own history. */
function chunks(actions: Action[], size: number): Action[][] {
  const out: Action[][] = [];
  let current: Action[] = [];
  let leads = new Set<string>();
  for (const a of actions) {
    if (current.length >= size || leads.has(a.leadId)) {
      out.push(current);
      current = [];
      leads = new Set();
    }
    current.push(a);
    leads.add(a.leadId);
  }
  if (current.length) out.push(current);
  return out;
}

/**
 * Seeds a realistic demo through the command path (HTTP handlers, deciders, event store),
 * with a simulated clock so that leads were created and moved over the past 90 days.
 */
export async function seedDemo(
  stack: Stack,
  options: { leads: number; seed?: number; log: (line: string) => void; progress?: (done: number, total: number) => void; historyStart?: number },
): Promise<void> {
  let now = options.historyStart ?? Date.now() - DEMO_DAYS * DAY;
  const seeder = await createServer({ logger: createLogger('demo', 'warn'), title: 'demo' });
  await seeder.register(buildCommandApp({ pool: stack.pool, eventStore: stack.eventStore, sessionSecret: stack.sessionSecret, cookieSecure: false, clock: () => new Date(now) }));
  await seeder.ready();
  // The seeder signs in as the admin with a session of its own, ended when it is done.
  const session = await new SessionStore(stack.pool, stack.sessionSecret).issue({ userId: stack.admin.userId, ttlSeconds: 3600, userAgent: 'demo seeder' });
  const authorization = `Bearer ${session.token}`;
  const send = async (method: 'POST' | 'PUT', url: string, payload: unknown) => {
    const res = await seeder.inject({ method, url, payload: payload as object, headers: { authorization } });
    return { status: res.statusCode, body: res.json() as CommandAccepted };
  };
  try {
    const userIds: string[] = [];
    for (const u of demoUsers) {
      const res = await send('POST', '/api/users', { ...u, password: DEMO_PASSWORD });
      if (res.status === 409) {
        options.log('Demo data already present: not seeding again.');
        return;
      }
      if (res.status !== 201) throw new Error(`demo user ${u.email}: HTTP ${res.status}`);
      userIds.push(res.body.id);
    }
    const repIds = userIds.filter((_, i) => demoUsers[i].role === 'rep');

    const r = seededRandom(options.seed ?? 20261124);
    const end = Date.now();
    const actions: Action[] = [];
    for (let i = 0; i < options.leads; i++) {
      const leadId = r.uuid();
      const createdAt = now + r.next() * (end - now - DAY);
      const ownerId = r.chance(0.1) ? null : repIds[i % repIds.length];
      actions.push({ at: createdAt, leadId, kind: 'create', body: { id: leadId, ...generateLead(r), ownerId } });
      actions.push(...journey(r, createdAt, end, leadId, ownerId, stack.admin.userId));
    }
    actions.sort((a, b) => a.at - b.at);
    let done = 0;
    options.progress?.(0, actions.length);
    let lastCheckpoint = '';
    for (const group of chunks(actions, 8)) {
      now = group[0].at;
      await Promise.all(
        group.map(async (a) => {
          const res =
            a.kind === 'create'
              ? await send('POST', '/api/leads', a.body)
              : a.kind === 'activity'
                ? await send('POST', '/api/activities', a.body)
                : await send('PUT', `/api/leads/${a.leadId}/move-stage`, { stageId: stageIds.get(a.stage), lostReason: a.lostReason });
          if (res.status >= 300) throw new Error(`demo ${a.kind} ${a.leadId}: HTTP ${res.status} ${JSON.stringify(res.body)}`);
          if (res.body.checkpoint > lastCheckpoint) lastCheckpoint = res.body.checkpoint;
        }),
      );
      done += group.length;
      options.progress?.(done, actions.length);
    }
    await stack.app.inject({ method: 'GET', url: `/api/pipeline/board?minCheckpoint=${lastCheckpoint}`, headers: { authorization } });
    options.log(`Demo seeded: ${options.leads} leads, ${actions.length} commands.`);
  } finally {
    await endSession(stack.pool, stack.admin.userId, session.sessionId, 'demo seeded');
    await seeder.close();
  }
}
