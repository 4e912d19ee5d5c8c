import './zodNoEval.ts';
import Aura from '@primeuix/themes/aura';
import { definePreset } from '@primeuix/themes';
import { createPinia } from 'pinia';
import PrimeVue from 'primevue/config';
import ToastService from 'primevue/toastservice';
import { createApp } from 'vue';
import 'primeicons/primeicons.css';
import App from './App.vue';
import { onUnauthorized } from './composables/useApi.ts';
import { createAppRouter } from './router.ts';
import { useAuthStore } from './stores/auth.ts';
import './styles.css';
import './styles/page.css';
import './styles/phone.css';

const Leadline = definePreset(Aura, {
  semantic: {
    primary: {
      50: '{indigo.50}',
      100: '{indigo.100}',
      200: '{indigo.200}',
      300: '{indigo.300}',
      400: '{indigo.400}',
      500: '{indigo.500}',
      600: '{indigo.600}',
      700: '{indigo.700}',
      800: '{indigo.800}',
      900: '{indigo.900}',
      950: '{indigo.950}',
    },
  },
});

const app = createApp(App);
const pinia = createPinia();
app.use(pinia);
const router = createAppRouter();
app.use(router);
app.use(PrimeVue, { theme: { preset: Leadline, options: { darkModeSelector: '.app-dark', cssLayer: false } } });
app.use(ToastService);

onUnauthorized(() => {
  useAuthStore(pinia).expire();
  const current = router.currentRoute.value;
  if (current.name !== 'login') void router.replace({ name: 'login', query: { redirect: current.fullPath } });
});

app.mount('#app');
