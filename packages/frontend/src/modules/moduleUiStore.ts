import { defineStore } from 'pinia'
import { computed, markRaw, shallowRef } from 'vue'
import type { LoadedModuleUi } from './moduleLoader.ts'
import { modulePathPrefix } from './moduleRoutes.ts'

export interface ModuleMenuEntry {
  code: string
  label: string
  icon: string
  to: string
}

/** The module UIs currently registered in the router (the side menu is built from them). */
export const useModuleUiStore = defineStore('moduleUis', () => {
  const loaded = shallowRef<readonly LoadedModuleUi[]>([])

  const menuEntries = computed<ModuleMenuEntry[]>(() =>
    loaded.value.map(({ module }) => ({
      code: module.code,
      label: module.frontend?.label ?? module.name,
      icon: module.frontend?.icon ?? 'puzzle',
      to: `/${modulePathPrefix(module.code)}`,
    })),
  )

  function setLoaded(list: readonly LoadedModuleUi[]): void {
    loaded.value = list.map((entry) => markRaw({ ...entry }))
  }

  return { loaded, menuEntries, setLoaded }
})
