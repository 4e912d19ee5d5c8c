import { z } from 'zod';
import { checkpoint, isoDate, isoDateTime, money, probability, queryMeta, uuid } from './common.ts';

const text = (max: number) => z.string().trim().max(max);

/** Custom fields: a flat object of scalar values, bounded in size. */
export const customFields = z
  .record(z.string().min(1).max(64).regex(/^[A-Za-z][A-Za-z0-9_]*$/, 'Use letters, digits and _ only'), z.union([z.string().max(2000), z.number(), z.boolean(), z.null()]))
  .refine((o) => Object.keys(o).length <= 100, 'Use at most 100 custom fields');

/** Editable lead fields; each may be null to clear it (except the name rule on creation). */
export const leadFields = z.object({
  firstName: text(100).nullable(),
  lastName: text(100).nullable(),
  email: z.string().trim().toLowerCase().max(254).pipe(z.email()).nullable(),
  phone: text(40).regex(/^[0-9+()\-.\s]*$/, 'Use digits, spaces and + ( ) - . only').nullable(),
  company: text(200).nullable(),
  title: text(200).nullable(),
  source: text(100).nullable(),
  industry: text(100).nullable(),
  country: text(100).nullable(),
  city: text(100).nullable(),
  companySize: text(50).nullable(),
  dealValue: money.nullable(),
  expectedCloseDate: isoDate.nullable(),
  probability: probability.nullable(),
  customFields,
});
export type LeadFields = z.infer<typeof leadFields>;
export const leadFieldNames = Object.keys(leadFields.shape) as (keyof LeadFields)[];

/** Every lead field, with what was not given as null (custom fields as an empty object). */
export const completeLeadFields = (given: Partial<LeadFields> = {}): LeadFields =>
  Object.fromEntries(leadFieldNames.map((name) => [name, given[name] ?? (name === 'customFields' ? {} : null)])) as LeadFields;

export const createLeadBody = leadFields
  .partial()
  .extend({
    id: uuid.optional(),
    pipelineId: uuid.optional(),
    stageId: uuid.optional(),
    ownerId: uuid.nullable().optional(),
  })
  .strict()
  .refine((l) => Boolean(l.firstName || l.lastName || l.company), {
    message: 'Enter a first name, a last name or a company',
    path: ['lastName'],
  });
export type CreateLeadBody = z.infer<typeof createLeadBody>;

export const updateLeadBody = leadFields
  .partial()
  .strict()
  .refine((l) => Object.keys(l).length > 0, { message: 'nothing to update', path: [] });
export type UpdateLeadBody = z.infer<typeof updateLeadBody>;

export const moveLeadBody = z
  .object({
    stageId: uuid,
    beforeLeadId: uuid.optional(),
    afterLeadId: uuid.optional(),
    lostReason: z.string().trim().min(1).max(500).optional(),
  })
  .strict();
export type MoveLeadBody = z.infer<typeof moveLeadBody>;

export const assignLeadsBody = z
  .object({
    leadIds: z.array(uuid).min(1).max(500),
    userId: uuid.nullable(),
    reason: z.string().trim().max(500).optional(),
  })
  .strict();
export type AssignLeadsBody = z.infer<typeof assignLeadsBody>;

export const assignLeadsResponse = z.object({
  results: z.array(z.object({ id: uuid, version: z.number().int(), checkpoint })),
  checkpoint,
});

export const leadIdParams = z.object({ id: uuid });

/** Full field values as recorded at creation (absent fields are null). */
export const leadCreatedV1 = z.object({
  leadId: uuid,
  pipelineId: uuid,
  stageId: uuid,
  rank: z.string(),
  ownerId: uuid.nullable(),
  fields: leadFields,
});

export const fieldChange = z.object({ from: z.unknown(), to: z.unknown() });
export const leadDetailsUpdatedV1 = z.object({ leadId: uuid, changes: z.record(z.string(), fieldChange) });

export const leadMovedToStageV1 = z.object({
  leadId: uuid,
  pipelineId: uuid,
  fromStageId: uuid,
  toStageId: uuid,
  rank: z.string(),
  lostReason: z.string().nullable(),
  /** Set when the target stage is a won stage: the value won. */
  wonValue: money.nullable(),
});

/** Deal value, expected close date and probability each change by their own event (not LeadDetailsUpdated). */
export const leadDealValueChangedV1 = z.object({ leadId: uuid, from: money.nullable(), to: money.nullable() });
export const leadExpectedCloseDateChangedV1 = z.object({ leadId: uuid, from: isoDate.nullable(), to: isoDate.nullable() });
/** null = the lead follows its stage's probability. */
export const leadProbabilityChangedV1 = z.object({ leadId: uuid, from: probability.nullable(), to: probability.nullable() });

/** Reopen a won or lost lead: into stageId, else the open stage it was last in, else the first open stage. */
export const reopenLeadBody = z.object({ stageId: uuid.optional() }).strict();

export const leadAssignedV1 = z.object({
  leadId: uuid,
  previousOwnerId: uuid.nullable(),
  ownerId: uuid.nullable(),
  reason: z.string().nullable(),
});

/** Fields hidden from the reader by the field permissions are absent (not null). */
export const leadDto = leadFields.partial().extend({
  id: uuid,
  pipelineId: uuid,
  stageId: uuid,
  ownerId: uuid.nullable(),
  ownerName: z.string().nullable(),
  rank: z.string(),
  lostReason: z.string().nullable(),
  wonAt: isoDateTime.nullable(),
  version: z.number().int(),
  createdAt: isoDateTime,
  updatedAt: isoDateTime,
  /** When the person was forgotten: names read "Erased", email, phone and activity texts are gone. */
  forgottenAt: isoDateTime.nullable(),
  /** Fields the reader may see but not change (field permissions): `dealValue`, `custom.<key>`... */
  readOnlyFields: z.array(z.string()).optional(),
});
export type LeadDto = z.infer<typeof leadDto>;

export const leadCard = z.object({
  id: uuid,
  pipelineId: uuid,
  stageId: uuid,
  rank: z.string(),
  /** Absent when hidden from the reader by the field permissions. */
  firstName: z.string().nullable().optional(),
  lastName: z.string().nullable().optional(),
  company: z.string().nullable().optional(),
  dealValue: z.number().nullable().optional(),
  ownerId: uuid.nullable(),
  ownerName: z.string().nullable(),
  version: z.number().int(),
  updatedAt: isoDateTime,
  /** The later of updatedAt and the last activity logged or completed on the lead: what rotting measures from. */
  touchedAt: isoDateTime,
});
export type LeadCard = z.infer<typeof leadCard>;

export const leadPage = queryMeta.extend({ items: z.array(leadDto), nextCursor: z.string().nullable() });
