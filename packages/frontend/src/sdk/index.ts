/**
 * @biodiv/sdk: what module UIs build against. At runtime it is the shell's own instance, reached through the
 * import map, so modules share the shell's Vue, router, Pinia stores and OpenLayers map.
 */

export type { ApiFetchOptions } from '../api/apiFetch.ts'
export { ApiError, apiFetch } from '../api/apiFetch.ts'
export type { CruvedAction, Grants, Me, ModuleFrontend, ModuleSummary, Scope } from '../api/types.ts'
export { DEMO_REGION } from '../map/demoRegion.ts'
export { l93CellCodeAt } from '../map/l93Grid.ts'
export { fromLambert93, toLambert93 } from '../map/lambert93.ts'
export { default as MapView } from '../map/MapView.vue'
export { useMap } from '../map/useMap.ts'
export { useMapInteraction } from '../map/useMapInteraction.ts'
export { useMapLayer } from '../map/useMapLayer.ts'
export type { ModuleUi, ModuleUiContext, ModuleUiDefinition } from '../modules/defineModuleUi.ts'
export { defineModuleUi, MODULE_UI_KIND } from '../modules/defineModuleUi.ts'
export { useNoticeStore as useNotices } from '../notices/noticeStore.ts'
export { ACTION_LABELS, CRUVED_ACTIONS, can, SCOPE_LABELS, scopeLabel } from '../session/cruved.ts'
export { default as ModuleGrants } from '../session/ModuleGrants.vue'
export type { SessionStore } from '../session/sessionStore.ts'
export { useSessionStore as useSession } from '../session/sessionStore.ts'
export { useCurrentModule } from '../session/useCurrentModule.ts'
export { default as AppIcon } from '../ui/AppIcon.vue'
export * from './ol.ts'
export type { Api } from './useApi.ts'
export { useApi } from './useApi.ts'
