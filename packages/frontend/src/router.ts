import { createRouter, createWebHistory, type Router, type RouterHistory } from 'vue-router'
import AppLayout from './layout/AppLayout.vue'
import { SHELL_ROUTE_NAME } from './modules/moduleRoutes.ts'
import HomePage from './pages/HomePage.vue'
import LoginPage from './pages/LoginPage.vue'
import MetadataPage from './pages/metadata/MetadataPage.vue'
import NotFoundPage from './pages/NotFoundPage.vue'
import SensitivityRulesPage from './pages/sensitivity/SensitivityRulesPage.vue'
import SynthesePage from './pages/synthese/SynthesePage.vue'
import { useSessionStore } from './session/sessionStore.ts'

declare module 'vue-router' {
  interface RouteMeta {
    /** Reachable without a session (the login page). */
    public?: boolean
    /** Set on every route of a module UI. */
    moduleCode?: string
    /** A core page: the core pseudo-module whose R grant it needs (e.g. METADATA). */
    coreGrant?: string
  }
}

/** Only same-app paths are accepted as a post-login redirect. */
export function safeRedirect(value: unknown): string {
  return typeof value === 'string' && value.startsWith('/') && !value.startsWith('//') ? value : '/'
}

/**
 * The shell's routes. Module UIs add theirs under the `shell` layout route at runtime;
 * the catch-all makes a deep link to a module not loaded yet go through the login page.
 */
export function createAppRouter(history: RouterHistory = createWebHistory(import.meta.env.BASE_URL)): Router {
  const router = createRouter({
    history,
    routes: [
      { path: '/login', name: 'login', component: LoginPage, meta: { public: true } },
      {
        path: '/',
        name: SHELL_ROUTE_NAME,
        component: AppLayout,
        children: [
          { path: '', name: 'home', component: HomePage },
          // Core pages (not module bundles), shown when the user holds the grant they name.
          { path: 'metadata', name: 'metadata', component: MetadataPage, meta: { coreGrant: 'METADATA' } },
          { path: 'synthese', name: 'synthese', component: SynthesePage, meta: { coreGrant: 'SYNTHESE' } },
          {
            path: 'admin/sensitivity',
            name: 'sensitivity-rules',
            component: SensitivityRulesPage,
            meta: { coreGrant: 'ADMIN' },
          },
          { path: ':pathMatch(.*)*', name: 'not-found', component: NotFoundPage },
        ],
      },
    ],
  })

  router.beforeEach((to) => {
    const session = useSessionStore()
    if (!to.meta.public && !session.isAuthenticated) {
      return { name: 'login', query: to.fullPath === '/' ? {} : { redirect: to.fullPath } }
    }
    if (to.name === 'login' && session.isAuthenticated) return safeRedirect(to.query.redirect)
    if (to.meta.coreGrant && session.grantsFor(to.meta.coreGrant).R === undefined) return { name: 'home' }
    return true
  })

  return router
}
