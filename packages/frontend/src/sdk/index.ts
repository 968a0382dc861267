/**
 * @biodiv/sdk: what module UIs build against. At runtime it is the shell's own instance, reached through the
 * import map, so modules share the shell's Vue, router, Pinia stores and OpenLayers map.
 */

export { default as MVT } from 'ol/format/MVT.js'
export { default as VectorTileLayer } from 'ol/layer/VectorTile.js'
export { default as VectorTileSource } from 'ol/source/VectorTile.js'
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
// The Synthese's reusable pieces (filters, observation tiles and legend, sheet, export), for Validation and others.
export type { ChipOption } from '../pages/synthese/ChipAutocomplete.vue'
export { default as ChipAutocomplete } from '../pages/synthese/ChipAutocomplete.vue'
export type { CursorPager } from '../pages/synthese/cursorPager.ts'
export * as cursorPager from '../pages/synthese/cursorPager.ts'
export { default as ObservationLegend } from '../pages/synthese/ObservationLegend.vue'
export { default as ObservationListLayer } from '../pages/synthese/ObservationListLayer.vue'
export { default as ObservationSheet } from '../pages/synthese/ObservationSheet.vue'
export { default as ObservationTileLayer } from '../pages/synthese/ObservationTileLayer.vue'
export type { ObservationTileState } from '../pages/synthese/observationStyles.ts'
export {
  DEFAULT_STATUS_LABELS,
  GRID_CLASSES,
  STATUS_COLORS,
  statusColor,
} from '../pages/synthese/observationStyles.ts'
export { default as ResultsBar } from '../pages/synthese/ResultsBar.vue'
export { default as SyntheseExport } from '../pages/synthese/SyntheseExport.vue'
export { default as SyntheseFiltersPanel } from '../pages/synthese/SyntheseFiltersPanel.vue'
export { default as SyntheseResultsTable } from '../pages/synthese/SyntheseResultsTable.vue'
export type {
  ObservationItem,
  ObservationPage,
  ObservationSheetData,
  ValidationEvent,
} from '../pages/synthese/syntheseApi.ts'
export { SYNTHESE_PAGE_SIZE, syntheseApi } from '../pages/synthese/syntheseApi.ts'
export { downloadExport, formatBytes } from '../pages/synthese/syntheseExport.ts'
export type { SyntheseFilters } from '../pages/synthese/syntheseFilters.ts'
export {
  emptyFilters as emptySyntheseFilters,
  filtersFromQuery as syntheseFiltersFromQuery,
  filtersToApiParams as syntheseFiltersToApiParams,
  filtersToQuery as syntheseFiltersToQuery,
  mergeFiltersIntoQuery as mergeSyntheseFiltersIntoQuery,
} from '../pages/synthese/syntheseFilters.ts'
export type { FetchObservationPage } from '../pages/synthese/useObservationPages.ts'
export { useObservationPages } from '../pages/synthese/useObservationPages.ts'
export type { MapFocus } from '../pages/synthese/useSheetLink.ts'
export { useSheetLink } from '../pages/synthese/useSheetLink.ts'
export { ACTION_LABELS, CRUVED_ACTIONS, can, SCOPE_LABELS, scopeLabel } from '../session/cruved.ts'
export { default as ModuleGrants } from '../session/ModuleGrants.vue'
export type { SessionStore } from '../session/sessionStore.ts'
export { useSessionStore as useSession } from '../session/sessionStore.ts'
export { useCurrentModule } from '../session/useCurrentModule.ts'
export { default as AppIcon } from '../ui/AppIcon.vue'
export { default as ConfirmButton } from '../ui/ConfirmButton.vue'
export * from './ol.ts'
export type { Api } from './useApi.ts'
export { useApi } from './useApi.ts'
