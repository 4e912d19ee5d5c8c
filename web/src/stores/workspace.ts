import type { WorkspaceSettingsDto } from '@leadline/contracts';
import { defineStore } from 'pinia';
import { computed, ref } from 'vue';
import { useApi } from '../composables/useApi.ts';
import { defaultCurrency, setWorkspaceCurrency } from '../lib/money.ts';

const LOAD_WAIT_MS = 3_000;

/** The workspace settings every page needs (the currency money is shown in): read once per signed-in user. */
export const useWorkspaceStore = defineStore('workspace', () => {
  const api = useApi();
  const settings = ref<WorkspaceSettingsDto | null>(null);
  let loading: { userId: string; done: Promise<void> } | null = null;

  function apply(dto: WorkspaceSettingsDto): void {
    settings.value = dto;
    setWorkspaceCurrency(dto.currency);
  }

  /**
   * Reads the settings at most once per user; a failed read leaves the fallback currency and is tried
   * again on the next call. Waits at most LOAD_WAIT_MS: a slow server does not hold up navigation.
   */
  function ensureLoaded(userId: string): Promise<void> {
    if (loading?.userId !== userId) {
      const attempt = { userId, done: Promise.resolve() };
      attempt.done = load().then(
        () => undefined,
        () => {
          if (loading === attempt) loading = null;
        },
      );
      loading = attempt;
    }
    return Promise.race([loading.done, new Promise<void>((resolve) => setTimeout(resolve, LOAD_WAIT_MS))]);
  }

  async function load(minCheckpoint?: string): Promise<WorkspaceSettingsDto> {
    const dto = await api.get<WorkspaceSettingsDto>('/api/settings/workspace', { query: { minCheckpoint } });
    apply(dto);
    return dto;
  }

  /** Signed out: forget them, so the next user reads their own copy. */
  function reset(): void {
    loading = null;
    settings.value = null;
    setWorkspaceCurrency(null);
  }

  const currency = computed(() => settings.value?.currency ?? defaultCurrency());

  return { settings, currency, ensureLoaded, load, apply, reset };
});
