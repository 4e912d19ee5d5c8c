import type { CommandAccepted, PipelineDto, StageDto } from '@leadline/contracts';
import type { TestStack } from './stack.ts';

/**
 * Names that run script if anything renders them as HTML. Each sets `window.__xss` to where it
 * came from, so a failure says which field leaked. Short enough for every field (stage names: 50).
 */
const img = (tag: string) => `${tag}<img src=x onerror="window.__xss='${tag}'">`;
const script = (tag: string) => `${tag}<script>window.__xss='${tag}'</script>`;
const svg = (tag: string) => `${tag}"><svg onload=window.__xss='${tag}'>`;

export const HOSTILE = {
  /** The default pipeline's six stages in order (New … Won, Lost): every payload reaches every chart. */
  stages: [img('New'), svg('Qualified'), script('Contacted'), img('Offer'), svg('Won'), img('Lost')],
  pipeline: img('Pipe'),
  manager: svg('Mgr'),
  rep: img('Rep'),
  rep2: script('Rita'),
  team: svg('Team'),
  rule: img('Rule'),
  lostReason: img('Reason'),
  firstName: img('First'),
  lastName: svg('Last'),
  company: script('Co'),
  otherCompany: img('Other'),
  subject: svg('Subject'),
  description: img('Description'),
  template: img('Template'),
  templateSubject: svg('Tsubject'),
} as const;

export type HostileSeed = { leadId: string; otherLeadId: string; stages: StageDto[] };

const ok = <T>(what: string, res: { status: number; body: T }): T => {
  if (res.status >= 300) throw new Error(`${what}: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
};

/** Seeds every kind of name the web app shows, through the real API, as the admin. */
export async function seedHostileNames(s: TestStack, admin: string): Promise<HostileSeed> {
  const call = async <T = CommandAccepted>(method: string, url: string, body?: unknown) => ok<T>(`${method} ${url}`, await s.api<T>(method, url, admin, body));
  let stages: StageDto[] = [];
  for (let tries = 0; stages.length < 6; tries++) {
    if (tries > 150) throw new Error('the default stages never showed up');
    const res = await s.api<StageDto[]>('GET', '/api/pipeline/stages', admin);
    stages = Array.isArray(res.body) ? res.body : [];
    if (stages.length < 6) await new Promise((r) => setTimeout(r, 100));
  }
  for (const [i, stage] of stages.entries()) await call('PUT', `/api/pipeline/stages/${stage.id}`, { name: HOSTILE.stages[i] });
  const pipelineId = (await call<PipelineDto[]>('GET', '/api/pipelines')).find((p) => p.isDefault)!.id;
  await call('POST', '/api/pipelines', { name: HOSTILE.pipeline });
  await call('PUT', '/api/pipeline/lost-reasons', { pipelineId, reasons: [HOSTILE.lostReason], allowFreeText: true });

  const manager = await call('POST', '/api/users', { email: 'mgr@test.local', name: HOSTILE.manager, role: 'manager', password: 'manager-password-1' });
  const rep = await call('POST', '/api/users', { email: 'rep@test.local', name: HOSTILE.rep, role: 'rep', password: 'rep-password-1' });
  const rep2 = await call('POST', '/api/users', { email: 'rita@test.local', name: HOSTILE.rep2, role: 'rep', password: 'rita-password-1' });
  const team = await call('POST', '/api/teams', { name: HOSTILE.team, memberIds: [rep.id, rep2.id] });
  await call('POST', '/api/assignments/rules', { name: HOSTILE.rule, priority: 1, conditions: { all: [{ field: 'country', operator: 'in', value: ['DE'] }] }, assignmentType: 'round_robin', teamId: team.id });
  await call('POST', '/api/activity-templates', { name: HOSTILE.template, type: 'call', subject: HOSTILE.templateSubject, description: HOSTILE.description });

  // The rule routes this lead to a rep of the team; it then walks every stage to Lost, so the funnel and time in stage have data.
  const lead = await call('POST', '/api/leads', { firstName: HOSTILE.firstName, lastName: HOSTILE.lastName, company: HOSTILE.company, country: 'DE', dealValue: 5000 });
  const other = await call('POST', '/api/leads', { company: HOSTILE.otherCompany, ownerId: manager.id, dealValue: 9000 });
  for (const stage of stages.slice(1, 4)) {
    await call('PUT', `/api/leads/${lead.id}/move-stage`, { stageId: stage.id });
    await call('PUT', `/api/leads/${other.id}/move-stage`, { stageId: stage.id });
  }
  await call('PUT', `/api/leads/${other.id}/move-stage`, { stageId: stages[4].id });
  await call('PUT', `/api/leads/${lead.id}/move-stage`, { stageId: stages[5].id, lostReason: HOSTILE.lostReason });
  await call('POST', '/api/activities', { type: 'note', leadId: lead.id, subject: HOSTILE.subject, description: HOSTILE.description });
  const last = await call('POST', '/api/activities', { type: 'task', leadId: other.id, subject: HOSTILE.subject });
  ok('board', await s.api('GET', `/api/pipeline/board?minCheckpoint=${last.checkpoint}`, admin));
  return { leadId: lead.id, otherLeadId: other.id, stages };
}
