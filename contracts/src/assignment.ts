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
  kind: z.enum(['assigned', 'unrouted']),
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
  totalValue: z.number(),
  weightedValue: z.number(),
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
