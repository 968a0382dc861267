/**
 * Shapes of the Occtax API (relevé → occurrences → countings, nomenclatures as SINP codes), read from the OpenAPI
 * document: see @biodiv/sdk's ApiResponse / ApiBody.
 */
import type { ApiBody, ApiResponse } from '@biodiv/sdk'

export type GeometryType = 'Point' | 'LineString' | 'Polygon'

/** A GeoJSON geometry in WGS 84 longitude/latitude, as the form draws it (the API takes any GeoJSON geometry). */
export type ReleveGeometry =
  | { type: 'Point'; coordinates: number[] }
  | { type: 'LineString'; coordinates: number[][] }
  | { type: 'Polygon'; coordinates: number[][][] }

const RELEVE_GEOMETRY_TYPES: readonly string[] = ['Point', 'LineString', 'Polygon'] satisfies GeometryType[]

/** A relevé's geometry as the API gives it (any GeoJSON geometry in its schema): a point, line or polygon. */
export function releveGeometry(geometry: { type: string; coordinates: unknown[] }): ReleveGeometry {
  if (!RELEVE_GEOMETRY_TYPES.includes(geometry.type)) {
    throw new Error(`A relevé is a point, a line or a polygon, not a ${geometry.type}`)
  }
  return geometry as ReleveGeometry
}

/** Body of POST /api/occtax/releves and PUT /api/occtax/releves/:id. */
export type ReleveBody = ApiBody<'/api/occtax/releves', 'post'>
export type OccurrenceBody = ReleveBody['occurrences'][number]
export type CountingBody = OccurrenceBody['countings'][number]

/** A relevé as GET/POST/PUT answer it. */
export type Releve = ApiResponse<'/api/occtax/releves/{id}'>
export type Occurrence = Releve['occurrences'][number]
export type Counting = Occurrence['countings'][number]

/** GET /api/occtax/releves as JSON (not GeoJSON). */
export type RelevePage = Extract<ApiResponse<'/api/occtax/releves'>, { items: unknown }>
/** One row of GET /api/occtax/releves. */
export type ReleveListItem = RelevePage['items'][number]

export type OcctaxDataset = ApiResponse<'/api/occtax/datasets'>[number]

export type ObserverOption = ApiResponse<'/api/occtax/observers'>[number]

/** A hit of GET /api/taxonomy/taxa?q= (TAXREF names). */
export type TaxonHit = ApiResponse<'/api/taxonomy/taxa'>[number]

/** TAXREF detail (GET /api/taxonomy/taxa/:cdNom). */
export type TaxonDetail = ApiResponse<'/api/taxonomy/taxa/{cdNom}'>

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
] as const satisfies readonly (readonly [keyof OccurrenceBody, string, string])[]

/** Nomenclature fields of a counting. */
export const COUNTING_NOMENCLATURES = [
  ['lifeStage', 'STADE_VIE', 'Stade de vie'],
  ['sex', 'SEXE', 'Sexe'],
  ['objCount', 'OBJ_DENBR', 'Objet du dénombrement'],
  ['typeCount', 'TYP_DENBR', 'Type de dénombrement'],
] as const satisfies readonly (readonly [keyof CountingBody, string, string])[]

export type OccurrenceNomenclatureField = (typeof OCCURRENCE_NOMENCLATURES)[number][0]
export type CountingNomenclatureField = (typeof COUNTING_NOMENCLATURES)[number][0]
