import crypto from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { Principal } from '@leadline/platform';
import { recheckActionFor, socketActionFor } from './sessionNotice.ts';

const principal: Principal = { userId: crypto.randomUUID(), role: 'rep', name: 'Rita', email: 'rita@example.com', teamId: null, sessionId: crypto.randomUUID() };
const other = crypto.randomUUID();

describe('what a session notice does to a socket', () => {
  it('ends the socket of the ended session only', () => {
    expect(socketActionFor({ kind: 'ended', userId: principal.userId, sessionId: principal.sessionId }, principal)).toBe('end');
    expect(socketActionFor({ kind: 'ended', userId: principal.userId, sessionId: other }, principal)).toBeNull();
  });

  it('ends every socket of the user but the kept session', () => {
    expect(socketActionFor({ kind: 'ended-all', userId: principal.userId, except: null }, principal)).toBe('end');
    expect(socketActionFor({ kind: 'ended-all', userId: principal.userId, except: other }, principal)).toBe('end');
    expect(socketActionFor({ kind: 'ended-all', userId: principal.userId, except: principal.sessionId }, principal)).toBeNull();
  });

  it('makes the user reconnect when their account changed, and leaves other users alone', () => {
    expect(socketActionFor({ kind: 'account', userId: principal.userId }, principal)).toBe('reconnect');
    expect(socketActionFor({ kind: 'account', userId: other }, principal)).toBeNull();
    expect(socketActionFor({ kind: 'ended-all', userId: other, except: null }, principal)).toBeNull();
  });

  it('on a re-check: gone ends, a new role or team reconnects, a new name does nothing', () => {
    expect(recheckActionFor(undefined, principal)).toBe('end');
    expect(recheckActionFor({ ...principal, role: 'manager' }, principal)).toBe('reconnect');
    expect(recheckActionFor({ ...principal, teamId: other }, principal)).toBe('reconnect');
    expect(recheckActionFor({ ...principal, name: 'Rita R.' }, principal)).toBeNull();
  });
});
