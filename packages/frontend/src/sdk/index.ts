/**
 * @biodiv/sdk: what module UIs build against. At runtime it is the shell's own instance, reached through the
 * import map, so modules share the shell's Vue, router, Pinia stores and OpenLayers map.
 *
 * Every export is listed and documented in ./README.md: add one only with its line there.
 */

// The shared map, Lambert-93 and OpenLayers (modules never import `ol/*`).
export { default as MVT } from 'ol/format/MVT.js'
export { default as VectorTileLayer } from 'ol/layer/VectorTile.js'
export { default as VectorTileSource } from 'ol/source/VectorTile.js'
// API: calls and the types of the OpenAPI document.
export type { ApiFetchOptions } from '../api/apiFetch.ts'
export { ApiError, apiFetch } from '../api/apiFetch.ts'
export type {
  ApiBody,
  ApiMethod,
  ApiPath,
  ApiPaths,
  ApiQuery,
  ApiResponse,
  HttpMethod,
  JsonBody,
  JsonError,
  JsonResponse,
  QueryOf,
} from '../api/apiSchema.ts'
export type {
  ApiErrorBody,
  CruvedAction,
  Grants,
  Me,
  ModuleFrontend,
  ModuleSummary,
  Scope,
} from '../api/types.ts'
export { DEMO_REGION } from '../map/demoRegion.ts'
export { l93CellCodeAt } from '../map/l93Grid.ts'
export { fromLambert93, toLambert93 } from '../map/lambert93.ts'
export { default as MapView } from '../map/MapView.vue'
export { useMap } from '../map/useMap.ts'
export { useMapInteraction } from '../map/useMapInteraction.ts'
export { useMapLayer } from '../map/useMapLayer.ts'
// Module UI contract, session and permissions.
export type { ModuleUi, ModuleUiContext, ModuleUiDefinition } from '../modules/defineModuleUi.ts'
export { defineModuleUi, MODULE_UI_KIND } from '../modules/defineModuleUi.ts'
export { default as NomenclatureSelect } from '../nomenclature/NomenclatureSelect.vue'
// Reference data: SINP nomenclatures.
export type {
  NomenclatureTaxonFilter,
  NomenclatureUsage,
  NomenclatureValue,
} from '../nomenclature/nomenclatureApi.ts'
export { nomenclatureDefaults, nomenclatureValues } from '../nomenclature/nomenclatureApi.ts'
export { useNoticeStore as useNotices } from '../notices/noticeStore.ts'
// Observation pages built like the Synthèse's (Validation is one): filters, map layers, paged list, sheet.
export * as cursorPager from '../pages/synthese/cursorPager.ts'
export { default as ObservationLegend } from '../pages/synthese/ObservationLegend.vue'
export { default as ObservationListLayer } from '../pages/synthese/ObservationListLayer.vue'
export { default as ObservationSheet } from '../pages/synthese/ObservationSheet.vue'
export { default as ObservationTileLayer } from '../pages/synthese/ObservationTileLayer.vue'
export type { ObservationTileState } from '../pages/synthese/observationStyles.ts'
export { DEFAULT_STATUS_LABELS, statusColor } from '../pages/synthese/observationStyles.ts'
export { default as ResultsBar } from '../pages/synthese/ResultsBar.vue'
export { default as SyntheseFiltersPanel } from '../pages/synthese/SyntheseFiltersPanel.vue'
export type { SyntheseFilters } from '../pages/synthese/syntheseFilters.ts'
export {
  emptyFilters as emptySyntheseFilters,
  filtersFromQuery as syntheseFiltersFromQuery,
  filtersToApiParams as syntheseFiltersToApiParams,
  mergeFiltersIntoQuery as mergeSyntheseFiltersIntoQuery,
} from '../pages/synthese/syntheseFilters.ts'
export type { FetchObservationPage } from '../pages/synthese/useObservationPages.ts'
export { useObservationPages } from '../pages/synthese/useObservationPages.ts'
export type { MapFocus } from '../pages/synthese/useSheetLink.ts'
export { useSheetLink } from '../pages/synthese/useSheetLink.ts'
// Sensitivity of observations (SINP levels 0–4, blurring).
export { default as SensitivityBadge } from '../sensitivity/SensitivityBadge.vue'
export type { SensitivityLevel } from '../sensitivity/sensitivityLevels.ts'
export {
  SENSITIVITY_LEVELS,
  sensitivityLabel,
  sensitivityText,
} from '../sensitivity/sensitivityLevels.ts'
export { ACTION_LABELS, CRUVED_ACTIONS, can, SCOPE_LABELS, scopeLabel } from '../session/cruved.ts'
export { default as ModuleGrants } from '../session/ModuleGrants.vue'
export type { SessionStore } from '../session/sessionStore.ts'
export { useSessionStore as useSession } from '../session/sessionStore.ts'
export { useCurrentModule } from '../session/useCurrentModule.ts'
// UI components.
export { default as AppIcon } from '../ui/AppIcon.vue'
export { default as ConfirmButton } from '../ui/ConfirmButton.vue'
export * from './ol.ts'
export type { Api } from './useApi.ts'
export { useApi } from './useApi.ts'
