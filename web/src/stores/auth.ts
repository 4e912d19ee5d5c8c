import type { LoginResponse } from '@leadline/contracts';
import { defineStore } from 'pinia';
import { computed, ref } from 'vue';
import { ApiError, useApi } from '../composables/useApi.ts';
import { canWrite as roleCanWrite, type SessionUser } from '../lib/permissions.ts';

export const useAuthStore = defineStore('auth', () => {
  const api = useApi();
  const user = ref<SessionUser | null>(null);
  /** Kept in memory only (never storage): the WebSocket `?token=` fallback. The cookie is the session. */
  const token = ref<string | null>(null);
  let checking: Promise<void> | null = null;

  /** Asks the server once per page load whether the session cookie is still good. */
  function ensureChecked(): Promise<void> {
    checking ??= api
      .get<SessionUser>('/api/auth/me')
      .then((me) => {
        user.value = { id: me.id, email: me.email, name: me.name, role: me.role };
      })
      .catch((err: unknown) => {
        if (!(err instanceof ApiError)) throw err;
        user.value = null;
      });
    return checking;
  }

  async function login(email: string, password: string): Promise<void> {
    const answer = await api.post<LoginResponse>('/api/auth/login', { email, password });
    token.value = answer.token;
    user.value = answer.user;
    checking = Promise.resolve();
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
    checking = Promise.resolve();
  }

  const canWrite = computed(() => (user.value ? roleCanWrite(user.value.role) : false));

  return { user, token, canWrite, ensureChecked, login, logout, expire };
});
