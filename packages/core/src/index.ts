// The core's public API for modules: the contract, errors and schemas they share with the core.

// Type augmentations of Fastify (request.user, request.scope, route config, fastify.db) come with these.
export type { AppOptions } from './app.ts'
export { effectiveFilters, type Grants, type PermissionFilter, userPermissionFilters } from './auth/grants.ts'
export type { SessionUser } from './auth/sessions.ts'
export { findUsers, searchUsers, type UserSummary, userNameSql } from './auth/user-directory.ts'
export type { Database } from './db/database.ts'
export type { QueryRunner } from './db/query-runner.ts'
export { withTransaction } from './db/transaction.ts'
export { areaGeometryByCodeSql, intersectsAreaSql } from './geo/area-lookup.ts'
export { readGeoJsonFeatures } from './geo/geojson-stream.ts'
export { AppError, badRequest, conflict, forbidden, notFound, unauthorized } from './http/app-error.ts'
export { ErrorBody, errorResponses } from './http/error-schema.ts'
export { pageOrFeatureCollection } from './http/geojson-page.ts'
export { decodeCursor, encodeCursor, keysetPage } from './http/keyset-cursor.ts'
export { featureCollectionPage, geoJsonGeometry } from './http/list-schemas.ts'
export {
  activeDatasetsInScope,
  datasetAccess,
  datasetAccessSql,
  datasetVisibleSql,
} from './meta/meta-repository.ts'
export {
  ACTIONS,
  type Action,
  defineModule,
  type ModuleContext,
  type ModuleDefinition,
  type ModuleManifest,
  type ModuleRequest,
  type ModuleRouteOptions,
  type ModuleRoutes,
  type Scope,
  type TypedApp,
} from './modules/contract.ts'
export {
  type DefaultValue,
  defaultNomenclatures,
  nomenclatureCodeSql,
  nomenclatureIdSql,
  nomenclatureValues,
  nomenclatureValuesSql,
} from './nomenclature/nomenclature-service.ts'
export {
  type NotificationInput,
  type NotificationKindSpec,
  notify,
  registerNotificationKinds,
} from './notifications/notification-service.ts'
export type {} from './plugins/auth.ts'
export type {} from './plugins/db.ts'
export type {} from './plugins/permissions.ts'
export {
  anonymousCaller,
  blurredUnsavedGeometrySql,
  inAreasSql,
  type ObservationCaller,
  observationCaller,
  observationSource,
  recordSensitivitySql,
  type SpatialTest,
} from './sensitivity/observation-source.ts'
export {
  overrideSensitivity,
  type SensitivityOverride,
  type SensitivityOverrideResult,
} from './sensitivity/sensitivity-override.ts'
export {
  permittedNewObservationsSql,
  permittedObservationsSql,
  validableObservationSql,
} from './synthese/observation-permissions.ts'
export {
  BULK_SYNTHESE_COLUMNS,
  type StagingUpsertOptions,
  type StagingUpsertResult,
  upsertSyntheseFromStaging,
} from './synthese/synthese-bulk-writer.ts'
export {
  type Caller,
  OBSERVATION_BASE_COLUMNS,
  type ObservationQueryParts,
  type ObservationSearch,
  observationPage,
  observationWhere,
  syntheseVisibleSql,
} from './synthese/synthese-queries.ts'
export { ObservationItem, ObservationQuery } from './synthese/synthese-schemas.ts'
export {
  deleteSyntheseBySource,
  deleteSyntheseSource,
  ensureSyntheseSource,
  observationKeysSql,
  SYNTHESE_NOMENCLATURES,
  SYNTHESE_STAGING_COLUMNS,
  type SyntheseNomenclatureField,
  type SyntheseRowInput,
  type SyntheseSourceSpec,
  type UpsertResult,
  upsertSyntheseRows,
} from './synthese/synthese-service.ts'
export {
  checkObservationUuids,
  type ObservationSelection,
  setValidationStatus,
  type ValidationStatus,
  type ValidationStatusChange,
  type ValidationStatusResult,
  validationStatus,
} from './synthese/validation-status-service.ts'
export { findTaxa, type TaxonRef, taxaSql, taxonSubtreeSql } from './taxonomy/taxonomy-service.ts'
