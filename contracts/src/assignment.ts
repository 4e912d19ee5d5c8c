import { z } from 'zod';
import { checkpoint, isoDateTime, queryMeta, uuid } from './common.ts';

/** Lead fields a rule may test, with the kind of value each holds (custom fields are `custom.<name>`). */
export const conditionFieldTypes = {
  source: 'text',
  country: 'text',
  city: 'text',
  industry: 'text',
  companySize: 'text',
  company: 'text',
  title: 'text',
  email: 'text',
  dealValue: 'number',
  score: 'number',
  probability: 'number',
} as const;
export type ConditionFieldType = 'text' | 'number' | 'custom';
export const conditionOperators = ['equals', 'not_equals', 'in', 'contains', 'gt', 'gte', 'lt', 'lte', 'is_empty'] as const;
export type ConditionOperator = (typeof conditionOperators)[number];
export const numericOperators: readonly ConditionOperator[] = ['gt', 'gte', 'lt', 'lte'];

const customField = /^custom\.[A-Za-z][A-Za-z0-9_]{0,63}$/;

export function conditionFieldType(field: string): ConditionFieldType | null {
  if (field in conditionFieldTypes) return conditionFieldTypes[field as keyof typeof conditionFieldTypes];
  return customField.test(field) ? 'custom' : null;
}

/** Which operators a field type allows. */
export function operatorsFor(type: ConditionFieldType): readonly ConditionOperator[] {
  if (type === 'number') return ['equals', 'not_equals', 'in', 'gt', 'gte', 'lt', 'lte', 'is_empty'];
  if (type === 'text') return ['equals', 'not_equals', 'in', 'contains', 'is_empty'];
  return conditionOperators;
}

const scalar = z.union([z.string().max(500), z.number().finite(), z.boolean()]);

export const condition = z
  .object({
    field: z.string().min(1).max(80),
    operator: z.enum(conditionOperators),
    value: z.union([scalar, z.array(scalar).min(1).max(200), z.null()]).optional(),
  })
  .strict()
  .superRefine((c, ctx) => {
    const type = conditionFieldType(c.field);
    if (!type) {
      ctx.addIssue({ code: 'custom', path: ['field'], message: `unknown lead field "${c.field}" (use one of ${Object.keys(conditionFieldTypes).join(', ')} or custom.<name>)` });
      return;
    }
    if (!operatorsFor(type).includes(c.operator)) {
      ctx.addIssue({ code: 'custom', path: ['operator'], message: `${c.operator} does not apply to the ${type} field ${c.field}` });
      return;
    }
    const v = c.value;
    if (c.operator === 'is_empty') {
      if (v !== undefined && v !== null && typeof v !== 'boolean') ctx.addIssue({ code: 'custom', path: ['value'], message: 'is_empty takes no value (or true/false)' });
      return;
    }
    if (c.operator === 'in') {
      if (!Array.isArray(v)) ctx.addIssue({ code: 'custom', path: ['value'], message: 'in needs a list of values' });
      else if (type === 'number' && v.some((x) => typeof x !== 'number')) ctx.addIssue({ code: 'custom', path: ['value'], message: `${c.field} is a number: every value must be a number` });
      return;
    }
    if (v === undefined || v === null || Array.isArray(v)) {
      ctx.addIssue({ code: 'custom', path: ['value'], message: `${c.operator} needs one value` });
      return;
    }
    if ((type === 'number' || numericOperators.includes(c.operator)) && typeof v !== 'number')
      ctx.addIssue({ code: 'custom', path: ['value'], message: `${c.operator} on ${c.field} needs a number` });
    if (c.operator === 'contains' && typeof v !== 'string') ctx.addIssue({ code: 'custom', path: ['value'], message: 'contains needs text' });
    if (type === 'text' && typeof v !== 'string') ctx.addIssue({ code: 'custom', path: ['value'], message: `${c.field} is text: the value must be text` });
  });
export type Condition = z.infer<typeof condition>;

export type ConditionGroup = { all: ConditionNode[] } | { any: ConditionNode[] };
export type ConditionNode = Condition | ConditionGroup;

export const conditionGroup: z.ZodType<ConditionGroup> = z.lazy(() =>
  z.union([z.object({ all: z.array(conditionNode).max(50) }).strict(), z.object({ any: z.array(conditionNode).max(50) }).strict()]),
);
export const conditionNode: z.ZodType<ConditionNode> = z.lazy(() => z.union([conditionGroup, condition]));

export const assignmentTypes = ['round_robin', 'specific_user', 'team'] as const;
export type AssignmentType = (typeof assignmentTypes)[number];

export const ruleBody = z
  .object({
    name: z.string().trim().min(1).max(120),
    priority: z.number().int().min(0).max(100000),
    isActive: z.boolean().default(true),
    conditions: conditionGroup,
    assignmentType: z.enum(assignmentTypes),
    teamId: uuid.nullable().optional(),
    userId: uuid.nullable().optional(),
  })
  .strict()
  .superRefine((r, ctx) => {
    if ((r.assignmentType === 'round_robin' || r.assignmentType === 'team') && !r.teamId) ctx.addIssue({ code: 'custom', path: ['teamId'], message: `${r.assignmentType} needs a teamId` });
    if (r.assignmentType === 'specific_user' && !r.userId) ctx.addIssue({ code: 'custom', path: ['userId'], message: 'specific_user needs a userId' });
  });
export type RuleBody = z.infer<typeof ruleBody>;

export const ruleOrderBody = z.object({ ruleIds: z.array(uuid).min(1).max(1000) }).strict();

export const teamBody = z.object({ name: z.string().trim().min(1).max(120), memberIds: z.array(uuid).max(500) }).strict();
export type TeamBody = z.infer<typeof teamBody>;

export const availabilityBody = z
  .object({ status: z.enum(['available', 'away']), from: isoDateTime.nullable().optional(), until: isoDateTime.nullable().optional() })
  .strict()
  .superRefine((a, ctx) => {
    if (a.status === 'available' && (a.from || a.until)) ctx.addIssue({ code: 'custom', path: ['status'], message: 'from/until apply to away only' });
    if (a.from && a.until && Date.parse(a.until) <= Date.parse(a.from)) ctx.addIssue({ code: 'custom', path: ['until'], message: 'until must be after from' });
  });
export type AvailabilityBody = z.infer<typeof availabilityBody>;

export const capacityBody = z.object({ maxOpenLeads: z.number().int().min(0).max(100000).nullable() }).strict();

export const userIdParams = z.object({ id: uuid });
export const ruleIdParams = z.object({ id: uuid });

/** How an assignment came about. */
export const assignmentVia = z.enum(['manual', 'rule', 'auto_assign', 'redistribution']);
export type AssignmentVia = z.infer<typeof assignmentVia>;

export const teamSavedV1 = z.object({ teamId: uuid, name: z.string(), memberIds: z.array(uuid) });
export const userAvailabilitySetV1 = z.object({ userId: uuid, status: z.enum(['available', 'away']), from: isoDateTime.nullable(), until: isoDateTime.nullable() });
export const userCapacitySetV1 = z.object({ userId: uuid, maxOpenLeads: z.number().int().nullable() });
export const assignmentRuleSavedV1 = z.object({
  ruleId: uuid,
  name: z.string(),
  priority: z.number().int(),
  isActive: z.boolean(),
  conditions: z.unknown() as z.ZodType<ConditionGroup>,
  assignmentType: z.enum(assignmentTypes),
  teamId: uuid.nullable(),
  userId: uuid.nullable(),
});
export const assignmentRuleDeletedV1 = z.object({ ruleId: uuid });
export const assignmentRulesReorderedV1 = z.object({ ruleIds: z.array(uuid) });
export const roundRobinTurnTakenV1 = z.object({ ruleId: uuid, teamId: uuid, leadId: uuid, userId: uuid });
/** The routing process manager's decision for one new lead, in `routing-<leadId>` (first decision wins). */
export const leadRoutedV1 = z.object({
  leadId: uuid,
  triggerEventId: uuid,
  outcome: z.enum(['assigned', 'unassigned']),
  ruleId: uuid.nullable(),
  ruleName: z.string().nullable(),
  ownerId: uuid.nullable(),
  matched: z.array(z.string()),
  reason: z.string(),
});

export const ruleDto = z.object({
  id: uuid,
  name: z.string(),
  priority: z.number().int(),
  isActive: z.boolean(),
  conditions: z.unknown(),
  assignmentType: z.enum(assignmentTypes),
  teamId: uuid.nullable(),
  userId: uuid.nullable(),
  version: z.number().int(),
  updatedAt: isoDateTime,
});
export type RuleDto = Omit<z.infer<typeof ruleDto>, 'conditions'> & { conditions: ConditionGroup };

export const teamDto = z.object({ id: uuid, name: z.string(), memberIds: z.array(uuid), version: z.number().int(), updatedAt: isoDateTime });
export type TeamDto = z.infer<typeof teamDto>;

export const assignmentHistoryEntry = z.object({
  id: uuid,
  kind: z.enum(['created', 'assigned', 'unrouted']),
  at: isoDateTime,
  previousOwnerId: uuid.nullable(),
  previousOwnerName: z.string().nullable(),
  ownerId: uuid.nullable(),
  ownerName: z.string().nullable(),
  actorId: z.string(),
  actorName: z.string().nullable(),
  via: assignmentVia,
  ruleId: uuid.nullable(),
  ruleName: z.string().nullable(),
  matched: z.array(z.string()),
  reason: z.string().nullable(),
  summary: z.string(),
});
export type AssignmentHistoryEntry = z.infer<typeof assignmentHistoryEntry>;
export const assignmentHistory = queryMeta.extend({ items: z.array(assignmentHistoryEntry) });

export const workloadRow = z.object({
  userId: uuid,
  name: z.string(),
  role: z.string(),
  openLeads: z.number().int(),
  byStage: z.array(z.object({ stageId: uuid, stageName: z.string(), count: z.number().int() })),
  /** Absent when the user's deal values (weighted: or probabilities) are hidden from the reader (field permissions). */
  totalValue: z.number().optional(),
  weightedValue: z.number().optional(),
  rottingLeads: z.number().int(),
  maxOpenLeads: z.number().int().nullable(),
  availability: z.enum(['available', 'away']),
  awayUntil: isoDateTime.nullable(),
  teamIds: z.array(uuid),
});
export type WorkloadRow = z.infer<typeof workloadRow>;
export const workload = queryMeta.extend({ items: z.array(workloadRow), at: isoDateTime });

export const availabilityDto = z.object({ userId: uuid, status: z.enum(['available', 'away']), from: isoDateTime.nullable(), until: isoDateTime.nullable(), maxOpenLeads: z.number().int().nullable() });

export const autoAssignResponse = z.object({
  results: z.array(z.object({ leadId: uuid, outcome: z.enum(['assigned', 'unassigned', 'skipped']), ownerId: uuid.nullable(), ruleName: z.string().nullable(), reason: z.string() })),
  checkpoint,
});

/** v2 records how the assignment came about: the rule, the conditions it matched, the reason. */
export const leadAssignedV2 = z.object({
  leadId: uuid,
  previousOwnerId: uuid.nullable(),
  ownerId: uuid.nullable(),
  reason: z.string().nullable(),
  via: assignmentVia,
  ruleId: uuid.nullable(),
  ruleName: z.string().nullable(),
  matched: z.array(z.string()),
});

// ---- Bulk assignment, redistribution, simulation ----

/** The leads a bulk assignment covers: named ids, or every lead matching the board's filter (optionally one pipeline / stage). */
export const bulkAssignFilter = z
  .object({
    pipelineId: uuid.optional(),
    stageId: uuid.optional(),
    ownerId: z.union([uuid, z.literal('none')]).optional(),
    source: z.string().trim().min(1).max(100).optional(),
    minValue: z.number().min(0).max(1e13).optional(),
    maxValue: z.number().min(0).max(1e13).optional(),
    q: z.string().trim().min(1).max(200).optional(),
    openOnly: z.boolean().default(true),
  })
  .strict();
export type BulkAssignFilter = z.infer<typeof bulkAssignFilter>;
export const BULK_ASSIGN_MAX = 10000;
export const bulkAssignBody = z
  .object({
    leadIds: z.array(uuid).min(1).max(BULK_ASSIGN_MAX).optional(),
    filter: bulkAssignFilter.optional(),
    userId: uuid.nullable(),
    reason: z.string().trim().max(500).optional(),
  })
  .strict()
  .superRefine((b, ctx) => {
    if (!b.leadIds === !b.filter) ctx.addIssue({ code: 'custom', path: ['leadIds'], message: 'give either leadIds or filter (exactly one)' });
  });
export type BulkAssignBody = z.infer<typeof bulkAssignBody>;
export const bulkAssignResult = z.object({ leadId: uuid, outcome: z.enum(['assigned', 'unchanged', 'failed']), reason: z.string().nullable(), checkpoint: z.string().nullable() });
export type BulkAssignResult = z.infer<typeof bulkAssignResult>;
/** One line of the NDJSON answer of `POST /api/leads/bulk-assign`. */
export type BulkAssignLine =
  | { type: 'started'; jobId: string; total: number }
  | { type: 'progress'; done: number; total: number; assigned: number; unchanged: number; failed: number }
  | { type: 'done'; jobId: string; total: number; assigned: number; unchanged: number; failed: number; results: BulkAssignResult[]; checkpoint: string }
  | { type: 'error'; message: string };

export const redistributeBody = z
  .object({
    /** Users to move leads away from; default: every user away now or above their cap. */
    fromUserIds: z.array(uuid).min(1).max(500).optional(),
    dryRun: z.boolean().default(true),
    /** With dryRun false: the id the dry run answered, confirming its plan. */
    redistributionId: uuid.optional(),
    /** With dryRun false: the moves of the plan shown, as confirmed. */
    moves: z.array(z.object({ leadId: uuid, fromUserId: uuid, toUserId: uuid }).strict()).max(BULK_ASSIGN_MAX).optional(),
    limit: z.number().int().min(1).max(BULK_ASSIGN_MAX).default(2000),
  })
  .strict()
  .superRefine((b, ctx) => {
    if (!b.dryRun && !b.redistributionId) ctx.addIssue({ code: 'custom', path: ['redistributionId'], message: 'confirm the plan of a dry run: give its redistributionId' });
    if (!b.dryRun && !b.moves) ctx.addIssue({ code: 'custom', path: ['moves'], message: 'confirm the plan of a dry run: give its moves' });
  });
export const redistributionMove = z.object({
  leadId: uuid,
  leadName: z.string(),
  fromUserId: uuid,
  fromName: z.string(),
  toUserId: uuid,
  toName: z.string(),
  ruleName: z.string().nullable(),
  reason: z.string(),
});
export type RedistributionMove = z.infer<typeof redistributionMove>;
export const redistributionPlan = z.object({
  redistributionId: uuid,
  dryRun: z.boolean(),
  moves: z.array(redistributionMove),
  /** Leads that would stay where they are, with why (no rule matched, no eligible user). */
  kept: z.array(z.object({ leadId: uuid, leadName: z.string(), fromUserId: uuid, reason: z.string() })),
  sources: z.array(z.object({ userId: uuid, name: z.string(), why: z.string() })),
  results: z.array(z.object({ leadId: uuid, outcome: z.enum(['moved', 'skipped']), reason: z.string().nullable() })).optional(),
  checkpoint: z.string(),
});
export type RedistributionPlan = z.infer<typeof redistributionPlan>;
export const redistributionIdParams = z.object({ id: uuid });
export const undoResponse = z.object({
  redistributionId: uuid,
  results: z.array(z.object({ leadId: uuid, outcome: z.enum(['restored', 'skipped']), reason: z.string().nullable() })),
  checkpoint: z.string(),
});
export const redistributionDto = z.object({
  id: uuid,
  at: isoDateTime,
  actorId: z.string(),
  moves: z.number().int(),
  undoneAt: isoDateTime.nullable(),
  restored: z.number().int().nullable(),
});
export type RedistributionDto = z.infer<typeof redistributionDto>;

/** A redistribution's plan as confirmed, in `redistribution-<id>`; each move is then its own LeadAssigned. */
export const leadsRedistributedV1 = z.object({
  redistributionId: uuid,
  moves: z.array(z.object({ leadId: uuid, fromUserId: uuid, toUserId: uuid, reason: z.string(), ruleId: uuid.nullable(), ruleName: z.string().nullable() })),
});
export const redistributionUndoneV1 = z.object({
  redistributionId: uuid,
  restored: z.array(uuid),
  skipped: z.array(z.object({ leadId: uuid, reason: z.string() })),
});

export const SIMULATION_MAX_LEADS = 20000;
export const simulateBody = z
  .object({
    rules: z.array(ruleBody).max(500),
    from: isoDateTime,
    to: isoDateTime,
  })
  .strict()
  .superRefine((b, ctx) => {
    if (Date.parse(b.to) <= Date.parse(b.from)) ctx.addIssue({ code: 'custom', path: ['to'], message: 'to must be after from' });
  });
export type SimulateBody = z.infer<typeof simulateBody>;
export const simulationResult = z.object({
  from: isoDateTime,
  to: isoDateTime,
  leads: z.number().int(),
  /** Per owner (null = unassigned): how many leads the draft rules would have given, and how many they actually got first. */
  byUser: z.array(z.object({ userId: uuid.nullable(), name: z.string(), simulated: z.number().int(), actual: z.number().int() })),
  byRule: z.array(z.object({ ruleName: z.string().nullable(), simulated: z.number().int() })),
  changed: z.number().int(),
  /** The first leads whose owner would differ (up to 200). */
  differences: z.array(z.object({ leadId: uuid, leadName: z.string(), createdAt: isoDateTime, actualOwnerId: uuid.nullable(), simulatedOwnerId: uuid.nullable(), ruleName: z.string().nullable(), reason: z.string() })),
});
export type SimulationResult = z.infer<typeof simulationResult>;
