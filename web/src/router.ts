import { createRouter, createWebHistory, type Router } from 'vue-router';
import { isStaleChunkError, shouldReloadFor, type ChunkReload } from './lib/staleBuild.ts';
import { useAuthStore } from './stores/auth.ts';
import { useWorkspaceStore } from './stores/workspace.ts';

const CHUNK_RELOAD_KEY = 'leadline:chunk-reload';

function lastChunkReload(): ChunkReload | null {
  try {
    return JSON.parse(sessionStorage.getItem(CHUNK_RELOAD_KEY) ?? 'null') as ChunkReload | null;
  } catch {
    return null;
  }
}

export function createAppRouter(): Router {
  const router = createRouter({
    history: createWebHistory(),
    routes: [
      { path: '/login', name: 'login', component: () => import('./pages/LoginPage.vue'), meta: { public: true } },
      { path: '/', name: 'board', component: () => import('./pages/BoardPage.vue') },
      { path: '/analytics', name: 'analytics', component: () => import('./pages/AnalyticsPage.vue') },
      { path: '/leads', name: 'leads', component: () => import('./pages/LeadsPage.vue') },
      { path: '/leads/:id', name: 'lead', component: () => import('./pages/LeadPage.vue') },
      { path: '/assignments', name: 'assignments', component: () => import('./pages/AssignmentsPage.vue') },
      { path: '/activities', name: 'activities', component: () => import('./pages/ActivitiesPage.vue') },
      { path: '/activity-templates', name: 'activity-templates', component: () => import('./pages/TemplatesPage.vue') },
      { path: '/settings', name: 'settings', component: () => import('./pages/SettingsPage.vue') },
      { path: '/account', name: 'account', component: () => import('./pages/AccountPage.vue') },
      { path: '/users', name: 'users', component: () => import('./pages/UsersPage.vue') },
      { path: '/audit', name: 'audit', component: () => import('./pages/AuditPage.vue') },
      { path: '/:pathMatch(.*)*', redirect: '/' },
    ],
  });

  router.beforeEach(async (to) => {
    const auth = useAuthStore();
    await auth.ensureChecked();
    if (to.meta.public) return auth.user && to.name === 'login' ? { name: 'board' } : true;
    if (!auth.user) return { name: 'login', query: to.fullPath !== '/' ? { redirect: to.fullPath } : {} };
    // Pages read the currency when they are set up: the workspace settings come first (once per user).
    await useWorkspaceStore().ensureLoaded(auth.user.id);
    // A temporary password set by an admin is changed before anything else.
    if (auth.mustChangePassword && to.name !== 'account') return { name: 'account' };
    return true;
  });

  // After a deploy the old page's lazy files are gone: without this, a click (or a sign-in) that
  // needs one does nothing. Loading the target afresh gets the new index.html and its files.
  router.onError((err, to) => {
    if (!isStaleChunkError(err)) return;
    const now = Date.now();
    if (!shouldReloadFor(lastChunkReload(), to.fullPath, now)) return;
    try {
      sessionStorage.setItem(CHUNK_RELOAD_KEY, JSON.stringify({ path: to.fullPath, at: now } satisfies ChunkReload));
    } catch {
      return; // without the note a broken build would reload for ever
    }
    window.location.assign(to.fullPath);
  });

  return router;
}
