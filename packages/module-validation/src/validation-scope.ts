// Who may validate what is the core's reading of permission rows (scope, taxon and area filters) and of datasets
// open to validation (`@biodiv/core`, packages/core/src/synthese/observation-permissions.ts); kept under the names
// the module's queries use.
export { permittedObservationsSql, validableObservationSql as validableSql } from '@biodiv/core'
