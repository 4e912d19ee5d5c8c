import type { ChangeNotice, LeadCard, ServerMessage } from '@leadline/contracts';
import { LEAD_CARDS, STAGE_TOTALS, STAGES } from '../projections.ts';
import type { Scope } from '../read/visibility.ts';
import { UNASSIGNED, type OwnerIndex, type Prior } from './ownerIndex.ts';

export type ChannelKind = 'board' | 'lead' | 'me';
export type ChangeMessage = Extract<ServerMessage, { type: 'change' }>;

export const kindOf = (channel: string): ChannelKind => (channel === 'board' ? 'board' : channel === 'me' ? 'me' : 'lead');
export const leadIdOf = (channel: string): string => channel.slice('lead:'.length);

/** Whose leads a viewer sees: everyone's, or those of the listed owner keys. */
export type Owners = 'all' | string[];

export const ownersOf = (scope: Scope): Owners => (scope.kind === 'all' ? 'all' : [scope.userId, UNASSIGNED]);

/** What a notice asks of the hub, before any card is loaded. */
export type NoticePlan = { leadIds: string[]; totalsStageIds: string[]; refetch: ChannelKind[]; reason: string; timelineLeadIds: string[] };

/** Channels to refetch when a projection's notice is too large to list its keys. */
const REFETCH_WITHOUT_KEYS: Record<string, ChannelKind[]> = {
  [LEAD_CARDS]: ['board', 'lead', 'me'],
  [STAGE_TOTALS]: ['board'],
  [STAGES]: ['board'],
  timeline: ['lead'],
};

export function planNotice(notice: ChangeNotice): NoticePlan {
  if (notice.changes === undefined) {
    return { leadIds: [], totalsStageIds: [], timelineLeadIds: [], refetch: REFETCH_WITHOUT_KEYS[notice.projection] ?? [], reason: `${notice.projection} changed too much to list` };
  }
  const leads = new Set<string>();
  const stages = new Set<string>();
  const timeline = new Set<string>();
  let pipelineChanged = false;
  for (const change of notice.changes) {
    if (change.view === 'leads') leads.add(change.key);
    else if (change.view === 'stage_totals') stages.add(change.key);
    else if (change.view === 'timeline') timeline.add(change.key);
    else if (change.view === 'stages' || change.view === 'pipelines') pipelineChanged = true;
  }
  return {
    leadIds: [...leads],
    totalsStageIds: [...stages],
    timelineLeadIds: [...timeline],
    refetch: pipelineChanged ? ['board'] : [],
    reason: pipelineChanged ? 'the pipeline changed' : '',
  };
}

/** What changed, loaded once and shaped per client. */
export type ChangeSet = {
  checkpoint: string;
  leadIds: string[];
  cards: Map<string, LeadCard>;
  /** What was known of each changed lead's owner before each notice that changed it. */
  priors: (leadId: string) => { prior: Prior; checkpoint: string }[];
  totalsStageIds: string[];
};

/**
 * The changed cards a viewer may see, and the changed ids it may no longer see but may have
 * seen before (a lead reassigned away); null when there are neither. Totals are added by the caller.
 */
export function cardsChange(channel: string, set: ChangeSet, ids: string[], owners: Owners, index: OwnerIndex): ChangeMessage | null {
  const cards: LeadCard[] = [];
  const removed: string[] = [];
  for (const id of ids) {
    const card = set.cards.get(id);
    if (card && (owners === 'all' || owners.includes(card.ownerId ?? UNASSIGNED))) cards.push(card);
    else if (owners === 'all' || set.priors(id).some((p) => index.wasOwnedByAny(p.prior, owners, p.checkpoint))) removed.push(id);
  }
  if (cards.length === 0 && removed.length === 0) return null;
  return { type: 'change', channel, checkpoint: set.checkpoint, cards, removed, totals: [] };
}
