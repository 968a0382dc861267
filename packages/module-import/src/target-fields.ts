import { SYNTHESE_NOMENCLATURES, type SyntheseNomenclatureField } from '@biodiv/core'

/** How the check step reads a mapped value. */
export type TargetFieldType =
  | 'text'
  | 'integer'
  | 'number'
  | 'date'
  | 'time'
  | 'uuid'
  | 'url'
  | 'geometry'
  | 'code'
  | 'nomenclature'

export interface TargetField {
  name: string
  label: string
  type: TargetFieldType
  /** Always required. The geometry is required too, from one of GEOMETRY_SOURCES (see missingRequiredFields). */
  required: boolean
  group:
    | 'identifiers'
    | 'taxon'
    | 'dates'
    | 'counts'
    | 'people'
    | 'geometry'
    | 'place'
    | 'validation'
    | 'nomenclatures'
  /** SINP nomenclature type of a nomenclature field (its values are mapped to codes at the content-mapping step). */
  nomenclatureType?: string
  /** Where a value lands when the synthese has no column of its own for it. */
  storedIn?: 'additionalData'
}

const field = (
  name: string,
  label: string,
  type: TargetFieldType,
  group: TargetField['group'],
  extra: Partial<TargetField> = {},
): TargetField => ({ name, label, type, group, required: false, ...extra })

const NOMENCLATURE_LABELS: Record<SyntheseNomenclatureField, string> = {
  geoObjectNature: "Nature de l'objet géographique",
  grpTyp: 'Type de regroupement',
  obsTechnique: "Technique d'observation",
  bioStatus: 'Statut biologique',
  bioCondition: 'État biologique',
  naturalness: 'Naturalité',
  existProof: 'Preuve existante',
  validStatus: 'Niveau de validation',
  diffusionLevel: 'Niveau de précision de diffusion',
  lifeStage: 'Stade de vie',
  sex: 'Sexe',
  objCount: 'Objet du dénombrement',
  typeCount: 'Type de dénombrement',
  sensitivity: 'Niveau de sensibilité',
  observationStatus: "Statut d'observation",
  blurring: 'Floutage DEE',
  sourceStatus: 'Statut de la source',
  infoGeoType: "Type d'information géographique",
  behaviour: 'Comportement',
  biogeoStatus: 'Statut biogéographique',
  determinationMethod: 'Méthode de détermination',
}

/**
 * What a file's columns can fill: the synthese fields (SyntheseRowInput, SYNTHESE_NOMENCLATURES) plus the ways to
 * get a geometry (WKT, X/Y in the import's SRID, or attachment to a commune / grid cell / département code).
 */
export const TARGET_FIELDS: readonly TargetField[] = [
  field('uniqueIdSinp', "Identifiant SINP de l'observation (UUID)", 'uuid', 'identifiers'),
  field('uniqueIdSinpGrp', 'Identifiant SINP du regroupement (UUID)', 'uuid', 'identifiers'),
  field('entitySourcePkValue', "Identifiant d'origine", 'text', 'identifiers'),
  field('datasetUuid', 'UUID du jeu de données (sinon celui de l’import)', 'uuid', 'identifiers'),
  field('cdNom', 'Code du taxon (cd_nom TAXREF)', 'integer', 'taxon', { required: true }),
  field('nomCite', 'Nom cité', 'text', 'taxon', { required: true }),
  field('dateMin', 'Date de début', 'date', 'dates', { required: true }),
  field('dateMax', 'Date de fin', 'date', 'dates'),
  field('hourMin', 'Heure de début', 'time', 'dates'),
  field('hourMax', 'Heure de fin', 'time', 'dates'),
  field('countMin', 'Nombre minimal', 'integer', 'counts'),
  field('countMax', 'Nombre maximal', 'integer', 'counts'),
  field('observers', 'Observateurs', 'text', 'people'),
  field('determiner', 'Déterminateur', 'text', 'people'),
  field('wkt', 'Géométrie (WKT, ou GeoJSON pour un fichier GeoJSON)', 'geometry', 'geometry'),
  field('x', 'X / longitude (dans le SRID de l’import)', 'number', 'geometry'),
  field('y', 'Y / latitude (dans le SRID de l’import)', 'number', 'geometry'),
  field('communeCode', 'Code INSEE de commune (rattachement)', 'code', 'geometry'),
  field('gridCode', 'Code de maille INPN (rattachement)', 'code', 'geometry'),
  field('departementCode', 'Code de département (rattachement)', 'code', 'geometry'),
  field('precision', 'Précision géographique (m)', 'integer', 'place'),
  field('altitudeMin', 'Altitude minimale', 'integer', 'place'),
  field('altitudeMax', 'Altitude maximale', 'integer', 'place'),
  field('depthMin', 'Profondeur minimale', 'integer', 'place'),
  field('depthMax', 'Profondeur maximale', 'integer', 'place'),
  field('placeName', 'Nom du lieu', 'text', 'place'),
  field('commentContext', 'Commentaire du relevé', 'text', 'place'),
  field('commentDescription', "Commentaire de l'occurrence", 'text', 'place'),
  field('digitalProof', 'Preuve numérique (URL)', 'url', 'validation', { storedIn: 'additionalData' }),
  field('nonDigitalProof', 'Preuve non numérique', 'text', 'validation', { storedIn: 'additionalData' }),
  field('validator', 'Validateur', 'text', 'validation'),
  field('validationDate', 'Date de validation', 'date', 'validation'),
  field('validationComment', 'Commentaire de validation', 'text', 'validation'),
  ...(Object.entries(SYNTHESE_NOMENCLATURES) as [SyntheseNomenclatureField, readonly [string, string]][]).map(
    ([name, [, type]]) =>
      field(name, NOMENCLATURE_LABELS[name], 'nomenclature', 'nomenclatures', { nomenclatureType: type }),
  ),
]

export const TARGET_FIELD_NAMES: ReadonlySet<string> = new Set(TARGET_FIELDS.map((f) => f.name))

/** The geometry comes from the first of these that a row fills (WKT, then X/Y, then an attachment code). */
export const GEOMETRY_SOURCES: readonly (readonly string[])[] = [
  ['wkt'],
  ['x', 'y'],
  ['communeCode'],
  ['gridCode'],
  ['departementCode'],
]

/**
 * Required fields a mapping leaves out: the always-required ones, the dataset when the import has none, and the
 * geometry (one complete source; X without Y names Y).
 */
export function missingRequiredFields(mapped: ReadonlySet<string>, importHasDataset: boolean): string[] {
  const missing = TARGET_FIELDS.filter((f) => f.required && !mapped.has(f.name)).map((f) => f.name)
  if (!importHasDataset && !mapped.has('datasetUuid')) missing.push('datasetUuid')
  const partial = GEOMETRY_SOURCES.filter((s) => s.some((f) => mapped.has(f)))
  if (!partial.some((s) => s.every((f) => mapped.has(f)))) {
    if (partial.length > 0) missing.push(...partial.flatMap((s) => s.filter((f) => !mapped.has(f))))
    else missing.push(GEOMETRY_SOURCES.map((s) => s.join('+')).join(' | '))
  }
  return missing
}
