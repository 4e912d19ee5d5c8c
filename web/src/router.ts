import { createRouter, createWebHistory, type Router } from 'vue-router';
import { useAuthStore } from './stores/auth.ts';

export function createAppRouter(): Router {
  const router = createRouter({
    history: createWebHistory(),
    routes: [
      { path: '/login', name: 'login', component: () => import('./pages/LoginPage.vue'), meta: { public: true } },
      { path: '/', name: 'board', component: () => import('./pages/BoardPage.vue') },
      { path: '/analytics', name: 'analytics', component: () => import('./pages/AnalyticsPage.vue') },
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
    // A temporary password set by an admin is changed before anything else.
    if (auth.mustChangePassword && to.name !== 'account') return { name: 'account' };
    return true;
  });

  return router;
}
