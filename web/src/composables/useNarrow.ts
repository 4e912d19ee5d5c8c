import { onBeforeUnmount, ref, type Ref } from 'vue';

/** True while the viewport is at most `maxWidth` px wide (a phone): layouts that need different markup, not just CSS. */
export function useNarrow(maxWidth = 640): Ref<boolean> {
  const query = typeof window !== 'undefined' && window.matchMedia ? window.matchMedia(`(max-width: ${maxWidth}px)`) : null;
  const narrow = ref(query?.matches ?? false);
  const update = (e: MediaQueryListEvent) => (narrow.value = e.matches);
  query?.addEventListener('change', update);
  onBeforeUnmount(() => query?.removeEventListener('change', update));
  return narrow;
}
