import type { RouteRecordRaw, Router } from 'vue-router'
import type { LoadedModuleUi } from './moduleLoader.ts'

/** Name of the layout route that module routes are nested in. */
export const SHELL_ROUTE_NAME = 'shell'

export function modulePathPrefix(code: string): string {
  return code.toLowerCase()
}

export function moduleRootRouteName(code: string): string {
  return `module:${code}`
}

function relative(route: RouteRecordRaw): RouteRecordRaw {
  return { ...route, path: route.path.replace(/^\/+/, '') } as RouteRecordRaw
}

/**
 * Mounts a module's routes under `/<code lowercase>`, inside the shell layout. Every route inherits
 * `meta.moduleCode`, which the SDK uses to find the current module.
 */
export function registerModuleRoutes(router: Router, { module, ui }: LoadedModuleUi): void {
  router.addRoute(SHELL_ROUTE_NAME, {
    path: modulePathPrefix(module.code),
    name: moduleRootRouteName(module.code),
    meta: { moduleCode: module.code },
    children: ui.routes.map(relative),
  })
}

export function unregisterModuleRoutes(router: Router, code: string): void {
  const name = moduleRootRouteName(code)
  if (router.hasRoute(name)) router.removeRoute(name)
}
