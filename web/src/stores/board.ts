import type { Board, BoardFilter, CommandAccepted, CreateLeadBody, LeadCard, PipelineDto } from '@leadline/contracts';
import { defineStore } from 'pinia';
import { computed, ref, shallowRef } from 'vue';
import { ApiError, useApi } from '../composables/useApi.ts';
import { filterParams, hasFilter } from '../lib/boardFilter.ts';
import { applyChange, findCard, hasUnknownStage, mergePage, normalizeBoard, type BoardChange, type ColumnPage } from '../lib/boardReducer.ts';
import { randomId } from '../lib/ids.ts';
import type { Neighbours } from '../lib/neighbours.ts';
import { applyPending, markAccepted, rollback, settle, type PendingOp } from '../lib/optimistic.ts';

const PAGE_SIZE = 50;
/** If the live change confirming an accepted command has not come by then (socket down), read it instead. */
const CONFIRM_TIMEOUT_MS = 4_000;
/** A filtered board cannot apply live changes itself (the pushed totals are unfiltered): it re-reads, at most this often. */
const FILTERED_RELOAD_MS = 400;

export type NewLead = Pick<CreateLeadBody, 'firstName' | 'lastName' | 'company' | 'dealValue'>;

export const useBoardStore = defineStore('board', () => {
  const api = useApi();
  /** The board as the server has confirmed it (load + live changes). */
  const confirmed = shallowRef<Board | null>(null);
  /** Commands shown before the server confirmed them, laid over `confirmed` in order. */
  const pending = shallowRef<PendingOp[]>([]);
  const loading = ref(false);
  const loadError = ref<string | null>(null);
  const loadingMore = ref<Record<string, boolean>>({});
  /** Changes that arrive while a (re)load is in flight; applied on top of the loaded board. */
  let buffered: BoardChange[] | null = null;
  let loadSeq = 0;
  const expectedVersions = new Map<string, number>();
  /** Which pipeline the board shows (null: the default one) and, for time travel, the past moment (read-only). */
  const pipelineId = ref<string | null>(null);
  const asOf = ref<string | null>(null);
  /** Owner, source, value range and text filters (the page keeps them in the URL). */
  const filter = ref<BoardFilter>({});
  const pipelines = ref<PipelineDto[]>([]);
  const currentPipeline = computed(
    () => pipelines.value.find((p) => p.id === (confirmed.value?.pipelineId ?? pipelineId.value)) ?? pipelines.value.find((p) => p.isDefault) ?? null,
  );
  let filteredReload: ReturnType<typeof setTimeout> | null = null;

  async function loadPipelines(minCheckpoint?: string): Promise<void> {
    pipelines.value = await api.get<PipelineDto[]>('/api/pipelines', { query: { minCheckpoint } });
  }

  const board = computed(() => (confirmed.value ? applyPending(confirmed.value, pending.value) : null));
  const pendingLeadIds = computed(() => new Set(pending.value.map((op) => (op.kind === 'move' ? op.leadId : op.card.id))));
  const checkpoint = computed(() => confirmed.value?.checkpoint);

  function setConfirmed(next: Board) {
    confirmed.value = next;
    const kept = settle(next, pending.value);
    if (kept.length !== pending.value.length) pending.value = kept;
  }

  async function load(minCheckpoint?: string): Promise<void> {
    const seq = ++loadSeq;
    buffered ??= [];
    loading.value = true;
    try {
      const answer = await api.get<Board>('/api/pipeline/board', {
        query: { limit: PAGE_SIZE, minCheckpoint, pipelineId: pipelineId.value, asOf: asOf.value, ...(asOf.value ? {} : filterParams(filter.value)) },
      });
      if (seq !== loadSeq) return;
      let next = normalizeBoard(answer);
      for (const change of buffered ?? []) next = applyChange(next, change);
      buffered = null;
      loadError.value = null;
      setConfirmed(next);
    } catch (err) {
      if (seq !== loadSeq) return;
      buffered = null;
      loadError.value = err instanceof Error ? err.message : String(err);
      throw err;
    } finally {
      if (seq === loadSeq) loading.value = false;
    }
  }

  function receiveChange(incoming: BoardChange): void {
    // A past board never changes; the live channel carries every pipeline's cards, this board shows one.
    if (asOf.value) return;
    if (hasFilter(filter.value)) {
      filteredReload ??= setTimeout(() => {
        filteredReload = null;
        void load(incoming.checkpoint).catch(() => undefined);
      }, FILTERED_RELOAD_MS);
      return;
    }
    const shown = confirmed.value?.pipelineId ?? pipelineId.value;
    const change = shown ? { ...incoming, cards: incoming.cards.filter((c) => c.pipelineId === shown) } : incoming;
    if (buffered) {
      buffered.push(change);
      return;
    }
    const current = confirmed.value;
    if (!current) return;
    setConfirmed(applyChange(current, change));
    if (hasUnknownStage(current, change)) void load(change.checkpoint).catch(() => undefined);
  }

  async function loadMore(stageId: string): Promise<void> {
    const current = confirmed.value;
    const column = current?.columns.find((c) => c.id === stageId);
    if (!current || !column?.nextCursor || loadingMore.value[stageId]) return;
    const seq = loadSeq;
    loadingMore.value = { ...loadingMore.value, [stageId]: true };
    try {
      const page = await api.get<ColumnPage>(`/api/pipeline/board/columns/${stageId}`, {
        query: { cursor: column.nextCursor, limit: PAGE_SIZE, minCheckpoint: current.checkpoint || undefined, ...filterParams(filter.value) },
      });
      if (seq !== loadSeq || !confirmed.value) return;
      setConfirmed(mergePage(confirmed.value, page));
    } finally {
      loadingMore.value = { ...loadingMore.value, [stageId]: false };
    }
  }

  function watchConfirmation(opId: string, acceptedAt: string) {
    setTimeout(() => {
      if (pending.value.some((op) => op.opId === opId)) void load(acceptedAt).catch(() => undefined);
    }, CONFIRM_TIMEOUT_MS);
  }

  function accept(opId: string, answer: CommandAccepted) {
    pending.value = markAccepted(pending.value, opId, answer);
    if (confirmed.value) setConfirmed(confirmed.value);
    if (pending.value.some((op) => op.opId === opId)) watchConfirmation(opId, answer.checkpoint);
  }

  /** Shows the move at once; `commitMove` sends it, `cancelMove` takes it back. */
  function beginMove(leadId: string, toStageId: string, neighbours: Neighbours): string | null {
    const found = board.value ? findCard(board.value, leadId) : null;
    if (!found) return null;
    const opId = randomId();
    expectedVersions.set(opId, found.card.version);
    pending.value = [...pending.value, { kind: 'move', opId, leadId, toStageId, ...neighbours }];
    return opId;
  }

  function cancelMove(opId: string): void {
    expectedVersions.delete(opId);
    pending.value = rollback(pending.value, opId);
  }

  /** Sends a begun move. On failure the move is rolled back and the error rethrown for the page to show. */
  async function commitMove(opId: string, lostReason?: string): Promise<void> {
    const op = pending.value.find((o) => o.opId === opId);
    if (!op || op.kind !== 'move') return;
    const version = expectedVersions.get(opId);
    expectedVersions.delete(opId);
    const body = {
      stageId: op.toStageId,
      ...(op.afterLeadId ? { afterLeadId: op.afterLeadId } : {}),
      ...(op.beforeLeadId ? { beforeLeadId: op.beforeLeadId } : {}),
      ...(lostReason ? { lostReason } : {}),
    };
    try {
      const answer = await api.put<CommandAccepted>(`/api/leads/${op.leadId}/move-stage`, body, {
        headers: version === undefined ? {} : { 'If-Match': String(version) },
      });
      accept(opId, answer);
    } catch (err) {
      pending.value = rollback(pending.value, opId);
      if (err instanceof ApiError && err.status === 409) void load().catch(() => undefined);
      throw err;
    }
  }

  /** Moves a card to the top of another column without dragging (the card menu: Move to…, Won, Lost). */
  async function moveToStage(leadId: string, stageId: string, lostReason?: string): Promise<void> {
    const opId = beginMove(leadId, stageId, {});
    if (opId) await commitMove(opId, lostReason);
  }

  /** Reopens a won or lost lead into the open stage it was last in (the server decides); the board follows live. */
  async function reopen(leadId: string): Promise<CommandAccepted> {
    const found = board.value ? findCard(board.value, leadId) : null;
    const answer = await api.post<CommandAccepted>(`/api/leads/${leadId}/reopen`, {}, { headers: found ? { 'If-Match': String(found.card.version) } : {} });
    void load(answer.checkpoint).catch(() => undefined);
    return answer;
  }

  /** Adds the lead at the top of its column at once; resolves when the server accepted it. */
  async function createLead(stageId: string, fields: NewLead): Promise<CommandAccepted> {
    const current = confirmed.value;
    if (!current) throw new Error('The board is not loaded');
    const id = randomId();
    const card: LeadCard = {
      id,
      pipelineId: current.pipelineId,
      stageId,
      rank: '',
      firstName: fields.firstName ?? null,
      lastName: fields.lastName ?? null,
      company: fields.company ?? null,
      dealValue: fields.dealValue ?? null,
      ownerId: null,
      ownerName: null,
      version: 0,
      updatedAt: new Date().toISOString(),
      touchedAt: new Date().toISOString(),
    };
    const opId = randomId();
    pending.value = [...pending.value, { kind: 'create', opId, card }];
    const body = Object.fromEntries(Object.entries({ id, stageId, pipelineId: current.pipelineId, ...fields }).filter(([, v]) => v !== undefined && v !== null && v !== ''));
    try {
      const answer = await api.post<CommandAccepted>('/api/leads', body);
      accept(opId, answer);
      return answer;
    } catch (err) {
      pending.value = rollback(pending.value, opId);
      throw err;
    }
  }

  function reset(): void {
    loadSeq++;
    confirmed.value = null;
    pending.value = [];
    buffered = null;
    loadError.value = null;
    expectedVersions.clear();
    if (filteredReload) clearTimeout(filteredReload);
    filteredReload = null;
  }

  return { pipelineId, asOf, filter, pipelines, currentPipeline, loadPipelines, moveToStage, reopen, board, confirmed, pending, pendingLeadIds, checkpoint, loading, loadError, loadingMore, load, receiveChange, loadMore, beginMove, cancelMove, commitMove, createLead, reset };
});
