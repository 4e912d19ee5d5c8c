import { ref } from 'vue';

/** Whether the global search dialog is open: `/`, Ctrl+K or the header's search button open it. */
export const searchOpen = ref(false);
export const openSearch = (): void => {
  searchOpen.value = true;
};
