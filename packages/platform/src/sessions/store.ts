import crypto from 'node:crypto';
import type pg from 'pg';
import { tokenFromHeaders, type Principal, type Role } from '../auth.ts';
import type { Queryable } from './accounts.ts';
import { SESSION_CHANNEL, type SessionNotice } from './notice.ts';
import { mintSessionToken, sessionTokenHash } from './token.ts';

/** A session that may be used now, with the user as their account stands now. */
export type LiveSession = { principal: Principal; expiresAt: Date };

export type SessionInfo = { id: string; userAgent: string; ip: string; createdAt: Date; lastSeenAt: Date; expiresAt: Date };

/** `last_seen_at` is written at most this often per session: a read does not become a write every time. */
const TOUCH_EVERY_SECONDS = 60;

/** Ended and expired sessions are kept this long (for support questions), then purged. */
export const SESSION_RETENTION_DAYS = 7;

const LIMITS = { userAgent: 512, ip: 64 };

type LiveRow = { id: string; expires_at: Date; user_id: string; email: string; name: string; role: Role; team_id: string | null };

const toLive = (r: LiveRow): LiveSession => ({
  principal: { userId: r.user_id, role: r.role, name: r.name, email: r.email, teamId: r.team_id, sessionId: r.id },
  expiresAt: r.expires_at,
});

/** Only a session not revoked, not expired, of an account not disabled, is live. */
const LIVE = `s.revoked_at IS NULL AND s.expires_at > now() AND NOT a.disabled`;

/**
 * Server-side sessions in PostgreSQL (`cmd.sessions`, `cmd.accounts`), shared by every replica of
 * both services. There is no cache: each authenticated request is one indexed query, so a sign-out,
 * a revoke, a disable or a role change applies to the very next request on every replica.
 */
export class SessionStore {
  private readonly memo = new WeakMap<object, Promise<LiveSession | null>>();

  constructor(private readonly pool: pg.Pool, private readonly secret: string) {}

  /** The live session a token names, touching its `last_seen_at` (at most once a minute). */
  async authenticate(token: string | null): Promise<LiveSession | null> {
    const hash = token ? sessionTokenHash(token, this.secret) : null;
    if (!hash) return null;
    const { rows } = await this.pool.query<LiveRow>(
      `WITH s AS (SELECT * FROM cmd.sessions WHERE token_hash = $1),
            touched AS (UPDATE cmd.sessions t SET last_seen_at = now() FROM s
                        WHERE t.id = s.id AND s.revoked_at IS NULL AND s.last_seen_at < now() - make_interval(secs => $2))
       SELECT s.id, s.expires_at, a.user_id, a.email, a.name, a.role, a.team_id FROM s JOIN cmd.accounts a ON a.user_id = s.user_id WHERE ${LIVE}`,
      [hash, TOUCH_EVERY_SECONDS],
    );
    return rows[0] ? toLive(rows[0]) : null;
  }

  /**
   * The session of a request: the bearer token, else the cookie (unless `cookie: false`, for a
   * request whose cookie may have been sent by another site). Looked up once per request however
   * many times it is asked for.
   */
  sessionOf(request: { headers: { authorization?: string; cookie?: string } }, options: { cookie: boolean } = { cookie: true }): Promise<LiveSession | null> {
    if (!options.cookie) return this.authenticate(tokenFromHeaders(request.headers, options));
    let found = this.memo.get(request);
    if (!found) {
      found = this.authenticate(tokenFromHeaders(request.headers));
      this.memo.set(request, found);
    }
    return found;
  }

  async principalOf(request: { headers: { authorization?: string; cookie?: string } }): Promise<Principal | null> {
    return (await this.sessionOf(request))?.principal ?? null;
  }

  /** A new session for an account that exists (`cmd.accounts`); the token is shown once and never stored. */
  async issue(input: { userId: string; ttlSeconds: number; userAgent?: string; ip?: string }): Promise<{ token: string; sessionId: string; expiresAt: Date }> {
    const { token, hash } = mintSessionToken(this.secret);
    const sessionId = crypto.randomUUID();
    const { rows } = await this.pool.query<{ expires_at: Date }>(
      `INSERT INTO cmd.sessions (id, token_hash, user_id, expires_at, user_agent, ip) VALUES ($1, $2, $3, now() + make_interval(secs => $4), $5, $6) RETURNING expires_at`,
      [sessionId, hash, input.userId, input.ttlSeconds, (input.userAgent ?? '').slice(0, LIMITS.userAgent), (input.ip ?? '').slice(0, LIMITS.ip)],
    );
    return { token, sessionId, expiresAt: rows[0].expires_at };
  }

  /** The user's live sessions, most recently used first. */
  async list(userId: string): Promise<SessionInfo[]> {
    const { rows } = await this.pool.query<{ id: string; user_agent: string; ip: string; created_at: Date; last_seen_at: Date; expires_at: Date }>(
      `SELECT s.id, s.user_agent, s.ip, s.created_at, s.last_seen_at, s.expires_at FROM cmd.sessions s
       WHERE s.user_id = $1 AND s.revoked_at IS NULL AND s.expires_at > now() ORDER BY s.last_seen_at DESC, s.created_at DESC`,
      [userId],
    );
    return rows.map((r) => ({ id: r.id, userAgent: r.user_agent, ip: r.ip, createdAt: r.created_at, lastSeenAt: r.last_seen_at, expiresAt: r.expires_at }));
  }

  /** Which of these sessions are still live, with their users' current accounts (the live hub's re-check). */
  async stillLive(sessionIds: string[]): Promise<Map<string, LiveSession>> {
    if (sessionIds.length === 0) return new Map();
    const { rows } = await this.pool.query<LiveRow>(
      `SELECT s.id, s.expires_at, a.user_id, a.email, a.name, a.role, a.team_id FROM cmd.sessions s JOIN cmd.accounts a ON a.user_id = s.user_id
       WHERE s.id = ANY($1::uuid[]) AND ${LIVE}`,
      [sessionIds],
    );
    return new Map(rows.map((r) => [r.id, toLive(r)]));
  }

  async purge(): Promise<number> {
    const { rowCount } = await this.pool.query(
      `DELETE FROM cmd.sessions WHERE expires_at < now() - make_interval(days => $1) OR revoked_at < now() - make_interval(days => $1)`,
      [SESSION_RETENTION_DAYS],
    );
    return rowCount ?? 0;
  }
}

/** Ends one session of the user; false when it was not theirs or not live. Live sockets hear of it when `db` commits. */
export async function endSession(db: Queryable, userId: string, sessionId: string, reason: string): Promise<boolean> {
  const notice: SessionNotice = { kind: 'ended', userId, sessionId };
  const { rows } = await db.query<{ n: number }>(
    `WITH ended AS (UPDATE cmd.sessions SET revoked_at = now(), revoked_reason = $3 WHERE id = $2 AND user_id = $1 AND revoked_at IS NULL AND expires_at > now() RETURNING id)
     SELECT (SELECT count(*) FROM ended)::int AS n, pg_notify($4, $5)`,
    [userId, sessionId, reason, SESSION_CHANNEL, JSON.stringify(notice)],
  );
  return rows[0].n > 0;
}

/** Ends every live session of the user but `except`; answers how many ended. */
export async function endUserSessions(db: Queryable, userId: string, options: { except?: string | null; reason: string }): Promise<number> {
  const except = options.except ?? null;
  const notice: SessionNotice = { kind: 'ended-all', userId, except };
  const { rows } = await db.query<{ n: number }>(
    `WITH ended AS (UPDATE cmd.sessions SET revoked_at = now(), revoked_reason = $3
                    WHERE user_id = $1 AND revoked_at IS NULL AND expires_at > now() AND ($2::uuid IS NULL OR id <> $2::uuid) RETURNING id)
     SELECT (SELECT count(*) FROM ended)::int AS n, pg_notify($4, $5)`,
    [userId, except, options.reason, SESSION_CHANNEL, JSON.stringify(notice)],
  );
  return rows[0].n;
}

/** Tells live sockets that the user's role, team or disabled state changed (delivered when `db`'s transaction commits). */
export async function announceAccountChange(db: Queryable, userId: string): Promise<void> {
  const notice: SessionNotice = { kind: 'account', userId };
  await db.query('SELECT pg_notify($1, $2)', [SESSION_CHANNEL, JSON.stringify(notice)]);
}
