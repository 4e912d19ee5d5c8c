import { commandAccepted, updateProfileBody } from '@leadline/contracts';
import type { App, RouteDeps } from '../deps.ts';
import { acceptedAnswer, executeCommand, handleCommand } from '../handler.ts';
import { userStream } from '../reads.ts';
import { changeHeaders, problems } from '../schemas.ts';
import { syncAccount } from './accountSync.ts';
import { updateProfile } from './decide.ts';
import { userAggregate } from './user.ts';

/** The signed-in user's own name and time zone: UserProfileChanged on their stream, nothing when nothing changes. */
export function registerProfileRoutes(app: App, deps: RouteDeps): void {
  app.put(
    '/api/auth/profile',
    {
      schema: {
        tags: ['auth'],
        summary: 'Change your own name and time zone',
        description:
          'Any role, for themselves. `timeZone` is an IANA name (Europe/Paris, Asia/Kolkata, America/St_Johns) or null for the zone of the browser in use; the web app shows every date and time in it. ' +
          'An unknown zone is 400 naming body.timeZone. If-Match (the user\'s version, as `GET /api/users` lists it) is optional. The new name shows on the next request and in owner pickers once projected.',
        headers: changeHeaders,
        body: updateProfileBody,
        response: { 200: commandAccepted, ...problems(400, 401, 403, 409, 503) },
      },
    },
    (request, reply) =>
      executeCommand(request, reply, deps, 'UpdateProfile', async ({ principal, metadata, ifMatch }) => {
        const userId = principal.userId;
        const outcome = await handleCommand(deps.eventStore, {
          streamId: userStream(userId),
          aggregate: userAggregate,
          metadata,
          expectedVersion: ifMatch,
          decide: (loaded) => updateProfile({ type: 'UpdateProfile', data: { userId, ...request.body }, metadata }, loaded.state),
        });
        await syncAccount(deps, userId);
        return acceptedAnswer(userId, outcome);
      }, { who: 'anyone' }),
  );
}
