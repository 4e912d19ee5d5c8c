import { commandAccepted, createUserBody, updateUserBody, userIdParams } from '@leadline/contracts';
import { ForbiddenError, otherEnabledAdmins } from '@leadline/platform';
import type { App, RouteDeps } from '../deps.ts';
import { loadAggregate } from '../events.ts';
import { acceptedAnswer, executeCommand, handleCommand, type RunContext } from '../handler.ts';
import { entityIdFor } from '../ids.ts';
import { userStream } from '../reads.ts';
import { changeHeaders, createHeaders, problems } from '../schemas.ts';
import { teamAggregate, teamStream } from '../teams/team.ts';
import { syncAccount } from './accountSync.ts';
import { createUserAccount } from './accounts.ts';
import { withAdminLock } from './admin-lock.ts';
import { addFirstCredential, hashPassword } from './credentials.ts';
import { disableUser, enableUser, updateUser, type UserEvent } from './decide.ts';
import { recordSecurityEvent } from './security-events.ts';
import { userAggregate, type UserState } from './user.ts';

export function registerUserRoutes(app: App, deps: RouteDeps): void {
  const store = deps.eventStore;

  app.post(
    '/api/users',
    {
      schema: {
        tags: ['users'],
        summary: 'Create a user (admin only)',
        description: 'Reserves the email (unique, case-insensitive), then creates the user; the argon2 hash of the password goes to the command side\'s credentials table, never into the event.',
        headers: createHeaders,
        body: createUserBody,
        response: { 201: commandAccepted, ...problems(400, 401, 403, 409, 503) },
      },
    },
    (request, reply) =>
      executeCommand(request, reply, deps, 'CreateUser', async ({ metadata }) => {
        // Checked again by the decider; here it spares a non-admin the cost of hashing.
        if (metadata.actor.role !== 'admin') throw new ForbiddenError('Only admins manage users');
        const { email, name, role, password } = request.body;
        const userId = entityIdFor(metadata.commandId);
        const passwordHash = await hashPassword(password);
        const { reservation, user } = await createUserAccount(store, { userId, email, name, role }, metadata);
        await addFirstCredential(deps.pool, userId, passwordHash);
        await syncAccount(deps, userId);
        return { status: 201, body: { id: userId, version: user.version, checkpoint: user.checkpoint }, streams: [reservation, user] };
      }),
  );

  /** Runs a user command under the admin lock and brings the account (what sessions read) up to date before answering. */
  const changeUser = async (ctx: RunContext, userId: string, decide: (state: UserState, others: number) => Promise<UserEvent[]> | UserEvent[]) => {
    let decided: UserEvent[] = [];
    const outcome = await withAdminLock(deps.lockPool, async () => {
      const others = await otherEnabledAdmins(deps.pool, userId);
      const result = await handleCommand(store, {
        streamId: userStream(userId),
        aggregate: userAggregate,
        metadata: ctx.metadata,
        expectedVersion: ctx.ifMatch,
        decide: async (loaded) => (decided = await decide(loaded.state, others)),
      });
      await syncAccount(deps, userId);
      return result;
    });
    return { outcome, decided: outcome.appended > 0 ? decided : [] };
  };

  app.put(
    '/api/users/:id',
    {
      schema: {
        tags: ['users'],
        summary: "Change a user's name, role and home team (admin only)",
        description:
          'Appends UserUpdated (name, team) and RoleChanged (role) for what changes. Takes effect on the user\'s next request; a new role or team closes their live sockets, which reconnect with the new permissions. ' +
          '`last-admin` (422): the last enabled admin keeps the admin role. An unknown team is 400 naming body.teamId.',
        headers: changeHeaders,
        params: userIdParams,
        body: updateUserBody,
        response: { 200: commandAccepted, ...problems(400, 401, 403, 404, 409, 422, 503) },
      },
    },
    (request, reply) =>
      executeCommand(request, reply, deps, 'UpdateUser', async (ctx) => {
        const userId = request.params.id;
        const { teamId } = request.body;
        const { outcome, decided } = await changeUser(ctx, userId, async (state, others) => {
          const teamExists = teamId !== null && (await loadAggregate(store, teamStream(teamId), teamAggregate)).state.status === 'active';
          return updateUser({ type: 'UpdateUser', data: { userId, ...request.body }, context: { otherEnabledAdmins: others, teamExists }, metadata: ctx.metadata }, state);
        });
        for (const e of decided)
          if (e.type === 'RoleChanged') await recordSecurityEvent(request, deps.pool, { kind: 'role_changed', actor: ctx.principal, subject: { type: 'user', id: userId }, detail: { from: e.data.from, to: e.data.to } });
        return acceptedAnswer(userId, outcome);
      }),
  );

  app.post(
    '/api/users/:id/disable',
    {
      schema: {
        tags: ['users'],
        summary: 'Disable a user (admin only)',
        description:
          'Appends UserDisabled. The user cannot sign in; every session of theirs ends at once (HTTP and live sockets). They keep their leads but get no new ones. ' +
          '`cannot-disable-self` and `last-admin` (422).',
        headers: changeHeaders,
        params: userIdParams,
        response: { 200: commandAccepted, ...problems(400, 401, 403, 404, 409, 422, 503) },
      },
    },
    (request, reply) =>
      executeCommand(request, reply, deps, 'DisableUser', async (ctx) => {
        const userId = request.params.id;
        const { outcome, decided } = await changeUser(ctx, userId, (state, others) =>
          disableUser({ type: 'DisableUser', data: { userId }, context: { otherEnabledAdmins: others }, metadata: ctx.metadata }, state),
        );
        if (decided.length) await recordSecurityEvent(request, deps.pool, { kind: 'user_disabled', actor: ctx.principal, subject: { type: 'user', id: userId } });
        return acceptedAnswer(userId, outcome);
      }),
  );

  app.post(
    '/api/users/:id/enable',
    {
      schema: {
        tags: ['users'],
        summary: 'Enable a disabled user (admin only)',
        description: 'Appends UserEnabled: the user may sign in again (their old sessions stay ended).',
        headers: changeHeaders,
        params: userIdParams,
        response: { 200: commandAccepted, ...problems(400, 401, 403, 404, 409, 503) },
      },
    },
    (request, reply) =>
      executeCommand(request, reply, deps, 'EnableUser', async (ctx) => {
        const userId = request.params.id;
        const { outcome, decided } = await changeUser(ctx, userId, (state) => enableUser({ type: 'EnableUser', data: { userId }, metadata: ctx.metadata }, state));
        if (decided.length) await recordSecurityEvent(request, deps.pool, { kind: 'user_enabled', actor: ctx.principal, subject: { type: 'user', id: userId } });
        return acceptedAnswer(userId, outcome);
      }),
  );
}
