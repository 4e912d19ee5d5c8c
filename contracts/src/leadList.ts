import { z } from 'zod';
import { activityType } from './activities.ts';
import { boardFilterShape, valueRangeIssue, valueRangeOrdered } from './board.ts';
import { checkpoint, isoDateTime, queryMeta, uuid } from './common.ts';

/** Columns the lead list sorts by. `stage` is the pipeline's order, `owner` the owner's name, `value` the deal value. */
export const leadSortKeys = ['name', 'company', 'value', 'stage', 'owner', 'createdAt', 'updatedAt'] as const;
export const leadSort = z.enum(leadSortKeys);
export type LeadSort = z.infer<typeof leadSort>;
export const sortDir = z.enum(['asc', 'desc']);
export type SortDir = z.infer<typeof sortDir>;

/** Without `dir`: dates and values newest/largest first, the rest A to Z. */
export const defaultSortDir = (sort: LeadSort): SortDir => (sort === 'createdAt' || sort === 'updatedAt' || sort === 'value' ? 'desc' : 'asc');

/**
 * The lead list: the board's filters (the same parameters, the same meaning) plus a stage, sorted
 * by one column (ties broken by id) and keyset-paged: `cursor` is the previous page's `nextCursor`
 * and only fits the same sort and direction. Empty values sort last ascending, first descending.
 */
export const leadListQuery = z
  .object({
    ...boardFilterShape,
    stageId: uuid.optional(),
    sort: leadSort.default('createdAt'),
    dir: sortDir.optional(),
    limit: z.coerce.number().int().min(1).max(200).default(50),
    cursor: z.string().max(500).optional(),
    minCheckpoint: checkpoint.optional(),
  })
  .refine(valueRangeOrdered, valueRangeIssue);
export type LeadListQuery = z.infer<typeof leadListQuery>;

/** Global search: at least one character that is not a space. */
export const globalSearchQuery = z.object({
  q: z.string().trim().min(1, 'Type something to search for').max(200),
  minCheckpoint: checkpoint.optional(),
});

/** Which of a lead's fields matched (only fields the reader may see are searched). */
export const searchMatch = z.enum(['name', 'company', 'email', 'phone', 'externalId']);

/** A lead found by search; fields hidden from the reader are absent, as in `leadDto`. */
export const leadSearchHit = z.object({
  id: uuid,
  stageId: uuid,
  stageName: z.string().nullable(),
  ownerName: z.string().nullable(),
  firstName: z.string().nullable().optional(),
  lastName: z.string().nullable().optional(),
  company: z.string().nullable().optional(),
  email: z.string().nullable().optional(),
  phone: z.string().nullable().optional(),
  /** The lead's `customFields.externalId`, when the reader may see that custom field. */
  externalId: z.string().nullable().optional(),
  matched: z.array(searchMatch),
});
export type LeadSearchHit = z.infer<typeof leadSearchHit>;

export const activitySearchHit = z.object({
  id: uuid,
  leadId: uuid,
  leadName: z.string().nullable(),
  type: activityType,
  subject: z.string(),
  createdAt: isoDateTime,
});
export type ActivitySearchHit = z.infer<typeof activitySearchHit>;

export const searchResults = queryMeta.extend({ leads: z.array(leadSearchHit), activities: z.array(activitySearchHit) });
export type SearchResults = z.infer<typeof searchResults>;

/** How many of each the search answers. */
export const SEARCH_LIMIT = 10;
