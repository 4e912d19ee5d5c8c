import { getPath, hasPersonalValues, holdsPersonalData, personalValues, sealedEnvelope, withValues, type SealedEnvelope } from '@leadline/contracts';
import type { AppendResult, EventStore, EventStoreHealth, ExpectedVersion, NewEvent, ReadAllOptions, StoredEvent } from '../port.ts';
import { open, seal } from './envelope.ts';
import type { Keyring } from './keyring.ts';

type Data = Record<string, unknown>;

/** Binds a sealed part to its event: moved to another event, another type or another key, it does not open. */
const aad = (eventId: string, type: string, keyId: string): string => `leadline:event:${eventId}:${type}:${keyId.toLowerCase()}`;

/** The event's sealed part: absent, well formed, or not (then the event is unreadable). */
const sealedOf = (data: unknown): SealedEnvelope | 'malformed' | undefined => {
  const sealed = (data as Data | null)?.sealed;
  if (sealed === undefined) return undefined;
  const parsed = sealedEnvelope.safeParse(sealed);
  return parsed.success ? parsed.data : 'malformed';
};

const isSecret = (value: unknown): value is [string[], unknown][] =>
  Array.isArray(value) && value.every((e) => Array.isArray(e) && e.length === 2 && Array.isArray(e[0]) && e[0].every((k: unknown) => typeof k === 'string'));

type Sealable = { eventId: string; type: string; data: unknown };

/**
 * Seals the personal values (contracts `personalValues`) of the events with their leads' data keys,
 * their places keeping placeholders: what the sealing store does on append, and what a writer that
 * goes past it (the bulk path of packages/datagen) must do. One key query for all the leads concerned.
 */
export async function sealEvents<E extends Sealable>(keyring: Keyring, events: readonly E[]): Promise<E[]> {
  const keyIdOf = (e: E) => (holdsPersonalData(e.type) && hasPersonalValues(e.type, e.data) ? String((e.data as Data).leadId).toLowerCase() : null);
  const keyIds = events.map(keyIdOf);
  const wanted = keyIds.filter((k): k is string => k !== null);
  if (wanted.length === 0) return [...events];
  const keys = await keyring.sealingKeys(wanted);
  return events.map((event, i) => {
    const keyId = keyIds[i];
    if (keyId === null) return event;
    const values = personalValues(event.type, event.data);
    const secret = values.map((v) => [v.path, getPath(event.data, v.path) ?? null]);
    const plain = withValues(event.data, values.map((v) => [v.path, v.erased] as const)) as Data;
    const sealed = seal(keys.get(keyId)!, Buffer.from(JSON.stringify(secret), 'utf8'), aad(event.eventId, event.type, keyId));
    return { ...event, data: { ...plain, sealed: { keyId, ...sealed } } };
  });
}

/**
 * The event store as every service uses it: personal values (contracts `personalValues`) are sealed
 * with the lead's data key on the way in and opened on the way out, so deciders, projections and
 * process managers see the domain shape only. A sealed event whose key was erased opens to its
 * placeholders ("Erased", empty): that is what forgetting means for the log. Reading loads the keys
 * a page needs in one query (Keyring). A LeadForgotten read stops the key's use in this process at once.
 */
export class SealingEventStore implements EventStore {
  readonly kind: EventStore['kind'];
  readonly readAllOfTypes?: EventStore['readAllOfTypes'];
  readonly rewriteData?: EventStore['rewriteData'];
  readonly health?: () => EventStoreHealth;

  constructor(
    readonly inner: EventStore,
    readonly keyring: Keyring,
  ) {
    this.kind = inner.kind;
    const ofTypes = inner.readAllOfTypes?.bind(inner);
    if (ofTypes) this.readAllOfTypes = async (options) => {
      const page = await ofTypes(options);
      return { ...page, events: await this.open(page.events) };
    };
    if (inner.rewriteData) this.rewriteData = inner.rewriteData.bind(inner);
    if (inner.health) this.health = inner.health.bind(inner);
  }

  async append(streamId: string, events: NewEvent[], expected: ExpectedVersion): Promise<AppendResult> {
    return this.inner.append(streamId, await sealEvents(this.keyring, events), expected);
  }

  async readStream(streamId: string, options?: { fromVersion?: number }): Promise<StoredEvent[]> {
    return this.open(await this.inner.readStream(streamId, options));
  }

  async readAll(options?: ReadAllOptions): Promise<StoredEvent[]> {
    return this.open(await this.inner.readAll(options));
  }

  onAppended(onWake: () => void): Promise<() => Promise<void>> {
    return this.inner.onAppended(onWake);
  }

  headCheckpoint(): Promise<string> {
    return this.inner.headCheckpoint();
  }

  committedCheckpoint(): Promise<string> {
    return this.inner.committedCheckpoint();
  }

  close(): Promise<void> {
    return this.inner.close();
  }

  private async open(events: StoredEvent[]): Promise<StoredEvent[]> {
    for (const e of events) if (e.type === 'LeadForgotten') this.keyring.markErased(String((e.data as Data).leadId));
    const sealed = new Map<StoredEvent, SealedEnvelope | 'malformed'>();
    for (const e of events) {
      const s = sealedOf(e.data);
      if (s) sealed.set(e, s);
    }
    if (sealed.size === 0) return events;
    const keys = await this.keyring.openingKeys([...sealed.values()].flatMap((s) => (s === 'malformed' ? [] : [s.keyId])));
    return events.map((e) => {
      const s = sealed.get(e);
      if (!s) return e;
      const { sealed: _sealed, ...plain } = e.data as Data;
      if (s === 'malformed') return { ...e, data: plain, unreadable: `event ${e.eventId}: its sealed part is malformed` };
      const entry = keys.get(s.keyId.toLowerCase());
      if (!entry || 'erased' in entry) return { ...e, data: plain };
      if ('error' in entry) return { ...e, data: plain, unreadable: `event ${e.eventId}: ${entry.error}` };
      try {
        const secret: unknown = JSON.parse(open(entry.key, s, aad(e.eventId, e.type, s.keyId)).toString('utf8'));
        if (!isSecret(secret)) throw new Error('the sealed values are not a list of [path, value]');
        return { ...e, data: withValues(plain, secret) };
      } catch (err) {
        return { ...e, data: plain, unreadable: `event ${e.eventId}: ${(err as Error).message}` };
      }
    });
  }
}

/** Throws for an event the sealing store could not open: a poison event, never silently its placeholders. */
export function assertReadable(stored: StoredEvent): void {
  if (stored.unreadable) throw new Error(stored.unreadable);
}
