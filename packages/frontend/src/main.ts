import 'ol/ol.css'
import './styles/base.css'
import { createPinia } from 'pinia'
import { createApp } from 'vue'
import App from './App.vue'
import { setSessionLostHandler } from './api/apiFetch.ts'
import { createAppMap } from './map/createAppMap.ts'
import { MAP_KEY } from './map/mapKey.ts'
import { installModuleUis, uninstallModuleUis } from './modules/installModuleUis.ts'
import { createAppRouter } from './router.ts'
import { useSessionStore } from './session/sessionStore.ts'
import { SHELL_KEY } from './shellKey.ts'

async function boot(): Promise<void> {
  const app = createApp(App)
  const pinia = createPinia()
  app.use(pinia)
  const router = createAppRouter()
  app.provide(MAP_KEY, createAppMap())
  const session = useSessionStore(pinia)
  app.provide(SHELL_KEY, {
    loadModules: () => installModuleUis({ app, router, pinia }),
    unloadModules: () => uninstallModuleUis(router, pinia),
  })

  setSessionLostHandler(() => {
    if (!session.isAuthenticated) return
    const current = router.currentRoute.value.fullPath
    session.user = null
    void router
      .replace({ name: 'login', query: { redirect: current } })
      .then(() => uninstallModuleUis(router, pinia))
  })

  // Deep links (/occtax on reload): module routes must exist before the router resolves the first URL.
  if (await session.restore()) await installModuleUis({ app, router, pinia })

  app.use(router)
  await router.isReady()
  app.mount('#app')
}

boot().catch((error: unknown) => {
  console.error('[shell] boot failed', error)
  const root = document.getElementById('app')
  if (root)
    root.textContent = 'L’application n’a pas pu démarrer. Rechargez la page ou contactez l’administrateur.'
})
