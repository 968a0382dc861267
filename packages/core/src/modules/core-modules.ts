import type { Action } from './contract.ts'

export interface CoreModule {
  code: string
  name: string
  permissions: readonly Action[]
}

/** Permission holders that belong to the core itself rather than to a module package. */
export const CORE_MODULES: readonly CoreModule[] = [
  { code: 'ADMIN', name: 'Administration', permissions: ['C', 'R', 'U', 'D'] },
  // Acquisition frameworks and datasets (GeoNature's METADATA module): scoped like observation data.
  { code: 'METADATA', name: 'Métadonnées', permissions: ['C', 'R', 'U', 'D', 'E'] },
  // The Synthese: search and sheets (R), exports (E); modules write to it through the synthese service.
  { code: 'SYNTHESE', name: 'Synthèse', permissions: ['R', 'E'] },
]
