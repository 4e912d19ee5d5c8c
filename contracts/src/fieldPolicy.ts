import { z } from 'zod';
import { checkpoint, isoDateTime, queryMeta, uuid } from './common.ts';

/** What a role may do with a lead field: see and change it, only see it, or neither (it is left out of every answer). */
export const fieldAccessLevels = ['visible', 'read_only', 'hidden'] as const;
export const fieldAccess = z.enum(fieldAccessLevels);
export type FieldAccess = z.infer<typeof fieldAccess>;

/** The built-in lead fields the policy governs (ids, stage, owner and dates of the record itself are not). */
export const policyStandardFields = [
  'firstName', 'lastName', 'email', 'phone', 'company', 'title', 'source', 'industry', 'country', 'city', 'companySize', 'dealValue', 'expectedCloseDate', 'probability',
] as const;
export type PolicyStandardField = (typeof policyStandardFields)[number];

/** How a person calls each built-in lead field (the field-permission grid, the lead list's columns, the server's refusals). */
export const LEAD_FIELD_LABELS: Record<PolicyStandardField, string> = {
  firstName: 'First name', lastName: 'Last name', email: 'Email', phone: 'Phone', company: 'Company', title: 'Job title', source: 'Source', industry: 'Industry',
  country: 'Country', city: 'City', companySize: 'Company size', dealValue: 'Deal value', expectedCloseDate: 'Expected close', probability: 'Probability',
};
/** "deal value", "custom field budget": a field named inside a sentence. */
export const fieldInWords = (field: string): string =>
  field.startsWith('custom.') ? `custom field ${field.slice('custom.'.length)}` : (LEAD_FIELD_LABELS[field as PolicyStandardField] ?? field).toLowerCase();

export const customFieldKey = z.string().min(1).max(64).regex(/^[A-Za-z][A-Za-z0-9_]*$/, 'Use letters, digits and _ only');
/** A governed field: a built-in one, or `custom.<key>` for a key of a lead's customFields. */
export type PolicyField = PolicyStandardField | `custom.${string}`;
export const policyField = z.union([
  z.enum(policyStandardFields),
  z.string().regex(/^custom\.[A-Za-z][A-Za-z0-9_]{0,63}$/, 'a lead field, or custom.<key>') as unknown as z.ZodType<`custom.${string}`>,
]);

/** Admins see and change every field; the policy speaks about the other roles. */
export const policyRoles = ['manager', 'rep', 'auditor', 'analyst'] as const;
export const policyRole = z.enum(policyRoles);
export type PolicyRole = z.infer<typeof policyRole>;

/**
 * Which leads a rule is about: every lead; leads of other teams (owned by someone who shares no
 * team with the viewer; unassigned leads and the viewer's own are never "of other teams"); or
 * leads of one team (owned by one of its members). A team rule outranks an other-teams rule,
 * which outranks an every-lead rule; among rules of one rank the most restrictive wins.
 */
export const ruleLeads = z.enum(['all', 'other_teams', 'team']);
export type RuleLeads = z.infer<typeof ruleLeads>;

export const fieldRule = z
  .object({
    role: policyRole,
    leads: ruleLeads.default('all'),
    teamId: uuid.nullable().default(null),
    field: policyField,
    access: fieldAccess,
  })
  .strict();
export type FieldRule = z.infer<typeof fieldRule>;

/** A custom field the policy knows by key: nobody but admins sees or writes it until a rule grants it. */
export const customFieldDefinition = z.object({ key: customFieldKey, label: z.string().trim().min(1).max(100) }).strict();
export type CustomFieldDefinition = z.infer<typeof customFieldDefinition>;

const ruleKey = (r: Pick<FieldRule, 'role' | 'leads' | 'teamId' | 'field'>): string => `${r.role}|${r.leads}|${r.teamId ?? ''}|${r.field}`;

const policyShape = z.object({
  rules: z.array(fieldRule).max(5000),
  customFields: z.array(customFieldDefinition).max(100),
});

/** The full rule set (what PUT sends and FieldPolicyChanged records). */
export const fieldPolicy = policyShape.strict().superRefine((p, ctx) => {
  const seen = new Set<string>();
  const declared = new Set(p.customFields.map((c) => c.key));
  const keys = new Set<string>();
  p.customFields.forEach((c, i) => {
    if (keys.has(c.key)) ctx.addIssue({ code: 'custom', path: ['customFields', i, 'key'], message: `custom field ${c.key} is declared twice` });
    keys.add(c.key);
  });
  p.rules.forEach((r, i) => {
    if (r.leads === 'team' && r.teamId === null) ctx.addIssue({ code: 'custom', path: ['rules', i, 'teamId'], message: 'a team rule needs a teamId' });
    if (r.leads !== 'team' && r.teamId !== null) ctx.addIssue({ code: 'custom', path: ['rules', i, 'teamId'], message: 'only a team rule names a team' });
    if (r.field.startsWith('custom.') && !declared.has(r.field.slice('custom.'.length)))
      ctx.addIssue({ code: 'custom', path: ['rules', i, 'field'], message: `${r.field} is not a declared custom field` });
    const key = ruleKey(r);
    if (seen.has(key)) ctx.addIssue({ code: 'custom', path: ['rules', i], message: `a rule for ${r.role}, ${r.leads}${r.teamId ? ` ${r.teamId}` : ''}, ${r.field} is given twice` });
    seen.add(key);
  });
});
export type FieldPolicy = z.infer<typeof fieldPolicy>;

/** Today's behaviour, before an admin has saved a policy: analysts never see email and phone. */
export const defaultFieldPolicy: FieldPolicy = {
  rules: [
    { role: 'analyst', leads: 'all', teamId: null, field: 'email', access: 'hidden' },
    { role: 'analyst', leads: 'all', teamId: null, field: 'phone', access: 'hidden' },
  ],
  customFields: [],
};

export const FIELD_POLICY_STREAM = 'fieldpolicy-default';

export const fieldPolicyChangedV1 = policyShape;

/** GET /api/settings/field-permissions: the policy, the version to send back as If-Match. */
export const fieldPolicyDto = queryMeta.extend({
  ...policyShape.shape,
  version: z.number().int().nonnegative(),
  updatedAt: isoDateTime.nullable(),
  updatedBy: z.string().nullable(),
});
export type FieldPolicyDto = z.infer<typeof fieldPolicyDto>;

export const fieldPolicyQuery = z.object({ minCheckpoint: checkpoint.optional() });
