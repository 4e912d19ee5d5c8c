import type { CreateLeadBody } from '@leadline/contracts';
import type { Distributions } from './distributions.ts';
import { builtInDistributions } from './distributions.ts';
import { generateLead } from './leads.ts';
import { seededRandom, type Random } from './random.ts';
import * as v from './vocabulary.ts';

const DAY = 86_400_000;

export type PlanStage = { id: string; name: string; isWon: boolean; isLost: boolean };

/** One command of the plan, with the time it happens at (ms since epoch). */
export type PlannedCommand =
  | { at: number; kind: 'create'; leadId: string; body: CreateLeadBody & { id: string } }
  | { at: number; kind: 'move'; leadId: string; body: { stageId: string; afterLeadId?: string; lostReason?: string } }
  | { at: number; kind: 'assign'; leadId: string; body: { leadIds: [string]; userId: string | null; reason?: string } };

export type PlanOptions = {
  leads: number;
  seed: number;
  /** The stages of the pipeline in board order (open stages first, then won and lost). */
  stages: readonly PlanStage[];
  /** Users who may own leads (reps, managers); a lead is created owned by one of them or unassigned. */
  ownerIds: readonly string[];
  /** The simulated period: leads are created evenly over it, their journeys happen inside it. */
  start: number;
  end: number;
  distributions?: Distributions;
};

/** A min-heap of pending commands by time (then insertion order, so equal times keep their order). */
class Agenda {
  private items: { cmd: PlannedCommand; seq: number }[] = [];
  private seq = 0;
  get size() {
    return this.items.length;
  }
  private less(a: number, b: number) {
    const x = this.items[a];
    const y = this.items[b];
    return x.cmd.at < y.cmd.at || (x.cmd.at === y.cmd.at && x.seq < y.seq);
  }
  push(cmd: PlannedCommand) {
    const items = this.items;
    items.push({ cmd, seq: this.seq++ });
    for (let i = items.length - 1; i > 0; ) {
      const p = (i - 1) >> 1;
      if (!this.less(i, p)) break;
      [items[i], items[p]] = [items[p], items[i]];
      i = p;
    }
  }
  peek(): PlannedCommand | undefined {
    return this.items[0]?.cmd;
  }
  pop(): PlannedCommand {
    const items = this.items;
    const top = items[0];
    const last = items.pop()!;
    if (items.length > 0) {
      items[0] = last;
      for (let i = 0; ; ) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < items.length && this.less(l, m)) m = l;
        if (r < items.length && this.less(r, m)) m = r;
        if (m === i) break;
        [items[i], items[m]] = [items[m], items[i]];
        i = m;
      }
    }
    return top.cmd;
  }
}

/** Cards per stage, with O(1) random pick and removal, to name a real card as the drop neighbour. */
class Columns {
  private cards = new Map<string, string[]>();
  private where = new Map<string, { stage: string; index: number }>();
  put(leadId: string, stageId: string) {
    this.remove(leadId);
    const list = this.cards.get(stageId) ?? [];
    this.cards.set(stageId, list);
    this.where.set(leadId, { stage: stageId, index: list.length });
    list.push(leadId);
  }
  remove(leadId: string) {
    const at = this.where.get(leadId);
    if (!at) return;
    const list = this.cards.get(at.stage)!;
    const last = list.pop()!;
    if (last !== leadId) {
      list[at.index] = last;
      this.where.set(last, at);
    }
    this.where.delete(leadId);
  }
  stageOf(leadId: string) {
    return this.where.get(leadId)?.stage;
  }
  pick(r: Random, stageId: string): string | undefined {
    const list = this.cards.get(stageId);
    return list && list.length > 0 ? list[Math.floor(r.next() * list.length)] : undefined;
  }
}

/**
 * A lead's future: how far it gets through the open stages, whether it ends won or lost, and
 * whether it is handed to another owner on the way. Steps are 0.3 to 12 days apart.
 */
function journey(r: Random, leadId: string, createdAt: number, options: PlanOptions, open: PlanStage[], won?: PlanStage, lost?: PlanStage): PlannedCommand[] {
  const out: PlannedCommand[] = [];
  let t = createdAt;
  const step = () => (t += r.int(1, 12) * DAY * (0.3 + r.next()));
  const move = (stage: PlanStage, lostReason?: string) => out.push({ at: t, kind: 'move', leadId, body: { stageId: stage.id, ...(lostReason ? { lostReason } : {}) } });
  if (r.chance(0.25) && options.ownerIds.length > 0) {
    const at = createdAt + r.next() * 20 * DAY;
    if (at <= options.end) out.push({ at, kind: 'assign', leadId, body: { leadIds: [leadId], userId: r.pick(options.ownerIds), reason: r.pick(['rebalance', 'territory', 'vacation cover']) } });
  }
  for (let i = 1; i < open.length; i++) {
    step();
    if (t > options.end) return out;
    if (!r.chance(0.65)) {
      if (lost && r.chance(0.35)) move(lost, r.pick(v.lostReasons));
      return out;
    }
    move(open[i]);
  }
  step();
  if (t <= options.end && r.chance(0.8)) {
    if (won && r.chance(0.55)) move(won);
    else if (lost) move(lost, r.pick(v.lostReasons));
  }
  return out;
}

/**
 * The commands of a realistic history, in time order, from the seed alone: leads created evenly
 * over the period (in the first open stage, at the top, as the command puts them), moved forward
 * through the open stages and closed won or lost over the following days, a quarter of them
 * reassigned once. A move drops the card just under a card that is in the target column at that
 * time (`afterLeadId`), as a drag would. Lazy: 1M leads never sit in memory at once.
 */
export function* planDataset(options: PlanOptions): Generator<PlannedCommand> {
  const r = seededRandom(options.seed);
  const open = options.stages.filter((s) => !s.isWon && !s.isLost);
  if (open.length === 0) throw new Error('planDataset needs at least one open stage');
  const won = options.stages.find((s) => s.isWon);
  const lost = options.stages.find((s) => s.isLost);
  const dist = options.distributions ?? builtInDistributions;
  const agenda = new Agenda();
  const columns = new Columns();
  const span = Math.max(1, options.end - options.start - DAY);
  const emit = (cmd: PlannedCommand): PlannedCommand => {
    if (cmd.kind === 'create') columns.put(cmd.leadId, open[0].id);
    else if (cmd.kind === 'move') {
      const after = columns.pick(r, cmd.body.stageId);
      if (after && after !== cmd.leadId) cmd.body.afterLeadId = after;
      columns.put(cmd.leadId, cmd.body.stageId);
    }
    return cmd;
  };
  for (let i = 0; i < options.leads; i++) {
    const at = options.start + Math.floor((span * i) / options.leads);
    while (agenda.size > 0 && agenda.peek()!.at <= at) yield emit(agenda.pop());
    const leadId = r.uuid();
    const fields = generateLead(r);
    fields.source = r.weighted(dist.sources);
    const country = r.weighted(dist.countries);
    if (country !== fields.country) {
      fields.country = country;
      const known = v.countries.find((c) => c[0] === country);
      fields.city = known ? r.pick(known[2]) : null;
    }
    const ownerId = options.ownerIds.length === 0 || r.chance(0.1) ? null : options.ownerIds[i % options.ownerIds.length];
    yield emit({ at, kind: 'create', leadId, body: { id: leadId, ...fields, ownerId } });
    for (const cmd of journey(r, leadId, at, options, open, won, lost)) agenda.push(cmd);
  }
  while (agenda.size > 0) yield emit(agenda.pop());
}

/** Groups consecutive commands on distinct leads: each group may run concurrently without reordering a lead's history. */
export function* concurrentGroups(commands: Iterable<PlannedCommand>, size: number): Generator<PlannedCommand[]> {
  let group: PlannedCommand[] = [];
  let leads = new Set<string>();
  for (const cmd of commands) {
    const touches = cmd.kind === 'move' && cmd.body.afterLeadId ? [cmd.leadId, cmd.body.afterLeadId] : [cmd.leadId];
    if (group.length >= size || touches.some((id) => leads.has(id))) {
      yield group;
      group = [];
      leads = new Set();
    }
    group.push(cmd);
    for (const id of touches) leads.add(id);
  }
  if (group.length) yield group;
}
