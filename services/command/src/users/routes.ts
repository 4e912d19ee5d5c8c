import { hash } from '@node-rs/argon2';
import { commandAccepted, createUserBody } from '@leadline/contracts';
import { ForbiddenError } from '@leadline/platform';
import type { App, RouteDeps } from '../deps.ts';
import { executeCommand } from '../handler.ts';
import { entityIdFor } from '../ids.ts';
import { createHeaders, problems } from '../schemas.ts';
import { createUserAccount } from './accounts.ts';

export function registerUserRoutes(app: App, deps: RouteDeps): void {
  app.post(
    '/api/users',
    {
      schema: {
        tags: ['users'],
        summary: 'Create a user (admin only)',
        description: 'Reserves the email (unique, case-insensitive), then creates the user with an argon2 password hash.',
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
        const passwordHash = await hash(password);
        const { reservation, user } = await createUserAccount(deps.eventStore, { userId, email, name, role, passwordHash }, metadata);
        return { status: 201, body: { id: userId, version: user.version, checkpoint: user.checkpoint }, streams: [reservation, user] };
      }),
  );
}
