import type { App } from 'vue'
import type { RouteRecordRaw, Router } from 'vue-router'
import type { ModuleSummary } from '../api/types.ts'

export const MODULE_UI_KIND = 'biodiv.module-ui/v1'

export interface ModuleUiContext {
  app: App
  router: Router
  module: ModuleSummary
}

export interface ModuleUiDefinition {
  /**
   * Routes mounted under `/<module code lowercase>`: paths are relative to that prefix
   * (`''` is the module's home page; a leading `/` is ignored).
   */
  routes: RouteRecordRaw[]
  /** Optional hook run once after the module is loaded, before its routes are registered. */
  install?: (context: ModuleUiContext) => void | Promise<void>
}

export interface ModuleUi extends ModuleUiDefinition {
  readonly kind: typeof MODULE_UI_KIND
}

/** The module UI contract: a module UI entry default-exports `defineModuleUi({ routes })`. */
export function defineModuleUi(definition: ModuleUiDefinition): ModuleUi {
  return Object.freeze({ ...definition, kind: MODULE_UI_KIND })
}

/** Describes why `value` is not a module UI, or returns null when it is one. */
export function moduleUiProblem(value: unknown): string | null {
  if (typeof value !== 'object' || value === null) return 'son export par défaut n’est pas defineModuleUi(…)'
  const candidate = value as Partial<ModuleUi>
  if (candidate.kind !== MODULE_UI_KIND) return 'son export par défaut n’est pas defineModuleUi(…)'
  if (!Array.isArray(candidate.routes)) return 'defineModuleUi(…) sans tableau routes'
  return null
}
