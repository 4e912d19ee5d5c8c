import { z } from 'zod';
import { callOutcomes, emailOutcomes, meetingOutcomes, smsOutcomes, taskOutcomes } from './activities.ts';
import { uuid } from './common.ts';

/**
 * Personal data inside events: where it sits in each event type's data and what stands in its
 * place once it is sealed or erased. One table for the whole product: the sealing store encrypts
 * exactly these values, forgetting rewrites exactly these values, and the projections erase exactly
 * these columns, so a rebuild after a forget gives the rows the forget left (docs/security.md).
 */

/** What a forgotten lead's name reads everywhere. */
export const ERASED_NAME = 'Erased';

/** The lead's personal fields and their placeholders: names read "Erased", the rest is empty. */
export const personalLeadFields = { firstName: ERASED_NAME, lastName: null, email: null, phone: null } as const;

/** Activity free text; the subject is required, so it reads "Erased". */
export const personalActivityFields = { subject: ERASED_NAME, description: null } as const;

/** Type-specific activity details that name or reach a person (numbers, addresses, attendees, places, links). */
export const personalDetailFields: Record<string, unknown> = { phoneNumber: null, from: null, to: [], cc: [], attendees: [], location: null, meetingUrl: null };

const fixedOutcomes = new Set<string>([...callOutcomes, ...meetingOutcomes, ...emailOutcomes, ...smsOutcomes, ...taskOutcomes]);

/** A note's outcome is free text; every other type's outcome is one of a fixed list and stays readable. */
export const isFreeTextOutcome = (outcome: unknown): outcome is string => typeof outcome === 'string' && !fixedOutcomes.has(outcome);

/** One personal value: its path in the event data and the placeholder that replaces it. */
export type PersonalValue = { path: string[]; erased: unknown };

type Data = Record<string, unknown>;
const isObject = (v: unknown): v is Data => typeof v === 'object' && v !== null && !Array.isArray(v);
const own = (o: unknown, key: string): boolean => isObject(o) && Object.hasOwn(o, key);

const detailValues = (details: unknown, prefix: string[]): PersonalValue[] =>
  Object.keys(personalDetailFields)
    .filter((k) => own(details, k))
    .map((k) => ({ path: [...prefix, k], erased: personalDetailFields[k] }));

/** The event types whose data can hold personal values; each also carries the lead it belongs to (`data.leadId`). */
export const personalEventTypes = ['LeadCreated', 'LeadDetailsUpdated', 'ActivityLogged', 'ActivityUpdated', 'ActivityCompleted', 'ActivityDeleted'] as const;
const personalTypes = new Set<string>(personalEventTypes);

export const holdsPersonalData = (type: string): boolean => personalTypes.has(type);

/** The personal values present in an event's data (in the domain shape, sealed or not). */
export function personalValues(type: string, data: unknown): PersonalValue[] {
  if (!isObject(data)) return [];
  switch (type) {
    case 'LeadCreated':
      return Object.entries(personalLeadFields).map(([f, erased]) => ({ path: ['fields', f], erased }));
    case 'LeadDetailsUpdated':
      return Object.entries(personalLeadFields)
        .filter(([f]) => own(data.changes, f))
        .flatMap(([f, erased]) => [{ path: ['changes', f, 'from'], erased }, { path: ['changes', f, 'to'], erased }]);
    case 'ActivityLogged': {
      const completion = data.completion;
      return [
        ...Object.entries(personalActivityFields).map(([f, erased]) => ({ path: [f], erased })),
        ...detailValues(data.details, ['details']),
        ...(isObject(completion) && isFreeTextOutcome(completion.outcome) ? [{ path: ['completion', 'outcome'], erased: null }] : []),
      ];
    }
    case 'ActivityUpdated': {
      const changes = isObject(data.changes) ? data.changes : {};
      const details = changes.details;
      return [
        ...Object.entries(personalActivityFields)
          .filter(([f]) => own(changes, f))
          .flatMap(([f, erased]) => [{ path: ['changes', f, 'from'], erased }, { path: ['changes', f, 'to'], erased }]),
        ...(isObject(details) ? [...detailValues(details.from, ['changes', 'details', 'from']), ...detailValues(details.to, ['changes', 'details', 'to'])] : []),
      ];
    }
    case 'ActivityCompleted':
      return isFreeTextOutcome(data.outcome) ? [{ path: ['outcome'], erased: null }] : [];
    case 'ActivityDeleted':
      return [{ path: ['reason'], erased: null }];
    default:
      return [];
  }
}

const UNSAFE = new Set(['__proto__', 'constructor', 'prototype']);

export function getPath(data: unknown, path: string[]): unknown {
  let node = data;
  for (const key of path) node = isObject(node) ? node[key] : undefined;
  return node;
}

/**
 * A copy of `data` with each value set at its path; the paths exist (they were listed by
 * `personalValues`). Only the objects along the paths are copied: the rest is shared with `data`.
 */
export function withValues(data: unknown, values: readonly (readonly [string[], unknown])[]): unknown {
  if (!isObject(data)) throw new Error('event data must be an object');
  const copy: Data = { ...data };
  const copied = new Set<Data>([copy]);
  for (const [path, value] of values) {
    if (path.length === 0 || path.some((k) => UNSAFE.has(k))) throw new Error(`unsafe path ${path.join('.')}`);
    let node = copy;
    for (const key of path.slice(0, -1)) {
      const child = node[key];
      if (!isObject(child)) throw new Error(`no place for ${path.join('.')}`);
      if (!copied.has(child)) {
        node[key] = { ...child };
        copied.add(node[key] as Data);
      }
      node = node[key] as Data;
    }
    node[path[path.length - 1]] = value;
  }
  return copy;
}

/** Activity details with their personal values replaced by placeholders (what a forgotten lead's activities keep). */
export const erasePersonalDetails = (details: unknown): unknown => withValues(details, detailValues(details, []).map((v) => [v.path, v.erased] as const));

/** The data with every personal value replaced by its placeholder (idempotent). */
export const erasePersonal = (type: string, data: unknown): unknown => withValues(data, personalValues(type, data).map((v) => [v.path, v.erased] as const));

/** True when some personal value differs from its placeholder: data written in clear that forgetting must rewrite. */
export const hasPersonalValues = (type: string, data: unknown): boolean =>
  personalValues(type, data).some((v) => JSON.stringify(getPath(data, v.path) ?? null) !== JSON.stringify(v.erased));

/**
 * Personal values sealed with the lead's data key (AES-256-GCM), stored in the event's data in place
 * of the values, which hold their placeholders (see `personalValues`). `data` decrypts to
 * `[path, value][]`. Base64 throughout; `keyId` is the lead's id.
 */
export const sealedEnvelope = z.object({ keyId: uuid, iv: z.string().min(1), tag: z.string().min(1), data: z.string().min(1) }).strict();
export type SealedEnvelope = z.infer<typeof sealedEnvelope>;
