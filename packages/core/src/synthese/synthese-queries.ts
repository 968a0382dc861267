import type pg from 'pg'
import type { Static } from 'typebox'
import { checkClientGeometry, parseBbox } from '../geo/areas-queries.ts'
import { badRequest, notFound } from '../http/app-error.ts'
import { decodeCursor, keysetPage } from '../http/keyset-cursor.ts'
import { type Caller, datasetVisibleSql } from '../meta/meta-repository.ts'
import { nomenclatureIdSql } from '../nomenclature/nomenclature-service.ts'
import {
  inAreasSql,
  type ObservationCaller,
  observationSource,
  type SpatialTest,
  syntheseVisibleAt,
} from '../sensitivity/observation-source.ts'
import { taxonSubtreeSql } from '../taxonomy/taxonomy-service.ts'
import type { ObservationItem as ObservationItemSchema } from './synthese-schemas.ts'
import { SYNTHESE_NOMENCLATURES } from './synthese-service.ts'

export type { Caller, ObservationCaller }

// Every scoped query binds $1 = user id, $2 = organism id, $3 = scope (as the metadata queries).
const callerParams = (c: Caller) => [c.userId, c.organismId, c.scope]

/** The Synthese visibility rule (`syntheseVisibleAt`) on $1 = user id, $2 = organism id, $3 = scope. */
export const syntheseVisibleSql = (s: string) => syntheseVisibleAt(s, '$1', '$2', '$3')

/** Above this many names, a taxonTree filter's subtree is computed inside the query instead of bound. */
const SUBTREE_BOUND_MAX = 20000

export interface ObservationFilters {
  taxon?: number[]
  taxonTree?: number
  dateMin?: string
  dateMax?: string
  dataset?: number[]
  area?: number[]
  observer?: string
  status?: string
  geometry?: string
  bbox?: string
  source?: string
  /** An import's id: its rows carry the source `IMPORT:<id>`. */
  import?: number
  limit: number
  cursor?: string
}

/** A GeoJSON (text) or WKT geometry in WGS 84, checked, as EWKT for the query. */
async function filterGeometry(pool: pg.Pool, text: string): Promise<string> {
  const trimmed = text.trim()
  if (trimmed.startsWith('{')) {
    let geometry: unknown
    try {
      geometry = JSON.parse(trimmed)
    } catch {
      throw badRequest('INVALID_GEOMETRY', 'geometry is neither GeoJSON nor WKT')
    }
    await checkClientGeometry(pool, geometry)
    const { rows } = await pool.query<{ ewkt: string }>(
      'SELECT ST_AsEWKT(ST_SetSRID(ST_GeomFromGeoJSON($1), 4326)) AS ewkt',
      [trimmed],
    )
    return rows[0]!.ewkt
  }
  let row: { ewkt: string; valid: boolean; within: boolean } | undefined
  try {
    const result = await pool.query<{ ewkt: string; valid: boolean; within: boolean }>(
      `SELECT ST_AsEWKT(g) AS ewkt, ST_IsValid(g) AS valid, g @ ST_MakeEnvelope(-180, -90, 180, 90, 4326) AS within
         FROM (SELECT ST_GeomFromText($1, 4326) AS g) x`,
      [trimmed],
    )
    row = result.rows[0]
  } catch (error) {
    throw badRequest('INVALID_GEOMETRY', `geometry is neither GeoJSON nor WKT: ${(error as Error).message}`)
  }
  if (!row?.within) throw badRequest('GEOMETRY_OUT_OF_BOUNDS', 'geometry must be WGS 84 longitude/latitude')
  if (!row.valid) throw badRequest('INVALID_GEOMETRY', 'geometry is not valid')
  return row.ewkt
}

const isoText = (column: string) => `(to_json(${column}) #>> '{}')`

/** The list columns every observation list shares (synthese, validation), on `s`, `t` taxref, `d` dataset, `src`. */
export const OBSERVATION_BASE_COLUMNS = `s.id::double precision AS id, s.unique_id_sinp::text AS "uniqueIdSinp",
  s.cd_nom AS "cdNom", s.nom_cite AS "nomCite", t.lb_nom AS "lbNom", t.nom_vern AS "nomVern",
  ${isoText('s.date_min')} AS "dateMin", ${isoText('s.date_max')} AS "dateMax", s.observers,
  s.count_min AS "countMin", s.count_max AS "countMax", s.id_dataset AS "datasetId", d.name AS "datasetName",
  src.name AS source, ST_AsGeoJSON(s.the_geom_4326, 6)::json AS geometry,
  s.sensitivity_level AS "sensitivityLevel", s.blurred`

const LIST_COLUMNS = `${OBSERVATION_BASE_COLUMNS},
  (SELECT cd_nomenclature FROM ref_nomenclatures.nomenclatures WHERE id = s.id_nomenclature_valid_status)
    AS "validStatus"`

export type ObservationItem = Static<typeof ObservationItemSchema>

/** The search filters, without the paging ones: shared by the list, the export (and the tiles). */
export type ObservationSearch = Omit<ObservationFilters, 'limit' | 'cursor'>

/** A query on the observation source: its FROM item (alias it `s`), its conditions, their parameters, a binder. */
export interface ObservationQueryParts {
  from: string
  where: string[]
  params: unknown[]
  p: (value: unknown) => string
}

/**
 * The observations visible to the caller, as they may see them (`from`: the blurring observation source, ADR 15),
 * and the conditions (joined with AND, on that source aliased `s`) of the filters, with their parameters ($1–$3 the
 * caller, then the rest). `p` binds one more value. Throws the 400s of bad filters (geometry) before any row is
 * read. Geometry filters test what the caller sees: a blurred row by its blurred geometry.
 */
export async function observationWhere(
  pool: pg.Pool,
  caller: ObservationCaller,
  f: ObservationSearch,
  spatial: SpatialTest[] = [],
): Promise<ObservationQueryParts> {
  const params: unknown[] = callerParams(caller)
  const p = (value: unknown) => {
    params.push(value)
    return `$${params.length}`
  }
  const where = ['true']
  const tests = [...spatial]
  if (f.taxon?.length) where.push(`s.cd_nom = ANY(${p(f.taxon)}::integer[])`)
  if (f.taxonTree !== undefined) {
    // The subtree's names as a bound array, so the planner weighs the real names against the column's statistics
    // (with the array computed inside the query it assumes a few hundred rows: a bitmap over 85k rows of a class,
    // 0.8 s, where walking the newest first finds a page in 1 ms). Huge subtrees (a kingdom) stay in the query.
    const { rows } = await pool.query<{ ids: number[] | null }>(
      `SELECT CASE WHEN count(*) <= ${SUBTREE_BOUND_MAX} THEN array_agg(cd_nom) END AS ids
         FROM taxonomie.taxon_subtree($1::integer)`,
      [f.taxonTree],
    )
    const ids = rows[0]?.ids
    where.push(
      ids
        ? `s.cd_nom = ANY(${p(ids)}::integer[])`
        : taxonSubtreeSql('s.cd_nom', `${p(f.taxonTree)}::integer`),
    )
  }
  if (f.dateMin) where.push(`s.date_min >= ${p(f.dateMin)}::date`)
  if (f.dateMax) where.push(`s.date_max < ${p(f.dateMax)}::date + 1`)
  if (f.dataset?.length) where.push(`s.id_dataset = ANY(${p(f.dataset)}::integer[])`)
  if (f.area?.length) where.push(inAreasSql('s', `${p(f.area)}::integer[]`))
  if (f.observer?.trim()) {
    const observer = f.observer.trim()
    if (/^\d+$/.test(observer))
      where.push(`EXISTS (SELECT 1 FROM gn_synthese.cor_observer_synthese co
                           WHERE co.id_synthese = s.id AND co.id_role = ${p(Number(observer))}::integer)`)
    else
      where.push(`s.observers ILIKE '%' || ${p(observer.replace(/[\\%_]/g, (c) => `\\${c}`))}::text || '%'`)
  }
  if (f.status)
    where.push(
      `s.id_nomenclature_valid_status = ${nomenclatureIdSql('STATUT_VALID', `${p(f.status)}::text`)}`,
    )
  if (f.geometry) {
    const g = p(await filterGeometry(pool, f.geometry))
    tests.push({ geometry: '4326', test: (column) => `ST_Intersects(${column}, ST_GeomFromEWKT(${g}))` })
  }
  if (f.bbox) {
    const b = parseBbox(f.bbox)
    const envelope = `ST_MakeEnvelope(${b.map((v) => `${p(v)}::double precision`).join(', ')}, 4326)`
    tests.push({ geometry: '4326', test: (column) => `${column} && ${envelope}` })
  }
  where.push(...sourceConditions(f, p, 's.id_source'))
  // Geometry filters go into the source: they test what the caller sees, with the indexes.
  const from = observationSource(caller, p, { spatial: tests, callerParams: ['$1', '$2', '$3'] })
  return { from, where, params, p }
}

/** The conditions of the `source` and `import` filters on a source id column (`p` binds a value). */
export function sourceConditions(
  f: Pick<ObservationFilters, 'source' | 'import'>,
  p: (value: unknown) => string,
  column: string,
): string[] {
  const conditions: string[] = []
  if (f.source)
    conditions.push(`${column} = (SELECT id FROM gn_synthese.sources WHERE name = ${p(f.source)}::text)`)
  if (f.import !== undefined)
    conditions.push(
      `${column} = (SELECT id FROM gn_synthese.sources WHERE name = 'IMPORT:' || ${p(f.import)}::text)`,
    )
  return conditions
}

/**
 * The datasets a caller may filter the Synthese on: those whose observations the scope shows (the metadata rule),
 * plus, below scope 3, those holding observations the caller observed or digitised. Needs no METADATA grant.
 */
export async function listSyntheseDatasets(pool: pg.Pool, caller: Caller) {
  const { rows } = await pool.query<{ id: number; name: string; shortName: string; active: boolean }>(
    `SELECT d.id, d.name, d.short_name AS "shortName", d.active
       FROM gn_meta.datasets d
      WHERE ${datasetVisibleSql('d')}
         OR d.id IN (SELECT s.id_dataset FROM gn_synthese.synthese s WHERE s.id_digitiser = $1)
         OR d.id IN (SELECT s.id_dataset FROM gn_synthese.cor_observer_synthese co
                       JOIN gn_synthese.synthese s ON s.id = co.id_synthese WHERE co.id_role = $1)
      ORDER BY d.name, d.id`,
    callerParams(caller),
  )
  return rows
}

/** One page of observations visible to the caller, newest first, and the cursor of the next page (or null). */
export async function listObservations(
  pool: pg.Pool,
  caller: ObservationCaller,
  f: ObservationFilters,
): Promise<{ items: ObservationItem[]; nextCursor: string | null }> {
  const { limit, cursor, ...search } = f
  return observationPage(pool, await observationWhere(pool, caller, search), LIST_COLUMNS, { limit, cursor })
}

/**
 * One keyset page (newest first) of the observations matching a WHERE built by `observationWhere` (or a module's
 * extension of it), with the given columns, and the cursor of the next page (or null).
 */
export async function observationPage<T extends { id: number }>(
  pool: pg.Pool,
  { from, where, params, p }: ObservationQueryParts,
  columns: string,
  page: { limit: number; cursor?: string },
): Promise<{ items: T[]; nextCursor: string | null }> {
  const conditions = page.cursor ? [...where, `s.id < ${p(decodeCursor(page.cursor))}::bigint`] : where
  const { rows } = await pool.query<T>(
    `SELECT ${columns}
       FROM ${from} s
       JOIN taxonomie.taxref t ON t.cd_nom = s.cd_nom
       JOIN gn_meta.datasets d ON d.id = s.id_dataset
       JOIN gn_synthese.sources src ON src.id = s.id_source
      WHERE ${conditions.join('\n        AND ')}
      ORDER BY s.id DESC
      LIMIT ${p(page.limit + 1)}`,
    params,
  )
  return keysetPage(rows, page.limit)
}

const nomenclatureSheet = Object.entries(SYNTHESE_NOMENCLATURES)
  .map(
    ([
      field,
      [column],
    ]) => `'${field}', (SELECT json_build_object('code', n.cd_nomenclature, 'label', n.label_fr)
       FROM ref_nomenclatures.nomenclatures n WHERE n.id = s.id_nomenclature_${column})`,
  )
  .join(',\n    ')

const userName = (u: string) =>
  `COALESCE(NULLIF(concat_ws(' ', ${u}.first_name, ${u}.last_name), ''), ${u}.login)`

/**
 * The areas shown on a sheet: every linked area of a precise row; of a blurred row only the linked areas that
 * contain its blurred area (99 % of it: boundaries of a commune and its département may differ by a few metres),
 * so the sheet locates it no finer than the blur.
 */
const sheetAreasSql = (
  s: string,
) => `COALESCE((SELECT json_agg(json_build_object('id', a.id, 'code', a.area_code,
                                   'name', a.area_name, 'type', at.code, 'typeName', at.name)
                                 ORDER BY at.id, a.area_code)
    FROM gn_synthese.cor_area_synthese ca
    JOIN ref_geo.areas a ON a.id = ca.id_area
    JOIN ref_geo.area_types at ON at.id = a.type_id
   WHERE ca.id_synthese = ${s}.id
     AND (NOT ${s}.blurred OR a.id = ${s}.id_area_blurred OR EXISTS (
           SELECT 1 FROM ref_geo.areas ba WHERE ba.id = ${s}.id_area_blurred
              AND ST_Area(ST_Intersection(a.geom_local, ba.geom_local)) >= 0.99 * ST_Area(ba.geom_local)))),
  '[]'::json)`

/** The sensitivity block of a sheet: level (code, label), set by an expert or the rules, blurred to which area. */
const sheetSensitivitySql = (s: string) => `json_build_object(
    'level', ${s}.sensitivity_level,
    'label', (SELECT n.label_fr FROM gn_sensitivity.levels l JOIN ref_nomenclatures.nomenclatures n
               ON n.id = l.id_nomenclature WHERE l.level = ${s}.sensitivity_level),
    'manual', ${s}.sensitivity_manual,
    'blurred', ${s}.blurred,
    'blurArea', (SELECT json_build_object('id', ba.id, 'code', ba.area_code, 'name', ba.area_name, 'type', bt.code,
                                          'typeName', bt.name)
                   FROM ref_geo.areas ba JOIN ref_geo.area_types bt ON bt.id = ba.type_id
                  WHERE ba.id = ${s}.id_area_blurred AND ${s}.sensitivity_level BETWEEN 1 AND 3),
    'history', COALESCE((SELECT json_agg(json_build_object('date', ${isoText('sh.changed_at')}, 'level', sh.level,
                                  'computedLevel', sh.computed_level, 'comment', sh.comment,
                                  'by', CASE WHEN su.id IS NULL THEN NULL
                                        ELSE json_build_object('id', su.id, 'name', ${userName('su')}) END)
                                ORDER BY sh.changed_at, sh.id)
                           FROM gn_synthese.sensitivity_history sh LEFT JOIN core.users su ON su.id = sh.id_role
                          WHERE sh.unique_id_sinp = ${s}.unique_id_sinp), '[]'::json))`

/**
 * The full sheet of one observation as the caller may see it (blurred through the observation source), or 404 when
 * it does not exist, is outside the caller's scope, or is not shown to them at all (level 4).
 */
export async function getObservation(pool: pg.Pool, caller: ObservationCaller, id: number) {
  const params: unknown[] = []
  const p = (value: unknown) => `$${params.push(value)}`
  const from = observationSource(caller, p)
  const { rows } = await pool.query(
    `SELECT s.id::double precision AS id, s.unique_id_sinp::text AS "uniqueIdSinp",
            s.unique_id_sinp_grp::text AS "uniqueIdSinpGrp",
            json_build_object('cdNom', t.cd_nom, 'cdRef', t.cd_ref, 'lbNom', t.lb_nom, 'lbAuteur', t.lb_auteur,
              'nomComplet', t.nom_complet, 'nomValide', t.nom_valide, 'nomVern', t.nom_vern, 'rang', t.rang,
              'regne', t.regne, 'phylum', t.phylum, 'classe', t.classe, 'ordre', t.ordre, 'famille', t.famille,
              'group1Inpn', t.group1_inpn, 'group2Inpn', t.group2_inpn) AS taxon,
            s.nom_cite AS "nomCite", s.count_min AS "countMin", s.count_max AS "countMax",
            ${isoText('s.date_min')} AS "dateMin", ${isoText('s.date_max')} AS "dateMax",
            s.observers,
            COALESCE((SELECT json_agg(json_build_object('id', u.id, 'name', ${userName('u')}) ORDER BY u.id)
                        FROM gn_synthese.cor_observer_synthese co JOIN core.users u ON u.id = co.id_role
                       WHERE co.id_synthese = s.id), '[]'::json) AS "observerUsers",
            s.determiner,
            CASE WHEN dg.id IS NULL THEN NULL ELSE json_build_object('id', dg.id, 'name', ${userName('dg')}) END
              AS digitiser,
            ST_AsGeoJSON(s.the_geom_4326, 6)::json AS geometry, ST_AsGeoJSON(s.the_geom_point, 6)::json AS point,
            s.precision, s.altitude_min AS "altitudeMin", s.altitude_max AS "altitudeMax",
            s.depth_min AS "depthMin", s.depth_max AS "depthMax", s.place_name AS "placeName",
            s.comment_context AS "commentContext", s.comment_description AS "commentDescription",
            json_build_object(${nomenclatureSheet}) AS nomenclatures,
            ${sheetAreasSql('s')} AS areas,
            ${sheetSensitivitySql('s')} AS sensitivity,
            json_build_object('id', d.id, 'name', d.name, 'shortName', d.short_name) AS dataset,
            json_build_object('name', src.name, 'moduleCode', src.module_code,
              'entityPk', s.entity_source_pk_value,
              'url', replace(src.url_template, '{pk}', s.entity_source_pk_value)) AS source,
            json_build_object('validator', s.validator, 'date', ${isoText('s.validation_date')},
              'comment', s.validation_comment) AS validation,
            COALESCE((SELECT json_agg(json_build_object('date', ${isoText('vh.validation_date')},
                                        'status', json_build_object('code', vn.cd_nomenclature, 'label', vn.label_fr),
                                        'validator', CASE WHEN vu.id IS NULL THEN NULL
                                                     ELSE json_build_object('id', vu.id, 'name', ${userName('vu')}) END,
                                        'comment', vh.comment, 'automatic', vh.automatic)
                                      ORDER BY vh.validation_date, vh.id)
                        FROM gn_synthese.validation_history vh
                        JOIN ref_nomenclatures.nomenclatures vn ON vn.id = vh.id_nomenclature_valid_status
                        LEFT JOIN core.users vu ON vu.id = vh.id_validator
                       WHERE vh.unique_id_sinp = s.unique_id_sinp), '[]'::json) AS "validationHistory",
            s.additional_data AS "additionalData",
            ${isoText('s.meta_create_date')} AS "createdAt", ${isoText('s.meta_update_date')} AS "updatedAt"
       FROM ${from} s
       JOIN taxonomie.taxref t ON t.cd_nom = s.cd_nom
       JOIN gn_meta.datasets d ON d.id = s.id_dataset
       JOIN gn_synthese.sources src ON src.id = s.id_source
       LEFT JOIN core.users dg ON dg.id = s.id_digitiser
      WHERE s.id = ${p(id)}::bigint`,
    params,
  )
  if (!rows[0]) throw notFound('OBSERVATION_NOT_FOUND', `Observation ${id} does not exist`)
  return rows[0]
}
