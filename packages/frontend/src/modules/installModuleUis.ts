import type { Pinia } from 'pinia'
import type { App } from 'vue'
import type { Router } from 'vue-router'
import { useNoticeStore } from '../notices/noticeStore.ts'
import { useSessionStore } from '../session/sessionStore.ts'
import { type LoadedModuleUi, loadModuleUis, type ModuleUiFailure } from './moduleLoader.ts'
import { registerModuleRoutes, unregisterModuleRoutes } from './moduleRoutes.ts'
import { addModuleStylesheet } from './moduleStylesheet.ts'
import { useModuleUiStore } from './moduleUiStore.ts'

export interface InstallModuleUisContext {
  app: App
  router: Router
  pinia: Pinia
  /** Defaults to a native dynamic `import()` of the URL `/api/modules` gives. */
  importModule?: (url: string) => Promise<unknown>
}

const nativeImport = (url: string): Promise<unknown> => import(/* @vite-ignore */ url)

function report(failure: ModuleUiFailure, notices: ReturnType<typeof useNoticeStore>): void {
  const { module, reason } = failure
  console.error(`[modules] ${module.code}: UI skipped, ${reason}`)
  notices.push({
    level: 'error',
    message: `Le module « ${module.frontend?.label ?? module.name} » n’a pas pu être chargé.`,
    detail: reason,
  })
}

/**
 * Asks the API which modules the user may use, imports their UI bundles at runtime, adds their stylesheets and
 * registers their routes. A module that fails is reported (console + notice) and skipped.
 */
export async function installModuleUis(context: InstallModuleUisContext): Promise<void> {
  const { app, router, pinia } = context
  const session = useSessionStore(pinia)
  const notices = useNoticeStore(pinia)
  const registry = useModuleUiStore(pinia)
  uninstallModuleUis(router, pinia)

  let modules: Awaited<ReturnType<typeof session.fetchModules>>
  try {
    modules = await session.fetchModules()
  } catch (error) {
    console.error('[modules] GET /api/modules failed', error)
    notices.push({
      level: 'error',
      message: 'La liste des modules n’a pas pu être chargée.',
      detail: String(error),
    })
    return
  }

  const { loaded, failed } = await loadModuleUis(modules, {
    importModule: context.importModule ?? nativeImport,
  })
  const registered: LoadedModuleUi[] = []
  for (const entry of loaded) {
    try {
      if (entry.module.frontend?.style) await addModuleStylesheet(entry.module.frontend.style)
      await entry.ui.install?.({ app, router, module: entry.module })
      registerModuleRoutes(router, entry)
      registered.push(entry)
    } catch (error) {
      unregisterModuleRoutes(router, entry.module.code)
      failed.push({ module: entry.module, reason: error instanceof Error ? error.message : String(error) })
    }
  }
  for (const failure of failed) report(failure, notices)
  registry.setLoaded(registered)
}

/** Removes every module route (on logout, or before reloading the list for another user). */
export function uninstallModuleUis(router: Router, pinia: Pinia): void {
  const registry = useModuleUiStore(pinia)
  for (const { module } of registry.loaded) unregisterModuleRoutes(router, module.code)
  registry.setLoaded([])
}
