import { type ComputedRef, computed } from 'vue'
import { useRoute } from 'vue-router'
import type { Grants, ModuleSummary } from '../api/types.ts'
import { useSessionStore } from './sessionStore.ts'

/** The module whose route is displayed (from `meta.moduleCode`), with the user's grants in it. */
export function useCurrentModule(): {
  module: ComputedRef<ModuleSummary | undefined>
  grants: ComputedRef<Grants>
} {
  const route = useRoute()
  const session = useSessionStore()
  const code = computed(() => (typeof route.meta.moduleCode === 'string' ? route.meta.moduleCode : undefined))
  const module = computed(() => (code.value ? session.moduleByCode(code.value) : undefined))
  const grants = computed(() => module.value?.grants ?? {})
  return { module, grants }
}
