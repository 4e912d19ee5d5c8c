import type { UserDto } from '@leadline/contracts';
import type pg from 'pg';
import { toUserDto, type UserRow } from './rows.ts';

export async function listUsers(pool: pg.Pool): Promise<UserDto[]> {
  const { rows } = await pool.query<UserRow>('SELECT id, email, name, role, team_id, disabled, time_zone, version, created_at FROM read.users ORDER BY name, id');
  return rows.map(toUserDto);
}
