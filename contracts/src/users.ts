import { z } from 'zod';
import { isoDateTime, role, uuid } from './common.ts';

export const email = z.string().trim().toLowerCase().max(254).pipe(z.email());

export const createUserBody = z.object({
  email,
  name: z.string().trim().min(1).max(120),
  role,
  password: z.string().min(10, 'at least 10 characters').max(200),
}).strict();
export type CreateUserBody = z.infer<typeof createUserBody>;

export const loginBody = z.object({
  email: z.string().trim().toLowerCase().min(3).max(254),
  password: z.string().min(1).max(200),
});

export const userDto = z.object({
  id: uuid,
  email: z.string(),
  name: z.string(),
  role,
  createdAt: isoDateTime,
});
export type UserDto = z.infer<typeof userDto>;

export const loginResponse = z.object({ token: z.string(), user: userDto.omit({ createdAt: true }) });
export type LoginResponse = z.infer<typeof loginResponse>;

export const userCreatedV1 = z.object({
  userId: uuid,
  email: z.string(),
  name: z.string(),
  role,
  passwordHash: z.string(),
});

/** Appended (expected version: no stream) to `useremail-<sha256(email)>` so that an email is taken once. */
export const userEmailReservedV1 = z.object({ userId: uuid, email: z.string() });
