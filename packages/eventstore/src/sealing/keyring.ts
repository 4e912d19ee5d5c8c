import type pg from 'pg';
import { IllegalStateError, runMigrations, type Migration } from '@leadline/platform';
import { newKey, unwrapKey, wrapKey } from './envelope.ts';
import type { MasterKeys } from './masterKeys.ts';

export const keyringMigrations: Migration[] = [
  {
    id: '001-data-keys',
    sql: `
      CREATE SCHEMA IF NOT EXISTS keyring;
      CREATE TABLE keyring.data_keys (
        key_id uuid PRIMARY KEY,
        master_key_id text,
        wrapped bytea,
        created_at timestamptz NOT NULL DEFAULT now(),
        erased_at timestamptz,
        CHECK ((wrapped IS NULL) = (erased_at IS NOT NULL) AND (wrapped IS NULL) = (master_key_id IS NULL))
      );
      CREATE INDEX data_keys_master_key ON keyring.data_keys (master_key_id) WHERE wrapped IS NOT NULL;`,
  },
];

/** What opening finds for a key id: the key, a key that was erased (or never existed), or a key this process cannot unwrap. */
export type KeyEntry = { key: Buffer } | { erased: true } | { error: string };

type Row = { key_id: string; master_key_id: string | null; wrapped: Buffer | null };

const DEFAULT_CACHE_KEYS = 10_000;

/**
 * Per-lead data keys, stored wrapped by a master key in `keyring.data_keys` (key id = the lead id).
 * Unwrapped keys are cached in memory (least recently used first out, `cacheKeys` at most); an erased
 * key is remembered as erased. Sealing never trusts the cache: it asks the table every time, so a key
 * another process erased is never used again to write.
 */
export class Keyring {
  private readonly cache = new Map<string, Buffer | null>();

  private constructor(
    private readonly pool: pg.Pool,
    readonly masterKeys: MasterKeys,
    private readonly cacheKeys: number,
  ) {}

  static async create(pool: pg.Pool, masterKeys: MasterKeys, options: { cacheKeys?: number } = {}): Promise<Keyring> {
    await runMigrations(pool, 'keyring', keyringMigrations);
    return new Keyring(pool, masterKeys, options.cacheKeys ?? DEFAULT_CACHE_KEYS);
  }

  /**
   * The keys to seal with, in one query however many leads: each created (wrapped with the current
   * master key) on first use. A forgotten lead's key is refused, and then none of the others is given.
   */
  async sealingKeys(keyIds: Iterable<string>): Promise<Map<string, Buffer>> {
    // Sorted, so that two writers creating overlapping sets take the unique index's locks in one order.
    const ids = [...new Set([...keyIds].map((k) => k.toLowerCase()))].sort();
    const out = new Map<string, Buffer>();
    if (ids.length === 0) return out;
    const master = this.masterKeys.current();
    const fresh = ids.map(() => newKey());
    // The joined table is seen as it was before this statement: a row there existed already; one this statement created is not there.
    const { rows } = await this.pool.query<Row & { id: string; created: boolean }>(
      `WITH wanted AS (SELECT * FROM unnest($1::uuid[], $3::bytea[]) AS w(key_id, wrapped)),
            ins AS (INSERT INTO keyring.data_keys (key_id, master_key_id, wrapped) SELECT key_id, $2, wrapped FROM wanted ON CONFLICT (key_id) DO NOTHING RETURNING key_id)
       SELECT w.key_id::text AS id, i.key_id IS NOT NULL AS created, k.key_id, k.master_key_id, k.wrapped
       FROM wanted w LEFT JOIN ins i ON i.key_id = w.key_id LEFT JOIN keyring.data_keys k ON k.key_id = w.key_id`,
      [ids, master.id, ids.map((id, i) => wrapKey(master.key, fresh[i], id))],
    );
    const byId = new Map(rows.map((r) => [r.id, r]));
    // Created by a concurrent statement that committed after ours began: read those now.
    const late = ids.filter((id) => !byId.get(id)!.created && !byId.get(id)!.key_id);
    if (late.length > 0) {
      const { rows: now } = await this.pool.query<Row>('SELECT key_id, master_key_id, wrapped FROM keyring.data_keys WHERE key_id = ANY($1::uuid[])', [late]);
      for (const r of now) byId.set(r.key_id, { ...r, id: r.key_id, created: false });
    }
    for (const [i, id] of ids.entries()) {
      const row = byId.get(id)!;
      if (row.created) {
        out.set(id, this.remember(id, fresh[i]));
        continue;
      }
      const entry = this.unwrap(row.key_id ? row : undefined);
      if ('erased' in entry) {
        this.remember(id, null);
        throw new IllegalStateError('lead-forgotten', 'This person was forgotten: no personal data can be recorded for this lead');
      }
      if ('error' in entry) throw new Error(entry.error);
      out.set(id, this.remember(id, entry.key));
    }
    return out;
  }

  /** The keys to open with: from the cache, the others in one query. */
  async openingKeys(keyIds: Iterable<string>): Promise<Map<string, KeyEntry>> {
    const out = new Map<string, KeyEntry>();
    const missing: string[] = [];
    for (const keyId of new Set([...keyIds].map((k) => k.toLowerCase()))) {
      const cached = this.cache.get(keyId);
      if (cached === undefined) missing.push(keyId);
      else out.set(keyId, cached === null ? { erased: true } : { key: this.remember(keyId, cached) });
    }
    if (missing.length === 0) return out;
    const { rows } = await this.pool.query<Row>('SELECT key_id, master_key_id, wrapped FROM keyring.data_keys WHERE key_id = ANY($1::uuid[])', [missing]);
    const found = new Map(rows.map((r) => [r.key_id, r]));
    for (const keyId of missing) {
      const entry = this.unwrap(found.get(keyId));
      if ('key' in entry) this.remember(keyId, entry.key);
      else if ('erased' in entry) this.remember(keyId, null);
      out.set(keyId, entry);
    }
    return out;
  }

  /** A LeadForgotten seen in the log: this process stops opening with the key at once. */
  markErased(keyId: string): void {
    this.remember(keyId.toLowerCase(), null);
  }

  /**
   * Destroys the key: the row keeps only its id and when it was erased (so that nothing is sealed for
   * the lead again), and the dead row version is vacuumed away. Idempotent; a lead without a key gets the erased row.
   */
  async erase(keyId: string): Promise<void> {
    const id = keyId.toLowerCase();
    await this.pool.query(
      `INSERT INTO keyring.data_keys (key_id, master_key_id, wrapped, erased_at) VALUES ($1, NULL, NULL, now())
       ON CONFLICT (key_id) DO UPDATE SET master_key_id = NULL, wrapped = NULL, erased_at = COALESCE(keyring.data_keys.erased_at, now())`,
      [id],
    );
    this.markErased(id);
    await this.pool.query('VACUUM keyring.data_keys').catch(() => {});
  }

  /** Re-wraps every key wrapped by another master key with the current one, in batches; returns how many. */
  async rewrap(batch = 500): Promise<number> {
    const current = this.masterKeys.current();
    let done = 0;
    for (;;) {
      const client = await this.pool.connect();
      try {
        await client.query('BEGIN');
        const { rows } = await client.query<Row>(
          'SELECT key_id, master_key_id, wrapped FROM keyring.data_keys WHERE wrapped IS NOT NULL AND master_key_id <> $1 ORDER BY key_id LIMIT $2 FOR UPDATE SKIP LOCKED',
          [current.id, batch],
        );
        const rewrapped = rows.map((row) => {
          const entry = this.unwrap(row);
          if (!('key' in entry)) throw new Error('error' in entry ? entry.error : `key ${row.key_id} vanished`);
          return { key_id: row.key_id, wrapped: wrapKey(current.key, entry.key, row.key_id).toString('base64') };
        });
        if (rewrapped.length > 0) {
          await client.query(
            `UPDATE keyring.data_keys k SET master_key_id = $1, wrapped = decode(r.wrapped, 'base64')
             FROM jsonb_to_recordset($2::jsonb) AS r(key_id uuid, wrapped text) WHERE k.key_id = r.key_id AND k.wrapped IS NOT NULL`,
            [current.id, JSON.stringify(rewrapped)],
          );
        }
        await client.query('COMMIT');
        done += rewrapped.length;
        if (rows.length < batch) return done;
      } catch (err) {
        await client.query('ROLLBACK').catch(() => {});
        throw err;
      } finally {
        client.release();
      }
    }
  }

  /** How many live keys each master key wraps. */
  async usage(): Promise<Map<string, number>> {
    const { rows } = await this.pool.query<{ master_key_id: string; n: string }>(
      'SELECT master_key_id, count(*) AS n FROM keyring.data_keys WHERE wrapped IS NOT NULL GROUP BY master_key_id',
    );
    return new Map(rows.map((r) => [r.master_key_id, Number(r.n)]));
  }

  private unwrap(row: Row | undefined): KeyEntry {
    if (!row || row.wrapped === null || row.master_key_id === null) return { erased: true };
    const master = this.masterKeys.find(row.master_key_id);
    if (!master) return { error: `data key ${row.key_id} is wrapped by master key ${row.master_key_id}, which this process does not have (${this.masterKeys.source}); see docs/security.md, key rotation` };
    try {
      return { key: unwrapKey(master.key, row.wrapped, row.key_id) };
    } catch (err) {
      return { error: `data key ${row.key_id} does not unwrap with master key ${master.id}: ${(err as Error).message}` };
    }
  }

  private remember(keyId: string, key: Buffer | null): Buffer {
    this.cache.delete(keyId);
    this.cache.set(keyId, key);
    if (this.cache.size > this.cacheKeys) this.cache.delete(this.cache.keys().next().value as string);
    return key as Buffer;
  }
}
