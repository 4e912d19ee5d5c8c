import { z } from 'zod';
import { isoDateTime, role, uuid } from './common.ts';

export const email = z.string().trim().toLowerCase().max(254).pipe(z.email());

/** Every password a person chooses or an admin sets: long rather than complicated (NIST SP 800-63B). */
export const password = z.string().min(10, 'Use at least 10 characters').max(200);

const userName = z.string().trim().min(1).max(120);

/** Whether the runtime knows the zone (aliases such as `Asia/Calcutta` included). */
function knownZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/** An IANA time zone name: `Europe/Paris`, `Asia/Kolkata`, `America/St_Johns`, `UTC`. */
export const timeZone = z
  .string()
  .trim()
  .min(1)
  .max(64)
  .refine(knownZone, { message: 'Choose a time zone such as Europe/Paris or America/New_York' });

/**
 * `PUT /api/auth/profile`: the signed-in user's own name and time zone (any role). A null zone
 * means "the zone of the browser in use". Dates and times in the web app are shown in it.
 */
export const updateProfileBody = z.object({ name: userName, timeZone: timeZone.nullable() }).strict();
export type UpdateProfileBody = z.infer<typeof updateProfileBody>;

export const createUserBody = z.object({
  email,
  name: userName,
  role,
  password,
}).strict();
export type CreateUserBody = z.infer<typeof createUserBody>;

/** `PUT /api/users/:id` (admin): the whole editable profile; `teamId` is the user's home team or null. */
export const updateUserBody = z.object({
  name: userName,
  role,
  teamId: uuid.nullable(),
}).strict();
export type UpdateUserBody = z.infer<typeof updateUserBody>;

/** `POST /api/auth/password`: the signed-in user's own password. */
export const changePasswordBody = z.object({
  currentPassword: z.string().min(1).max(200),
  newPassword: password,
}).strict();
export type ChangePasswordBody = z.infer<typeof changePasswordBody>;

/** `POST /api/users/:id/password-reset` (admin): a temporary password the user is asked to change. */
export const resetPasswordBody = z.object({ temporaryPassword: password }).strict();
export type ResetPasswordBody = z.infer<typeof resetPasswordBody>;

export const loginBody = z.object({
  email: z.string().trim().toLowerCase().min(3).max(254),
  password: z.string().min(1).max(200),
});

export const userDto = z.object({
  id: uuid,
  email: z.string(),
  name: z.string(),
  role,
  teamId: uuid.nullable(),
  disabled: z.boolean(),
  /** Their own choice (`PUT /api/auth/profile`); null: the browser's. */
  timeZone: z.string().nullable(),
  /** The user stream's version: send it as If-Match with `PUT /api/users/:id`. */
  version: z.number().int(),
  createdAt: isoDateTime,
});
export type UserDto = z.infer<typeof userDto>;

export const sessionUser = z.object({ id: uuid, email: z.string(), name: z.string(), role, teamId: uuid.nullable() });
/** `GET /api/auth/me`: the user, and whether they must choose a new password first (kept across reloads). */
export const meResponse = sessionUser.extend({
  mustChangePassword: z.boolean(),
  /** The zone chosen in the profile, or null for the browser's. */
  timeZone: z.string().nullable(),
});
export type MeResponse = z.infer<typeof meResponse>;
export type SessionUserDto = z.infer<typeof sessionUser>;

export const loginResponse = z.object({
  token: z.string(),
  user: sessionUser,
  /** An admin set this password: the web app asks for a new one first. */
  mustChangePassword: z.boolean(),
});
export type LoginResponse = z.infer<typeof loginResponse>;

/** Version 1 carried the argon2 hash; it now lives in the command side's `cmd.credentials` table. */
export const userCreatedV1 = z.object({
  userId: uuid,
  email: z.string(),
  name: z.string(),
  role,
  passwordHash: z.string(),
});

export const userCreatedV2 = z.object({
  userId: uuid,
  email: z.string(),
  name: z.string(),
  role,
});

export const userUpdatedV1 = z.object({ userId: uuid, name: z.string(), teamId: uuid.nullable() });
/** The user changed their own profile (an admin's change of a name is UserUpdated). */
export const userProfileChangedV1 = z.object({ userId: uuid, name: z.string(), timeZone: z.string().nullable() });
export const roleChangedV1 = z.object({ userId: uuid, from: role, to: role });
export const userDisabledV1 = z.object({ userId: uuid });
export const userEnabledV1 = z.object({ userId: uuid });
/** Who set a new password and how; never the password or its hash. */
export const userPasswordChangedV1 = z.object({ userId: uuid, reset: z.boolean() });

/** Appended (expected version: no stream) to `useremail-<sha256(email)>` so that an email is taken once. */
export const userEmailReservedV1 = z.object({ userId: uuid, email: z.string() });
