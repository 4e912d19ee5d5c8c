import type { LoginResponse, MeResponse, SessionUserDto } from '@leadline/contracts';
import { defineStore } from 'pinia';
import { computed, ref } from 'vue';
import { ApiError, useApi } from '../composables/useApi.ts';
import { canWrite as roleCanWrite, type SessionUser } from '../lib/permissions.ts';
import { setDisplayZone } from '../lib/zone.ts';

export const useAuthStore = defineStore('auth', () => {
  const api = useApi();
  const user = ref<SessionUser | null>(null);
  /** Kept in memory only (never storage): the WebSocket `?token=` fallback. The cookie is the session. */
  const token = ref<string | null>(null);
  /** An admin set a temporary password: the app asks for a new one before anything else. */
  const mustChangePassword = ref(false);
  /** The zone chosen in the profile (null: this browser's); every date and time is shown in it (lib/zone.ts). */
  const timeZone = ref<string | null>(null);
  let checking: Promise<void> | null = null;

  const fromDto = (me: SessionUserDto): SessionUser => ({ id: me.id, email: me.email, name: me.name, role: me.role });

  /** Asks the server once per page load whether the session cookie is still good. */
  function ensureChecked(): Promise<void> {
    checking ??= refresh();
    return checking;
  }

  /** The signed-in user as the server knows them now (after a role change, for instance). */
  function refresh(): Promise<void> {
    return api
      .get<MeResponse>('/api/auth/me')
      .then((me) => {
        user.value = fromDto(me);
        mustChangePassword.value = me.mustChangePassword;
        setZone(me.timeZone);
      })
      .catch((err: unknown) => {
        if (!(err instanceof ApiError)) throw err;
        if (err.status === 401) user.value = null;
      });
  }

  function setZone(zone: string | null): void {
    timeZone.value = zone;
    setDisplayZone(zone);
  }

  async function login(email: string, password: string): Promise<void> {
    const answer = await api.post<LoginResponse>('/api/auth/login', { email, password });
    token.value = answer.token;
    user.value = fromDto(answer.user);
    mustChangePassword.value = answer.mustChangePassword;
    checking = Promise.resolve();
    // The profile's time zone (and anything else only /me answers): in the background.
    void refresh().catch(() => undefined);
  }

  async function logout(): Promise<void> {
    try {
      await api.post<void>('/api/auth/logout');
    } finally {
      expire();
    }
  }

  function expire(): void {
    user.value = null;
    token.value = null;
    mustChangePassword.value = false;
    setZone(null);
    checking = Promise.resolve();
  }

  const canWrite = computed(() => (user.value ? roleCanWrite(user.value.role) : false));

  return { user, token, mustChangePassword, timeZone, canWrite, ensureChecked, refresh, login, logout, expire, setZone };
});
