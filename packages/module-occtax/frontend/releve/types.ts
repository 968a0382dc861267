/** Shapes of the Occtax API (/work contract: relevé → occurrences → countings, nomenclatures as SINP codes). */

export type GeometryType = 'Point' | 'LineString' | 'Polygon'

/** A GeoJSON geometry in WGS 84 longitude/latitude. */
export type ReleveGeometry =
  | { type: 'Point'; coordinates: number[] }
  | { type: 'LineString'; coordinates: number[][] }
  | { type: 'Polygon'; coordinates: number[][][] }

/** Nomenclature fields of an occurrence (same names as the synthese) and their SINP type. */
export const OCCURRENCE_NOMENCLATURES = [
  ['obsTechnique', 'METH_OBS', 'Technique d’observation'],
  ['bioStatus', 'STATUT_BIO', 'Statut biologique'],
  ['bioCondition', 'ETA_BIO', 'État biologique'],
  ['behaviour', 'OCC_COMPORTEMENT', 'Comportement'],
  ['naturalness', 'NATURALITE', 'Naturalité'],
  ['existProof', 'PREUVE_EXIST', 'Preuve d’existence'],
  ['determinationMethod', 'METH_DETERMIN', 'Méthode de détermination'],
  ['observationStatus', 'STATUT_OBS', 'Statut d’observation'],
  ['diffusionLevel', 'NIV_PRECIS', 'Niveau de diffusion'],
  ['blurring', 'DEE_FLOU', 'Floutage'],
  ['sourceStatus', 'STATUT_SOURCE', 'Statut de la source'],
] as const

/** Nomenclature fields of a counting. */
export const COUNTING_NOMENCLATURES = [
  ['lifeStage', 'STADE_VIE', 'Stade de vie'],
  ['sex', 'SEXE', 'Sexe'],
  ['objCount', 'OBJ_DENBR', 'Objet du dénombrement'],
  ['typeCount', 'TYP_DENBR', 'Type de dénombrement'],
] as const

export type OccurrenceNomenclatureField = (typeof OCCURRENCE_NOMENCLATURES)[number][0]
export type CountingNomenclatureField = (typeof COUNTING_NOMENCLATURES)[number][0]

export type CountingBody = { id?: number; countMin: number; countMax: number } & {
  [K in CountingNomenclatureField]?: string
}

export type OccurrenceBody = {
  id?: number
  cdNom: number
  nomCite?: string
  determiner?: string
  comment?: string
  countings: CountingBody[]
} & { [K in OccurrenceNomenclatureField]?: string }

/** Body of POST /api/occtax/releves and PUT /api/occtax/releves/:id. */
export interface ReleveBody {
  datasetId: number
  observerIds: number[]
  observersText?: string
  dateMin: string
  dateMax?: string
  hourMin?: string
  hourMax?: string
  geometry: ReleveGeometry
  altitudeMin?: number
  altitudeMax?: number
  placeName?: string
  habitat?: string
  comment?: string
  grpTyp?: string
  grpMethod?: string
  occurrences: OccurrenceBody[]
}

export type Counting = {
  id: number
  uniqueIdSinp: string
  syntheseId: number | null
  countMin: number
  countMax: number
} & { [K in CountingNomenclatureField]: string | null }

export type Occurrence = {
  id: number
  uuid: string
  cdNom: number
  nomCite: string
  lbNom: string | null
  nomVern: string | null
  determiner: string | null
  comment: string | null
  countings: Counting[]
} & { [K in OccurrenceNomenclatureField]: string | null }

/** A relevé as GET/POST/PUT answer it. */
export interface Releve {
  id: number
  uuid: string
  datasetId: number
  datasetName: string
  observerIds: number[]
  observers: { id: number; name: string }[]
  observersText: string | null
  dateMin: string
  dateMax: string | null
  hourMin: string | null
  hourMax: string | null
  geometry: ReleveGeometry
  altitudeMin: number | null
  altitudeMax: number | null
  placeName: string | null
  habitat: string | null
  comment: string | null
  grpTyp: string | null
  grpMethod: string | null
  digitiserId: number | null
  createdAt: string
  updatedAt: string
  occurrences: Occurrence[]
}

/** One row of GET /api/occtax/releves. */
export interface ReleveListItem {
  id: number
  uuid: string
  datasetId: number
  datasetName: string
  dateMin: string
  dateMax: string | null
  observers: string | null
  placeName: string | null
  geometry: ReleveGeometry
  taxa: { cdNom: number; name: string }[]
  countingCount: number
}

export interface RelevePage {
  items: ReleveListItem[]
  nextCursor: string | null
}

export interface OcctaxDataset {
  id: number
  name: string
  shortName: string
}

export interface ObserverOption {
  id: number
  name: string
  organism: string | null
}

/** A hit of GET /api/taxonomy/taxa?q= (TAXREF names). */
export interface TaxonHit {
  cd_nom: number
  cd_ref: number
  lb_nom: string
  lb_auteur: string | null
  nom_valide: string | null
  nom_vern: string | null
  rang: string
  regne: string | null
  group2_inpn: string | null
  matched: 'scientific' | 'vernacular'
  isValid: boolean
}

export interface NomenclatureValue {
  code: string
  label: string
  definition: string | null
  active: boolean
}
