import { randomUUID } from 'node:crypto'
import type pg from 'pg'
import { badRequest, conflict } from '../http/app-error.ts'
import {
  defaultNomenclatures,
  type NomenclatureRef,
  nomenclatureIdSql,
  resolveNomenclatureCodes,
} from '../nomenclature/nomenclature-service.ts'
import { findTaxa } from '../taxonomy/taxonomy-service.ts'
import {
  SYNTHESE_NOMENCLATURES,
  SYNTHESE_STAGING_COLUMNS,
  type SyntheseNomenclatureField,
} from './synthese-columns.ts'

export {
  SYNTHESE_NOMENCLATURES,
  SYNTHESE_STAGING_COLUMNS,
  type SyntheseNomenclatureField,
} from './synthese-columns.ts'

const NOMENCLATURE_FIELDS = Object.keys(SYNTHESE_NOMENCLATURES) as SyntheseNomenclatureField[]

/** A GeoJSON geometry in WGS 84 longitude/latitude. */
export interface GeoJsonGeometry {
  type: string
  coordinates: unknown
}

/** One observed counting as a writer hands it to the synthese. Nomenclatures are SINP codes. */
export type SyntheseRowInput = {
  /** The SINP id of the observation: the upsert key. Generated when left out (then always an insert). */
  uniqueIdSinp?: string
  /** The SINP id of the group (relevé). */
  uniqueIdSinpGrp?: string | null
  /** The source record's id, unique per source (the sheet links back with it). */
  entitySourcePkValue?: string | null
  datasetId: number
  cdNom: number
  nomCite: string
  countMin?: number | null
  countMax?: number | null
  /** ISO 8601 date or timestamp. */
  dateMin: string
  /** Defaults to dateMin. */
  dateMax?: string | null
  /** Every observer's name, as text. */
  observers?: string | null
  /** Observers who are platform users (core.users ids): their observations are "theirs" (scope 1). */
  observerIds?: number[]
  determiner?: string | null
  /** core.users id; its organism's observation defaults fill the left-out nomenclatures. */
  digitiserId?: number | null
  geometry: GeoJsonGeometry
  precision?: number | null
  altitudeMin?: number | null
  altitudeMax?: number | null
  depthMin?: number | null
  depthMax?: number | null
  placeName?: string | null
  commentContext?: string | null
  commentDescription?: string | null
  validator?: string | null
  validationDate?: string | null
  validationComment?: string | null
  additionalData?: Record<string, unknown> | null
} & { [F in SyntheseNomenclatureField]?: string | null }

export interface SyntheseSourceSpec {
  /** Unique: 'OCCTAX', 'IMPORT:12', … */
  name: string
  description?: string | null
  moduleCode?: string | null
  /** Link back to the source record; `{pk}` stands for entity_source_pk_value, e.g. '/occtax/countings/{pk}'. */
  urlTemplate?: string | null
}

export interface UpsertResult {
  inserted: number
  updated: number
  /** In the order of the input rows. */
  rows: { id: number; uniqueIdSinp: string }[]
}

/**
 * Creates or updates a source (by name) and returns its id. A source that already says what is given is only read:
 * an upsert would lock its row until the writer's transaction ends, and make concurrent writers of one source wait.
 */
export async function ensureSyntheseSource(
  client: pg.ClientBase,
  source: SyntheseSourceSpec,
): Promise<number> {
  const { rows: current } = await client.query<{ id: number }>(
    `SELECT id FROM gn_synthese.sources
      WHERE name = $1 AND ($2::text IS NULL OR description = $2) AND ($3::text IS NULL OR module_code = $3)
        AND ($4::text IS NULL OR url_template = $4)`,
    [source.name, source.description ?? null, source.moduleCode ?? null, source.urlTemplate ?? null],
  )
  if (current[0]) return current[0].id
  const { rows } = await client.query<{ id: number }>(
    `INSERT INTO gn_synthese.sources (name, description, module_code, url_template) VALUES ($1, $2, $3, $4)
     ON CONFLICT (name) DO UPDATE SET description = COALESCE(EXCLUDED.description, sources.description),
       module_code = COALESCE(EXCLUDED.module_code, sources.module_code),
       url_template = COALESCE(EXCLUDED.url_template, sources.url_template)
     RETURNING id`,
    [source.name, source.description ?? null, source.moduleCode ?? null, source.urlTemplate ?? null],
  )
  return rows[0]!.id
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

type FieldError = { row: number; field: string; message: string }

function isPosition(p: unknown): boolean {
  return (
    Array.isArray(p) &&
    (p.length === 2 || p.length === 3) &&
    p.every((v) => typeof v === 'number' && Number.isFinite(v)) &&
    (p[0] as number) >= -180 &&
    (p[0] as number) <= 180 &&
    (p[1] as number) >= -90 &&
    (p[1] as number) <= 90
  )
}
const isPositions = (a: unknown, min: number) =>
  Array.isArray(a) && a.length >= min && a.every((p) => isPosition(p))
const isRing = (a: unknown) => isPositions(a, 4)
const isPolygon = (a: unknown) => Array.isArray(a) && a.length >= 1 && a.every(isRing)

/** Structure and WGS 84 bounds of a GeoJSON geometry (PostGIS then checks validity). */
function geometryError(g: GeoJsonGeometry | undefined): string | null {
  if (!g || typeof g !== 'object') return 'a GeoJSON geometry is required'
  const c = g.coordinates
  const ok =
    g.type === 'Point'
      ? isPosition(c)
      : g.type === 'MultiPoint'
        ? isPositions(c, 1)
        : g.type === 'LineString'
          ? isPositions(c, 2)
          : g.type === 'MultiLineString'
            ? Array.isArray(c) && c.length >= 1 && c.every((l) => isPositions(l, 2))
            : g.type === 'Polygon'
              ? isPolygon(c)
              : g.type === 'MultiPolygon'
                ? Array.isArray(c) && c.length >= 1 && c.every(isPolygon)
                : null
  if (ok === null) return `unsupported geometry type ${String(g.type)}`
  return ok ? null : `malformed ${g.type} or coordinates outside longitude −180…180 / latitude −90…90`
}

const timestamp = (s: string | null | undefined): number | null => {
  if (s === null || s === undefined) return null
  const t = Date.parse(s)
  return Number.isNaN(t) ? Number.NaN : t
}

/** Checks each row alone (no database): fields named `rows[i].field`. */
function checkRows(rows: readonly SyntheseRowInput[]): FieldError[] {
  const errors: FieldError[] = []
  const seen = new Set<string>()
  rows.forEach((r, i) => {
    const err = (field: string, message: string) => errors.push({ row: i, field, message })
    if (r.uniqueIdSinp !== undefined) {
      if (!UUID.test(r.uniqueIdSinp)) err('uniqueIdSinp', 'must be a UUID')
      else if (seen.has(r.uniqueIdSinp.toLowerCase())) err('uniqueIdSinp', 'appears twice in the batch')
      else seen.add(r.uniqueIdSinp.toLowerCase())
    }
    if (r.uniqueIdSinpGrp != null && !UUID.test(r.uniqueIdSinpGrp)) err('uniqueIdSinpGrp', 'must be a UUID')
    if (!Number.isInteger(r.datasetId)) err('datasetId', 'must be an integer')
    if (!Number.isInteger(r.cdNom)) err('cdNom', 'must be an integer')
    if (typeof r.nomCite !== 'string' || r.nomCite.trim() === '') err('nomCite', 'is required')
    for (const f of ['countMin', 'countMax', 'precision'] as const) {
      const v = r[f]
      if (v != null && (!Number.isInteger(v) || v < 0)) err(f, 'must be a non-negative integer')
    }
    if (r.countMin != null && r.countMax != null && r.countMin > r.countMax)
      err('countMin', `countMin (${r.countMin}) is greater than countMax (${r.countMax})`)
    for (const [lo, hi] of [
      ['altitudeMin', 'altitudeMax'],
      ['depthMin', 'depthMax'],
    ] as const) {
      for (const f of [lo, hi]) if (r[f] != null && !Number.isInteger(r[f])) err(f, 'must be an integer')
      if (r[lo] != null && r[hi] != null && r[lo]! > r[hi]!) err(lo, `${lo} is greater than ${hi}`)
    }
    const dateMin = timestamp(r.dateMin)
    const dateMax = timestamp(r.dateMax)
    if (dateMin === null || Number.isNaN(dateMin)) err('dateMin', 'must be an ISO 8601 date or timestamp')
    if (Number.isNaN(dateMax)) err('dateMax', 'must be an ISO 8601 date or timestamp')
    if (dateMin !== null && dateMax !== null && dateMin > dateMax) err('dateMin', 'dateMin is after dateMax')
    if (Number.isNaN(timestamp(r.validationDate))) err('validationDate', 'must be an ISO 8601 timestamp')
    const geometry = geometryError(r.geometry)
    if (geometry) err('geometry', geometry)
    if (
      r.observerIds !== undefined &&
      !(Array.isArray(r.observerIds) && r.observerIds.every(Number.isInteger))
    )
      err('observerIds', 'must be an array of user ids')
  })
  return errors
}

function invalid(code: string, errors: FieldError[]): never {
  const shown = errors.slice(0, 20)
  throw badRequest(
    code,
    shown.map((e) => `rows[${e.row}].${e.field}: ${e.message}`).join('; ') +
      (errors.length > shown.length ? ` (and ${errors.length - shown.length} more)` : ''),
    shown.map((e) => ({ row: e.row, field: e.field, message: e.message })),
  )
}

/** Runs `sql` under a savepoint so that a failing check leaves the caller's transaction usable. */
async function checkUnderSavepoint<T>(client: pg.ClientBase, fn: () => Promise<T>): Promise<T> {
  await client.query('SAVEPOINT synthese_check')
  try {
    const result = await fn()
    await client.query('RELEASE SAVEPOINT synthese_check')
    return result
  } catch (error) {
    await client.query('ROLLBACK TO SAVEPOINT synthese_check')
    throw error
  }
}

// The value columns a row writes: the bulk writers' columns but the geometry (from GeoJSON) and the nomenclatures
// (from codes), plus the digitiser.
const COLUMNS = [
  ...SYNTHESE_STAGING_COLUMNS.filter(([c]) => c !== 'the_geom_4326' && !c.startsWith('id_nomenclature_')),
  ['id_digitiser', 'integer'],
] as const
const NOMENCLATURE_COLUMNS = NOMENCLATURE_FIELDS.map((f) => `id_nomenclature_${SYNTHESE_NOMENCLATURES[f][0]}`)

// A row that leaves its validation status out keeps the existing observation's validation (status, validator,
// date, comment): writers re-sending an observation must not reset what validators decided.
const VALIDATION_COLUMNS = new Set(['validator', 'validation_date', 'validation_comment'])
const keptValidation = (existing: string, given: string) =>
  `CASE WHEN r.keep_validation AND e.id IS NOT NULL THEN ${existing} ELSE ${given} END`

const UPSERT_SQL = `
INSERT INTO gn_synthese.synthese AS s (id_source, the_geom_4326, ${COLUMNS.map(([c]) => c).join(', ')},
       ${NOMENCLATURE_COLUMNS.join(', ')})
SELECT $2::integer, ST_Force2D(ST_SetSRID(ST_GeomFromGeoJSON(r.geometry::text), 4326)),
       ${COLUMNS.map(([c]) => (VALIDATION_COLUMNS.has(c) ? keptValidation(`e.${c}`, `r.${c}`) : `r.${c}`)).join(', ')},
       ${NOMENCLATURE_FIELDS.map((f) => {
         const id = nomenclatureIdSql(SYNTHESE_NOMENCLATURES[f][1], `r.n_${SYNTHESE_NOMENCLATURES[f][0]}`)
         return f === 'validStatus' ? keptValidation('e.id_nomenclature_valid_status', id) : id
       }).join(',\n       ')}
  FROM jsonb_to_recordset($1::jsonb) AS r(i integer, geometry jsonb, keep_validation boolean,
       ${COLUMNS.map(([c, t]) => `${c} ${t}`).join(', ')},
       ${NOMENCLATURE_FIELDS.map((f) => `n_${SYNTHESE_NOMENCLATURES[f][0]} text`).join(', ')})
  LEFT JOIN gn_synthese.synthese e ON e.unique_id_sinp = r.unique_id_sinp AND e.id_source = $2
 ORDER BY r.i
ON CONFLICT (unique_id_sinp) DO UPDATE SET the_geom_4326 = EXCLUDED.the_geom_4326,
       ${[...COLUMNS.map(([c]) => c).filter((c) => c !== 'unique_id_sinp'), ...NOMENCLATURE_COLUMNS]
         .map((c) => `${c} = EXCLUDED.${c}`)
         .join(', ')},
       meta_update_date = now()
 WHERE s.id_source = EXCLUDED.id_source
RETURNING s.id::text AS id, s.unique_id_sinp::text AS uuid, (s.xmax = 0) AS inserted`

/**
 * Inserts or updates (by `uniqueIdSinp`) observations of one source, set-based, inside the caller's transaction
 * (`client` must be in one: a failure leaves nothing written by this call). Every row is checked before anything is
 * written: 400 with `rows[i].field` for bad counts, dates, geometry, unknown cd_nom, dataset, user or nomenclature
 * code. Left-out nomenclatures take the observation defaults of the digitiser's organism (else the instance's).
 * Observer links are replaced for the rows written; area links follow the geometry (database triggers).
 * An update whose row leaves `validStatus` out keeps the observation's validation (status, validator, date, comment).
 * A `uniqueIdSinp` owned by another source, or an `entitySourcePkValue` already used by another row of the source,
 * → 409 SYNTHESE_CONFLICT.
 */
export async function upsertSyntheseRows(
  client: pg.ClientBase,
  source: string | SyntheseSourceSpec,
  rows: readonly SyntheseRowInput[],
): Promise<UpsertResult> {
  if (rows.length === 0) return { inserted: 0, updated: 0, rows: [] }
  const shapeErrors = checkRows(rows)
  if (shapeErrors.length) invalid('INVALID_SYNTHESE_ROW', shapeErrors)

  // References, each in one query.
  const { missing } = await findTaxa(
    client,
    rows.map((r) => r.cdNom),
  )
  if (missing.length) {
    const m = new Set(missing)
    invalid(
      'UNKNOWN_TAXON',
      rows.flatMap((r, i) =>
        m.has(r.cdNom) ? [{ row: i, field: 'cdNom', message: `cd_nom ${r.cdNom} is not in TAXREF` }] : [],
      ),
    )
  }
  const datasetIds = [...new Set(rows.map((r) => r.datasetId))]
  const { rows: datasets } = await client.query<{ id: number }>(
    'SELECT id FROM gn_meta.datasets WHERE id = ANY($1::integer[])',
    [datasetIds],
  )
  const knownDatasets = new Set(datasets.map((d) => d.id))
  const badDatasets = rows.flatMap((r, i) =>
    knownDatasets.has(r.datasetId)
      ? []
      : [{ row: i, field: 'datasetId', message: `dataset ${r.datasetId} does not exist` }],
  )
  if (badDatasets.length) invalid('UNKNOWN_DATASET', badDatasets)
  const userIds = [
    ...new Set(
      rows.flatMap((r) => [...(r.digitiserId != null ? [r.digitiserId] : []), ...(r.observerIds ?? [])]),
    ),
  ]
  const { rows: users } = await client.query<{ id: number; organism_id: number | null }>(
    'SELECT id, organism_id FROM core.users WHERE id = ANY($1::integer[])',
    [userIds],
  )
  const organismOf = new Map(users.map((u) => [u.id, u.organism_id]))
  const badUsers = rows.flatMap((r, i) => [
    ...(r.digitiserId != null && !organismOf.has(r.digitiserId)
      ? [{ row: i, field: 'digitiserId', message: `user ${r.digitiserId} does not exist` }]
      : []),
    ...(r.observerIds ?? [])
      .filter((id) => !organismOf.has(id))
      .map((id) => ({ row: i, field: 'observerIds', message: `user ${id} does not exist` })),
  ])
  if (badUsers.length) invalid('UNKNOWN_USER', badUsers)

  // Nomenclatures: given codes checked once per distinct (type, code), the first row using it named on error.
  const refs = new Map<string, NomenclatureRef>()
  rows.forEach((r, i) => {
    for (const f of NOMENCLATURE_FIELDS) {
      const code = r[f]
      if (code == null) continue
      const type = SYNTHESE_NOMENCLATURES[f][1]
      const key = `${type}\u0000${code}`
      if (!refs.has(key)) refs.set(key, { type, code, field: `rows[${i}].${f}` })
    }
  })
  await resolveNomenclatureCodes(client, [...refs.values()])
  const organisms = [
    ...new Set(rows.map((r) => (r.digitiserId != null ? (organismOf.get(r.digitiserId) ?? null) : null))),
  ]
  const defaultsByOrganism = new Map(
    await Promise.all(
      organisms.map(async (o) => [o, await defaultNomenclatures(client, o, 'observation')] as const),
    ),
  )

  const sourceId = await ensureSyntheseSource(client, typeof source === 'string' ? { name: source } : source)
  const prepared = rows.map((r, i) => {
    const defaults = defaultsByOrganism.get(
      r.digitiserId != null ? (organismOf.get(r.digitiserId) ?? null) : null,
    )!
    const record: Record<string, unknown> = {
      i,
      geometry: r.geometry,
      keep_validation: r.validStatus == null,
      unique_id_sinp: (r.uniqueIdSinp ?? randomUUID()).toLowerCase(),
      unique_id_sinp_grp: r.uniqueIdSinpGrp ?? null,
      entity_source_pk_value: r.entitySourcePkValue ?? null,
      id_dataset: r.datasetId,
      cd_nom: r.cdNom,
      nom_cite: r.nomCite,
      count_min: r.countMin ?? null,
      count_max: r.countMax ?? null,
      date_min: r.dateMin,
      date_max: r.dateMax ?? r.dateMin,
      observers: r.observers ?? null,
      determiner: r.determiner ?? null,
      id_digitiser: r.digitiserId ?? null,
      precision: r.precision ?? null,
      altitude_min: r.altitudeMin ?? null,
      altitude_max: r.altitudeMax ?? null,
      depth_min: r.depthMin ?? null,
      depth_max: r.depthMax ?? null,
      place_name: r.placeName ?? null,
      comment_context: r.commentContext ?? null,
      comment_description: r.commentDescription ?? null,
      validator: r.validator ?? null,
      validation_date: r.validationDate ?? null,
      validation_comment: r.validationComment ?? null,
      additional_data: r.additionalData ?? null,
    }
    for (const f of NOMENCLATURE_FIELDS) {
      const [column, type] = SYNTHESE_NOMENCLATURES[f]
      record[`n_${column}`] = r[f] ?? defaults[type]?.code ?? null
    }
    return record
  })
  const payload = JSON.stringify(prepared)

  // Conflicts the upsert cannot resolve: an id of another source, an entity pk held by another observation.
  const { rows: clashes } = await client.query<{ i: number; reason: string }>(
    `SELECT r.i, CASE WHEN s.id_source <> $2 THEN 'uniqueIdSinp belongs to another source'
                      ELSE 'entitySourcePkValue is used by another observation of this source' END AS reason
       FROM jsonb_to_recordset($1::jsonb) AS r(i integer, unique_id_sinp uuid, entity_source_pk_value text)
       JOIN gn_synthese.synthese s
         ON (s.unique_id_sinp = r.unique_id_sinp AND s.id_source <> $2)
         OR (s.id_source = $2 AND s.entity_source_pk_value = r.entity_source_pk_value
             AND s.unique_id_sinp <> r.unique_id_sinp)
      ORDER BY r.i`,
    [payload, sourceId],
  )
  if (clashes.length) {
    const errors = clashes.map((c) => ({
      row: c.i,
      field: c.reason.startsWith('uniqueIdSinp') ? 'uniqueIdSinp' : 'entitySourcePkValue',
      message: c.reason,
    }))
    throw conflict(
      'SYNTHESE_CONFLICT',
      errors.map((e) => `rows[${e.row}].${e.field}: ${e.message}`).join('; '),
      errors,
    )
  }

  // Geometry validity (PostGIS), under a savepoint: a parse error must not abort the caller's transaction.
  const invalidGeometries = await checkUnderSavepoint(client, () =>
    client.query<{ i: number; reason: string }>(
      `SELECT r.i, ST_IsValidReason(g.geom) AS reason
         FROM jsonb_to_recordset($1::jsonb) AS r(i integer, geometry jsonb)
        CROSS JOIN LATERAL (SELECT ST_SetSRID(ST_GeomFromGeoJSON(r.geometry::text), 4326) AS geom) g
        WHERE NOT ST_IsValid(g.geom)`,
      [payload],
    ),
  ).catch((error: Error) => {
    throw badRequest('INVALID_GEOMETRY', `A geometry cannot be read: ${error.message}`)
  })
  if (invalidGeometries.rows.length)
    invalid(
      'INVALID_GEOMETRY',
      invalidGeometries.rows.map((g) => ({ row: g.i, field: 'geometry', message: g.reason })),
    )

  const { rows: written } = await client.query<{ id: string; uuid: string; inserted: boolean }>(UPSERT_SQL, [
    payload,
    sourceId,
  ])
  const idByUuid = new Map(written.map((w) => [w.uuid, Number(w.id)]))

  // Observer links of the written rows, replaced in two statements.
  const links = prepared.map((p, i) => ({
    id: idByUuid.get(String(p.unique_id_sinp))!,
    users: rows[i]!.observerIds,
  }))
  const replaced = links.filter((l) => l.users !== undefined)
  if (replaced.length) {
    await client.query(
      'DELETE FROM gn_synthese.cor_observer_synthese WHERE id_synthese = ANY($1::bigint[])',
      [replaced.map((l) => l.id)],
    )
    const pairs = replaced.flatMap((l) => [...new Set(l.users)].map((u) => [l.id, u] as const))
    if (pairs.length)
      await client.query(
        `INSERT INTO gn_synthese.cor_observer_synthese (id_synthese, id_role)
         SELECT * FROM unnest($1::bigint[], $2::integer[])`,
        [pairs.map((p) => p[0]), pairs.map((p) => p[1])],
      )
  }
  return {
    inserted: written.filter((w) => w.inserted).length,
    updated: written.filter((w) => !w.inserted).length,
    rows: links.map((l, i) => ({ id: l.id, uniqueIdSinp: String(prepared[i]!.unique_id_sinp) })),
  }
}

/**
 * Deletes a source's observations: all of them, or those whose `entitySourcePkValue` is listed. Observer and area
 * links go with them. Returns the number of rows deleted (0 for an unknown source).
 */
export async function deleteSyntheseBySource(
  client: pg.ClientBase,
  sourceName: string,
  entityPks?: readonly string[],
): Promise<number> {
  const { rowCount } = await client.query(
    `DELETE FROM gn_synthese.synthese s USING gn_synthese.sources src
      WHERE src.id = s.id_source AND src.name = $1
        AND ($2::text[] IS NULL OR s.entity_source_pk_value = ANY($2::text[]))`,
    [sourceName, entityPks ? [...entityPks] : null],
  )
  return rowCount ?? 0
}

/**
 * Deletes a source and all its observations (with their observer and area links), in the caller's transaction:
 * what a module does when the data it fed is withdrawn (an import undone). The source row may still be referenced
 * by the module's own rows (import.imports.source_id): delete or unlink those first. Returns the number of
 * observations deleted (0, and nothing deleted, for an unknown source).
 */
export async function deleteSyntheseSource(client: pg.ClientBase, sourceName: string): Promise<number> {
  const deleted = await deleteSyntheseBySource(client, sourceName)
  await client.query('DELETE FROM gn_synthese.sources WHERE name = $1', [sourceName])
  return deleted
}

/**
 * The observations' keys as a FROM item for other modules' SQL (alias it): `id`, `unique_id_sinp`,
 * `entity_source_pk_value`, `sensitivity_level` (computed by the core; not a location), and their source's `source_name` and `source_module` (module code). What a writer
 * needs to know of existing rows (does this UUID exist, whose is it, which synthese id did my row get); never their
 * content: observations are read through the Synthese's observation source (permissions, blurring).
 */
export const observationKeysSql =
  () => `(SELECT s.id, s.unique_id_sinp, s.entity_source_pk_value, s.sensitivity_level,
         src.name AS source_name, src.module_code AS source_module
    FROM gn_synthese.synthese s JOIN gn_synthese.sources src ON src.id = s.id_source)`
