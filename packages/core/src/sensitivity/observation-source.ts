import type { FastifyRequest } from 'fastify'
import { preciseScopeOf } from '../auth/grants.ts'
import type { Caller } from '../meta/meta-repository.ts'
import type { Action, Scope } from '../modules/contract.ts'

/**
 * Who reads observations: the caller of the route's permission, and how far they see sensitive rows precisely
 * (ADR 15). Every observation reader takes one, so none can forget the blurring.
 */
export interface ObservationCaller extends Caller {
  /** Rows visible at this scope are shown precisely; 0: only the caller's own observations (and level 0). */
  preciseScope: 0 | Scope
  /** An anonymous reader of the public read level: public datasets only, always blurred. */
  anonymous?: { allDatasets: boolean }
}

/** The anonymous reader of the public level (user id 0 matches no row: nothing is "their own"). */
export const anonymousCaller = (allDatasets: boolean): ObservationCaller => ({
  userId: 0,
  organismId: null,
  scope: 1,
  preciseScope: 0,
  anonymous: { allDatasets },
})

/**
 * The observation caller of a request: its user and the scope of the route's permission (or of `action` in
 * `module`), precise within the scope of its rows that say so, everywhere for holders of an ADMIN grant.
 * Anonymous requests (public read routes) get the anonymous caller.
 */
export function observationCaller(
  request: FastifyRequest,
  options: { action?: Action; module?: string; scope?: Scope } = {},
): ObservationCaller {
  if (!request.user) return anonymousCaller(request.server.config.PUBLIC_READ)
  const module = options.module ?? request.routeOptions.config?.module
  const action = options.action ?? request.routeOptions.config?.permission
  const rows = (module && action && request._permissionRows?.[module]?.[action]) || []
  const admin = Object.values(request._permissionRows?.ADMIN ?? {}).some((r) => r && r.length > 0)
  return {
    userId: request.user.id,
    organismId: request.user.organismId,
    scope: options.scope ?? request.scope ?? 1,
    preciseScope: admin ? 3 : preciseScopeOf(rows),
  }
}

/** Binds one value and returns its placeholder. */
export type Binder = (value: unknown) => string

/** Columns of gn_synthese.synthese that a reader of a blurred row never gets (they can locate it). */
const LOCATING_COLUMNS: Record<string, string> = {
  the_geom_4326: 's.the_geom_blurred_4326',
  the_geom_point: 's.the_geom_blurred_point',
  the_geom_3857: 's.the_geom_blurred_3857',
  the_geom_local: 'NULL::geometry',
  precision: 'NULL::integer',
  altitude_min: 'NULL::integer',
  altitude_max: 'NULL::integer',
  depth_min: 'NULL::integer',
  depth_max: 'NULL::integer',
  place_name: 'NULL::text',
  comment_context: 'NULL::text',
  additional_data: 'NULL::jsonb',
}

/** Every column of gn_synthese.synthese (a test compares it with the migrated table). */
export const SYNTHESE_TABLE_COLUMNS = [
  'id',
  'unique_id_sinp',
  'unique_id_sinp_grp',
  'id_source',
  'entity_source_pk_value',
  'id_dataset',
  'cd_nom',
  'nom_cite',
  'count_min',
  'count_max',
  'date_min',
  'date_max',
  'observers',
  'determiner',
  'id_digitiser',
  'the_geom_4326',
  'the_geom_point',
  'the_geom_local',
  'precision',
  'altitude_min',
  'altitude_max',
  'depth_min',
  'depth_max',
  'place_name',
  'comment_context',
  'comment_description',
  'id_nomenclature_geo_object_nature',
  'id_nomenclature_grp_typ',
  'id_nomenclature_obs_technique',
  'id_nomenclature_bio_status',
  'id_nomenclature_bio_condition',
  'id_nomenclature_naturalness',
  'id_nomenclature_exist_proof',
  'id_nomenclature_valid_status',
  'id_nomenclature_diffusion_level',
  'id_nomenclature_life_stage',
  'id_nomenclature_sex',
  'id_nomenclature_obj_count',
  'id_nomenclature_type_count',
  'id_nomenclature_sensitivity',
  'id_nomenclature_observation_status',
  'id_nomenclature_blurring',
  'id_nomenclature_source_status',
  'id_nomenclature_info_geo_type',
  'id_nomenclature_behaviour',
  'id_nomenclature_biogeo_status',
  'id_nomenclature_determination_method',
  'validator',
  'validation_date',
  'validation_comment',
  'additional_data',
  'meta_create_date',
  'meta_update_date',
  'the_geom_3857',
  'sensitivity_level',
  'sensitivity_manual',
  'id_area_blurred',
  'the_geom_blurred_4326',
  'the_geom_blurred_point',
  'the_geom_blurred_3857',
] as const

const PRECISE_COLUMNS = SYNTHESE_TABLE_COLUMNS.map((c) => `s.${c}`).join(', ')

/** A spatial condition on what the caller sees, written on a geometry column: `test('s.the_geom_4326')`. */
export interface SpatialTest {
  /** Which shown geometry it tests: the observation's (4326), or its point in Web Mercator (3857, the tiles'). */
  geometry: '4326' | '3857'
  test: (column: string) => string
}

/** The caller's own observation: they observed (user link) or digitised it. Never NULL. */
const ownSql = (s: string, user: string) => `(COALESCE(${s}.id_digitiser = ${user}, false)
    OR EXISTS (SELECT 1 FROM gn_synthese.cor_observer_synthese oo WHERE oo.id_synthese = ${s}.id AND oo.id_role = ${user}))`

/**
 * An observation is visible to its observers (user links) and digitiser (scope 1), to the actors of its dataset —
 * a person at scope 1, also their organism at scope 2 (the metadata rule) — and to anyone at scope 3. `user`,
 * `organism` and `scope` are SQL expressions (placeholders or literals).
 */
export function syntheseVisibleAt(s: string, user: string, organism: string, scope: string): string {
  return `(${scope} = 3 OR ${ownSql(s, user)}
  OR ${s}.id_dataset IN (SELECT vd.id FROM gn_meta.datasets vd WHERE ${scope} = 3 OR vd.digitiser_id = ${user}
       OR EXISTS (SELECT 1 FROM gn_meta.dataset_actors va WHERE va.dataset_id = vd.id
                   AND (va.user_id = ${user} OR (${scope} >= 2 AND va.organism_id = ${organism})))))`
}

export interface ObservationSourceOptions {
  /** Spatial conditions, tested on the shown geometry (the blurred one for blurred rows) with the indexes. */
  spatial?: SpatialTest[]
  /** Placeholders already bound to the caller's user, organism and scope (else they are bound first). */
  callerParams?: [string, string, string]
}

/**
 * The observations the caller may read, as they may see them: a FROM item (alias it) with every column of
 * gn_synthese.synthese plus `blurred` (boolean). THE one place sensitive observations are blurred (ADR 15): for a
 * caller who does not see a row precisely, its geometry columns are the blurred ones (level 1–3) and its locating
 * columns NULL; level 4 rows, and rows with no blurred area, are absent.
 *
 * One simple subquery on the table, which PostgreSQL pulls up into the outer query (ORDER BY id reads the primary
 * key, filters use their indexes). Spatial conditions are given here, not written on the shown columns by the
 * caller: on a precise row they test the row's geometry, on a blurred row its blurred geometry, each with its GiST
 * index (a BitmapOr). A condition written outside on `s.the_geom_4326` is still right (it tests what is shown), only
 * without an index.
 */
export function observationSource(
  caller: ObservationCaller,
  p: Binder,
  options: ObservationSourceOptions = {},
): string {
  // Bound first, in this order: on an empty parameter list they are $1 user, $2 organism, $3 scope.
  const [user, organism, scope] = (
    options.callerParams ?? [p(caller.userId), p(caller.organismId), p(caller.scope)]
  ).map((placeholder) => `${placeholder}::integer`) as [string, string, string]
  const visible = caller.anonymous
    ? `(${scope} > 0 AND ${organism} IS NULL AND s.id_dataset IN (SELECT pd.id FROM gn_meta.datasets pd
                         WHERE pd.public_read${caller.anonymous.allDatasets ? ' OR true' : ''}))`
    : syntheseVisibleAt('s', user, organism, scope)
  const spatial = options.spatial ?? []
  if (caller.preciseScope === 3 && !caller.anonymous) {
    const tests = spatial.map((t) => t.test(t.geometry === '4326' ? 's.the_geom_4326' : 's.the_geom_3857'))
    return `(SELECT ${PRECISE_COLUMNS}, false AS blurred FROM gn_synthese.synthese s
              WHERE ${[visible, ...tests].join(' AND ')})`
  }
  const precise = `(${[
    's.sensitivity_level = 0',
    ownSql('s', user),
    ...(caller.preciseScope > 0
      ? [syntheseVisibleAt('s', user, organism, `${p(caller.preciseScope)}::integer`)]
      : []),
  ].join(' OR ')})`
  const columns = SYNTHESE_TABLE_COLUMNS.map((c) =>
    c in LOCATING_COLUMNS
      ? `CASE WHEN ${precise} THEN s.${c} ELSE ${LOCATING_COLUMNS[c]} END AS ${c}`
      : `s.${c}`,
  ).join(', ')
  const tests = spatial.map((t) => {
    const [exact, blurred] =
      t.geometry === '4326'
        ? ['s.the_geom_4326', 's.the_geom_blurred_4326']
        : ['s.the_geom_3857', 's.the_geom_blurred_3857']
    return `((${precise} AND ${t.test(exact)}) OR (NOT ${precise} AND ${t.test(blurred)}))`
  })
  return `(SELECT ${columns}, NOT ${precise} AS blurred FROM gn_synthese.synthese s
            WHERE ${[visible, `(${precise} OR s.the_geom_blurred_4326 IS NOT NULL)`, ...tests].join(' AND ')})`
}

/**
 * The area filter on a row of the observation source: a precise row by its area links, a blurred row by its
 * blurred geometry (its links would locate it finer than the blur).
 */
export function inAreasSql(s: string, areas: string): string {
  return `((NOT ${s}.blurred AND EXISTS (SELECT 1 FROM gn_synthese.cor_area_synthese ca
                                       WHERE ca.id_synthese = ${s}.id AND ca.id_area = ANY(${areas})))
      OR (${s}.blurred AND EXISTS (SELECT 1 FROM ref_geo.areas fa
                                  WHERE fa.id = ANY(${areas}) AND ST_Intersects(fa.geom, ${s}.the_geom_4326))))`
}

/** What a blurred row says of its generalisation (SINP "dEEFloutage" OUI, and a text for humans and DwC). */
export const blurDescriptionSql = (s: string) => `CASE WHEN ${s}.blurred THEN
    (SELECT 'Floutée : ' || lower(bt.name) || ' ' || ba.area_code || ' (' || ba.area_name || '), sensibilité '
            || ${s}.sensitivity_level
       FROM ref_geo.areas ba JOIN ref_geo.area_types bt ON bt.id = ba.type_id WHERE ba.id = ${s}.id_area_blurred)
  END`

/**
 * How the caller may see the location of a module's record made of several observations (a relevé and its
 * countings), as one JSON value `{ hidden, blurred, geometry }`, from the observations whose unique_id_sinp are the
 * SQL uuid[] `uuids`: hidden when one of them is not shown to the caller at all (level 4, or no blurred area);
 * blurred when one is shown blurred — `geometry` is then the blurred area of the most sensitive (GeoJSON) and the
 * record must show that instead of its own, and none of its locating fields —; else neither (geometry null).
 * The record's visibility is the module's business: the observations are looked up at scope 3.
 */
export function recordSensitivitySql(caller: ObservationCaller, p: Binder, uuids: string): string {
  const source = observationSource({ ...caller, scope: 3 }, p)
  return `(SELECT json_build_object(
      'hidden', count(*) FILTER (WHERE ro.id IS NULL) > 0,
      'blurred', COALESCE(bool_or(ro.blurred), false),
      'level', COALESCE(max(ro.sensitivity_level), 0),
      'geometry', (array_agg(ST_AsGeoJSON(ro.the_geom_4326, 7)::json ORDER BY ro.sensitivity_level DESC)
                     FILTER (WHERE ro.blurred))[1])
    FROM unnest(${uuids}) ru(uuid) LEFT JOIN ${source} ro ON ro.unique_id_sinp = ru.uuid)`
}

/**
 * The geometry a caller without precise access may see of a row not yet in the Synthese (an import's staged row,
 * with the synthese's column names on `r`): computed as the row trigger would — the row itself at level 0, its
 * blurred area at 1–3, NULL at 4 (or without an area). For module previews of data not yet published.
 */
export function blurredUnsavedGeometrySql(r: string): string {
  const level = `gn_sensitivity.rules_level(${r}.cd_nom, ST_Transform(${r}.the_geom_4326, ref_geo.local_srid()),
      ${r}.date_min, ${r}.id_nomenclature_bio_status, ${r}.id_nomenclature_behaviour)`
  return `(SELECT CASE WHEN lv.l = 0 THEN ${r}.the_geom_4326
                       WHEN lv.l BETWEEN 1 AND 3
                         THEN (SELECT ba.geom FROM gn_sensitivity.blur_area(lv.l, ST_PointOnSurface(${r}.the_geom_4326)) ba)
                  END
            FROM (SELECT CASE WHEN EXISTS (SELECT 1 FROM gn_sensitivity.rule_taxa rt WHERE rt.cd_nom = ${r}.cd_nom)
                              THEN ${level} ELSE 0::smallint END AS l) lv)`
}
