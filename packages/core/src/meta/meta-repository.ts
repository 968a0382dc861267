import type pg from 'pg'
import type { QueryRunner } from '../db/query-runner.ts'
import { withTransaction } from '../db/transaction.ts'
import { AppError, badRequest, conflict, notFound } from '../http/app-error.ts'
import type { Scope } from '../modules/contract.ts'
import {
  defaultNomenclatures,
  type Queryable,
  resolveNomenclatureCodes,
} from '../nomenclature/nomenclature-service.ts'
import type { ActorInput, DatasetInput, FrameworkInput } from './meta-schemas.ts'

/** Who is asking, and with which scope of the route's action (1 own data, 2 organism's, 3 all). */
export interface Caller {
  userId: number
  organismId: number | null
  scope: Scope
}

// Every scoped query binds $1 = user id, $2 = organism id, $3 = scope.
const callerParams = (c: Caller) => [c.userId, c.organismId, c.scope]

/**
 * A dataset is visible to its digitiser and its actors (scope 1), its organisms' members (2), anyone (3). Binds
 * $1 = user id, $2 = organism id; `scope` is the SQL of the scope (default $3).
 */
export const datasetVisibleSql = (d: string, scope = '$3') => `(${scope} = 3 OR ${d}.digitiser_id = $1
  OR EXISTS (SELECT 1 FROM gn_meta.dataset_actors va WHERE va.dataset_id = ${d}.id
              AND (va.user_id = $1 OR (${scope} >= 2 AND va.organism_id = $2))))`

/**
 * Datasets as a FROM item for other modules' SQL (alias it), with what the caller may do there: `id`, `uuid`,
 * `name`, `short_name`, `active`, `validable`, and `visible` (the rule above at scope `scope`, the SQL of a scope
 * 0–3 or NULL: 0 or NULL sees nothing). Binds $1 = user id, $2 = organism id. Unused columns cost nothing.
 */
export const datasetAccessSql = (
  scope = '$3',
) => `(SELECT d.id, d.uuid, d.name, d.short_name, d.active, d.validable,
         COALESCE(${scope} > 0 AND ${datasetVisibleSql('d', scope)}, false) AS visible
    FROM gn_meta.datasets d)`

/**
 * Whether a dataset exists, is active and is within the caller's scope (0: no grant, never visible): what a module
 * checks before writing into it. Null when it does not exist.
 */
export async function datasetAccess(
  db: QueryRunner,
  caller: Omit<Caller, 'scope'> & { scope: Scope | 0 },
  datasetId: number,
): Promise<{ active: boolean; visible: boolean } | null> {
  const { rows } = await db.query<{ active: boolean; visible: boolean }>(
    `SELECT d.active, d.visible FROM ${datasetAccessSql('$3::integer')} d WHERE d.id = $4`,
    [caller.userId, caller.organismId, caller.scope, datasetId],
  )
  return rows[0] ?? null
}

/** Active datasets within the caller's scope (the rule above): where a module lets its users write or import. */
export async function activeDatasetsInScope(db: Queryable, caller: Caller) {
  const { rows } = await db.query<{ id: number; uuid: string; name: string; shortName: string }>(
    `SELECT d.id, d.uuid::text AS uuid, d.name, d.short_name AS "shortName" FROM gn_meta.datasets d
      WHERE d.active AND ${datasetVisibleSql('d')}
      ORDER BY d.name, d.id`,
    callerParams(caller),
  )
  return rows
}

/** A framework is visible by the same rule on its own actors, or when it holds a visible dataset. */
export const frameworkVisibleSql = (f: string) => `($3 = 3 OR ${f}.digitiser_id = $1
  OR EXISTS (SELECT 1 FROM gn_meta.acquisition_framework_actors fa WHERE fa.framework_id = ${f}.id
              AND (fa.user_id = $1 OR ($3 >= 2 AND fa.organism_id = $2)))
  OR EXISTS (SELECT 1 FROM gn_meta.datasets vd WHERE vd.framework_id = ${f}.id AND ${datasetVisibleSql('vd')}))`

const code = (column: string) =>
  `(SELECT cd_nomenclature FROM ref_nomenclatures.nomenclatures WHERE id = ${column})`
const isoText = (column: string) => `(to_json(${column}) #>> '{}')`
const actorsJson = (table: string, key: string, id: string) => `COALESCE((
  SELECT json_agg(json_build_object(
           'id', a.id, 'organismId', a.organism_id, 'organismName', o.name, 'userId', a.user_id,
           'userName', CASE WHEN u.id IS NULL THEN NULL
                            ELSE COALESCE(NULLIF(concat_ws(' ', u.first_name, u.last_name), ''), u.login) END,
           'role', r.cd_nomenclature, 'roleLabel', r.label_fr) ORDER BY a.id)
    FROM gn_meta.${table} a
    JOIN ref_nomenclatures.nomenclatures r ON r.id = a.role_id
    LEFT JOIN core.organisms o ON o.id = a.organism_id
    LEFT JOIN core.users u ON u.id = a.user_id
   WHERE a.${key} = ${id}), '[]'::json)`

const FRAMEWORK_SELECT = `SELECT f.id, f.uuid, f.name, f.description, f.keywords,
    f.start_date::text AS "startDate", f.end_date::text AS "endDate",
    ${code('f.territorial_level_id')} AS "territorialLevel", ${code('f.financing_type_id')} AS "financingType",
    f.parent_id AS "parentId", f.is_closed AS "isClosed", ${isoText('f.closed_at')} AS "closedAt",
    f.digitiser_id AS "digitiserId",
    (SELECT count(*)::int FROM gn_meta.datasets d WHERE d.framework_id = f.id AND ${datasetVisibleSql('d')})
      AS "datasetCount",
    ${actorsJson('acquisition_framework_actors', 'framework_id', 'f.id')} AS actors,
    ${isoText('f.created_at')} AS "createdAt", ${isoText('f.updated_at')} AS "updatedAt"
  FROM gn_meta.acquisition_frameworks f`

const DATASET_SELECT = `SELECT d.id, d.uuid, d.framework_id AS "frameworkId", f.name AS "frameworkName",
    d.name, d.short_name AS "shortName", d.description, d.keywords,
    ${code('d.data_type_id')} AS "dataType", ${code('d.objective_id')} AS objective,
    ${code('d.collecting_method_id')} AS "collectingMethod", ${code('d.data_origin_id')} AS "dataOrigin",
    ${code('d.source_status_id')} AS "sourceStatus", ${code('d.resource_type_id')} AS "resourceType",
    d.active, d.validable, d.taxon_list_id AS "taxonListId", ST_AsGeoJSON(d.bbox)::json AS bbox,
    d.digitiser_id AS "digitiserId",
    ${actorsJson('dataset_actors', 'dataset_id', 'd.id')} AS actors,
    ${isoText('d.created_at')} AS "createdAt", ${isoText('d.updated_at')} AS "updatedAt"
  FROM gn_meta.datasets d JOIN gn_meta.acquisition_frameworks f ON f.id = d.framework_id`

// ---------------------------------------------------------------------------------------------------------------
// Reads

export async function listFrameworks(
  db: Queryable,
  caller: Caller,
  filter: { q?: string; closed?: boolean },
) {
  const { rows } = await db.query(
    `${FRAMEWORK_SELECT}
      WHERE ${frameworkVisibleSql('f')}
        AND ($4::text IS NULL OR f.name ILIKE '%' || $4 || '%')
        AND ($5::boolean IS NULL OR f.is_closed = $5)
      ORDER BY f.name, f.id`,
    [...callerParams(caller), filter.q?.trim() || null, filter.closed ?? null],
  )
  return rows
}

export async function getFramework(db: Queryable, caller: Caller, id: number) {
  const { rows } = await db.query(`${FRAMEWORK_SELECT} WHERE f.id = $4 AND ${frameworkVisibleSql('f')}`, [
    ...callerParams(caller),
    id,
  ])
  if (!rows[0]) throw notFound('FRAMEWORK_NOT_FOUND', `Acquisition framework ${id} does not exist`)
  return rows[0]
}

export async function listDatasets(
  db: Queryable,
  caller: Caller,
  filter: { q?: string; framework?: number; active?: boolean },
) {
  const { rows } = await db.query(
    `${DATASET_SELECT}
      WHERE ${datasetVisibleSql('d')}
        AND ($4::text IS NULL OR d.name ILIKE '%' || $4 || '%' OR d.short_name ILIKE '%' || $4 || '%')
        AND ($5::int IS NULL OR d.framework_id = $5)
        AND ($6::boolean IS NULL OR d.active = $6)
      ORDER BY d.name, d.id`,
    [...callerParams(caller), filter.q?.trim() || null, filter.framework ?? null, filter.active ?? null],
  )
  return rows
}

export async function getDataset(db: Queryable, caller: Caller, id: number) {
  const { rows } = await db.query(`${DATASET_SELECT} WHERE d.id = $4 AND ${datasetVisibleSql('d')}`, [
    ...callerParams(caller),
    id,
  ])
  if (!rows[0]) throw notFound('DATASET_NOT_FOUND', `Dataset ${id} does not exist`)
  return rows[0]
}

/** Organisms and people to pick actors from: every organism; users of the caller's reach (1 self, 2 organism, 3 all). */
export async function actorOptions(db: Queryable, caller: Caller) {
  const organisms = await db.query('SELECT id, name FROM core.organisms ORDER BY name')
  const users = await db.query(
    `SELECT id, COALESCE(NULLIF(concat_ws(' ', first_name, last_name), ''), login) AS name,
            organism_id AS "organismId"
       FROM core.users u
      WHERE u.active AND ($3 = 3 OR u.id = $1 OR ($3 = 2 AND u.organism_id = $2))
      ORDER BY 2, id`,
    callerParams(caller),
  )
  return { organisms: organisms.rows, users: users.rows }
}

// ---------------------------------------------------------------------------------------------------------------
// Writes (each in one transaction)

interface FieldSpec {
  column: string
  /** Nomenclature type mnemonic: the API field holds its code. */
  nomenclature?: string
  /** SQL wrapping the parameter, `$` standing for it. */
  sql?: string
}

const FRAMEWORK_FIELDS: Record<string, FieldSpec> = {
  name: { column: 'name' },
  description: { column: 'description' },
  keywords: { column: 'keywords' },
  startDate: { column: 'start_date', sql: '$::date' },
  endDate: { column: 'end_date', sql: '$::date' },
  territorialLevel: { column: 'territorial_level_id', nomenclature: 'NIVEAU_TERRITORIAL' },
  financingType: { column: 'financing_type_id', nomenclature: 'TYPE_FINANCEMENT' },
  parentId: { column: 'parent_id' },
  isClosed: { column: 'is_closed' },
}

const DATASET_FIELDS: Record<string, FieldSpec> = {
  frameworkId: { column: 'framework_id' },
  name: { column: 'name' },
  shortName: { column: 'short_name' },
  description: { column: 'description' },
  keywords: { column: 'keywords' },
  dataType: { column: 'data_type_id', nomenclature: 'DATA_TYP' },
  objective: { column: 'objective_id', nomenclature: 'JDD_OBJECTIFS' },
  collectingMethod: { column: 'collecting_method_id', nomenclature: 'METHO_RECUEIL' },
  dataOrigin: { column: 'data_origin_id', nomenclature: 'DS_PUBLIQUE' },
  sourceStatus: { column: 'source_status_id', nomenclature: 'STATUT_SOURCE' },
  resourceType: { column: 'resource_type_id', nomenclature: 'RESOURCE_TYP' },
  active: { column: 'active' },
  validable: { column: 'validable' },
  taxonListId: { column: 'taxon_list_id' },
  bbox: { column: 'bbox', sql: 'ST_SetSRID(ST_GeomFromGeoJSON($), 4326)' },
}

interface Assignment {
  column: string
  sql: string
  value: unknown
}

/** Turns API fields into column assignments, resolving every nomenclature code first (400 naming the bad ones). */
async function assignments(
  db: Queryable,
  specs: Record<string, FieldSpec>,
  input: Record<string, unknown>,
  firstParam: number,
): Promise<Assignment[]> {
  const present = Object.entries(input).filter(([key, value]) => specs[key] && value !== undefined)
  const codes = present.filter(([key, value]) => specs[key]!.nomenclature && value !== null)
  const ids = await resolveNomenclatureCodes(
    db,
    codes.map(([key, value]) => ({ type: specs[key]!.nomenclature!, code: String(value), field: key })),
  )
  const resolved = new Map(codes.map(([key], i) => [key, ids[i]]))
  let next = firstParam
  return present.map(([key, value]) => {
    const spec = specs[key]!
    if (value === null) return { column: spec.column, sql: 'NULL', value: null }
    const param = `$${next++}`
    return {
      column: spec.column,
      sql: (spec.sql ?? '$').replace('$', param),
      value: spec.nomenclature ? resolved.get(key) : key === 'bbox' ? JSON.stringify(value) : value,
    }
  })
}

/** Metadata nomenclatures left out at creation get the caller's organism defaults (SINP metadata defaults). */
async function withDefaults<T extends Record<string, unknown>>(
  db: Queryable,
  organismId: number | null,
  input: T,
  fields: Record<string, FieldSpec>,
): Promise<T> {
  const defaults = await defaultNomenclatures(db, organismId, 'metadata')
  const filled: Record<string, unknown> = { ...input }
  for (const [key, spec] of Object.entries(fields)) {
    if (spec.nomenclature && filled[key] === undefined && defaults[spec.nomenclature]) {
      filled[key] = defaults[spec.nomenclature]!.code
    }
  }
  return filled as T
}

async function checkGeometry(db: Queryable, bbox: unknown) {
  if (bbox === undefined || bbox === null) return
  let reason: string | null
  try {
    const { rows } = await db.query<{ reason: string }>(
      'SELECT ST_IsValidReason(ST_GeomFromGeoJSON($1)) AS reason',
      [JSON.stringify(bbox)],
    )
    reason = rows[0]!.reason
  } catch (error) {
    reason = (error as Error).message
  }
  if (reason !== 'Valid Geometry') {
    throw badRequest('INVALID_GEOMETRY', `bbox: ${reason}`, { field: 'bbox', reason })
  }
}

async function replaceActors(
  db: pg.PoolClient,
  table: 'acquisition_framework_actors' | 'dataset_actors',
  key: 'framework_id' | 'dataset_id',
  ownerId: number,
  actors: ActorInput[] | undefined,
) {
  if (actors === undefined) return
  actors.forEach((a, i) => {
    if (!a.organismId && !a.userId) {
      throw badRequest('ACTOR_REQUIRES_ORGANISM_OR_USER', `actors[${i}]: give an organism, a user or both`, {
        field: `actors.${i}`,
      })
    }
  })
  const roleIds = await resolveNomenclatureCodes(
    db,
    actors.map((a, i) => ({ type: 'ROLE_ACTEUR', code: a.role, field: `actors.${i}.role` })),
  )
  await db.query(`DELETE FROM gn_meta.${table} WHERE ${key} = $1`, [ownerId])
  for (const [i, a] of actors.entries()) {
    await db.query(
      `INSERT INTO gn_meta.${table} (${key}, organism_id, user_id, role_id) VALUES ($1, $2, $3, $4)
       ON CONFLICT DO NOTHING`,
      [ownerId, a.organismId ?? null, a.userId ?? null, roleIds[i]],
    )
  }
}

// Columns named by PostgreSQL errors, as the API fields that set them.
const COLUMN_FIELDS: Record<string, string> = {
  organism_id: 'actors',
  user_id: 'actors',
  parent_id: 'parentId',
  taxon_list_id: 'taxonListId',
  framework_id: 'frameworkId',
}

/** PostgreSQL constraint errors as the API's 400 (a missing organism, user, parent, taxon list…). */
function translatePgError(error: unknown): never {
  const e = error as { code?: string; constraint?: string; detail?: string; message?: string }
  if (e.code === '23503') {
    const column = e.detail?.match(/Key \((\w+)\)/)?.[1]
    const field = column ? (COLUMN_FIELDS[column] ?? column) : undefined
    throw badRequest(
      'REFERENCE_NOT_FOUND',
      `${field ? `${field}: ` : ''}${e.detail ?? 'a referenced record does not exist'}`,
      { field, column, constraint: e.constraint },
    )
  }
  if (e.code === '23514') {
    throw badRequest('CONSTRAINT_VIOLATION', `Invalid values (${e.constraint})`, { constraint: e.constraint })
  }
  throw error
}

/** A transaction in which constraint violations become 4xx answers. */
async function inTransaction<T>(pool: pg.Pool, fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  try {
    return await withTransaction(pool, fn)
  } catch (error) {
    if (error instanceof AppError) throw error
    translatePgError(error)
  }
}

async function assertFrameworkVisible(db: Queryable, caller: Caller, id: number, field?: string) {
  const { rows } = await db.query<{ is_closed: boolean }>(
    `SELECT f.is_closed FROM gn_meta.acquisition_frameworks f WHERE f.id = $4 AND ${frameworkVisibleSql('f')}`,
    [...callerParams(caller), id],
  )
  if (!rows[0]) {
    const message = `Acquisition framework ${id} does not exist`
    throw field
      ? badRequest('FRAMEWORK_NOT_FOUND', `${field}: ${message}`, { field })
      : notFound('FRAMEWORK_NOT_FOUND', message)
  }
  return rows[0]
}

async function assertDatasetVisible(db: Queryable, caller: Caller, id: number) {
  const { rows } = await db.query<{ framework_id: number }>(
    `SELECT d.framework_id FROM gn_meta.datasets d WHERE d.id = $4 AND ${datasetVisibleSql('d')}`,
    [...callerParams(caller), id],
  )
  if (!rows[0]) throw notFound('DATASET_NOT_FOUND', `Dataset ${id} does not exist`)
  return rows[0]
}

export async function createFramework(pool: pg.Pool, caller: Caller, input: FrameworkInput) {
  return inTransaction(pool, async (db) => {
    const { actors, ...fields } = await withDefaults(db, caller.organismId, input, FRAMEWORK_FIELDS)
    const set = await assignments(db, FRAMEWORK_FIELDS, fields, 2)
    const { rows } = await db.query<{ id: number }>(
      `INSERT INTO gn_meta.acquisition_frameworks (digitiser_id, closed_at${set.map((a) => `, ${a.column}`).join('')})
       VALUES ($1, ${fields.isClosed ? 'now()' : 'NULL'}${set.map((a) => `, ${a.sql}`).join('')}) RETURNING id`,
      [caller.userId, ...set.filter((a) => a.sql !== 'NULL').map((a) => a.value)],
    )
    const id = rows[0]!.id
    await replaceActors(db, 'acquisition_framework_actors', 'framework_id', id, actors)
    return getFramework(db, { ...caller, scope: 3 }, id)
  })
}

export async function updateFramework(pool: pg.Pool, caller: Caller, id: number, input: FrameworkInput) {
  return inTransaction(pool, async (db) => {
    const current = await assertFrameworkVisible(db, caller, id)
    const { actors, ...fields } = input
    if (fields.parentId === id) {
      throw badRequest('INVALID_PARENT', 'parentId: a framework cannot be its own parent', {
        field: 'parentId',
      })
    }
    const set = await assignments(db, FRAMEWORK_FIELDS, fields, 2)
    const closing = fields.isClosed === true && !current.is_closed
    const reopening = fields.isClosed === false && current.is_closed
    const extra = closing ? ', closed_at = now()' : reopening ? ', closed_at = NULL' : ''
    await db.query(
      `UPDATE gn_meta.acquisition_frameworks
          SET updated_at = now()${extra}${set.map((a) => `, ${a.column} = ${a.sql}`).join('')}
        WHERE id = $1`,
      [id, ...set.filter((a) => a.sql !== 'NULL').map((a) => a.value)],
    )
    // Closing a framework closes its datasets for entry and import.
    if (closing) {
      await db.query(
        'UPDATE gn_meta.datasets SET active = false, updated_at = now() WHERE framework_id = $1 AND active',
        [id],
      )
    }
    await replaceActors(db, 'acquisition_framework_actors', 'framework_id', id, actors)
    return getFramework(db, { ...caller, scope: 3 }, id)
  })
}

export async function deleteFramework(pool: pg.Pool, caller: Caller, id: number) {
  await inTransaction(pool, async (db) => {
    await assertFrameworkVisible(db, caller, id)
    const { rows } = await db.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM gn_meta.datasets WHERE framework_id = $1',
      [id],
    )
    if (rows[0]!.n > 0) {
      throw conflict(
        'FRAMEWORK_HAS_DATASETS',
        `Acquisition framework ${id} still holds ${rows[0]!.n} dataset(s)`,
        {
          datasets: rows[0]!.n,
        },
      )
    }
    await db.query('DELETE FROM gn_meta.acquisition_frameworks WHERE id = $1', [id])
  })
}

export async function createDataset(
  pool: pg.Pool,
  caller: Caller,
  input: DatasetInput & { frameworkId: number },
) {
  return inTransaction(pool, async (db) => {
    const framework = await assertFrameworkVisible(db, caller, input.frameworkId, 'frameworkId')
    if (framework.is_closed && input.active !== false) {
      throw conflict(
        'FRAMEWORK_CLOSED',
        `Acquisition framework ${input.frameworkId} is closed: no new open dataset`,
        {
          field: 'frameworkId',
        },
      )
    }
    await checkGeometry(db, input.bbox)
    const { actors, ...fields } = await withDefaults(db, caller.organismId, input, DATASET_FIELDS)
    const set = await assignments(db, DATASET_FIELDS, fields, 2)
    const { rows } = await db.query<{ id: number }>(
      `INSERT INTO gn_meta.datasets (digitiser_id${set.map((a) => `, ${a.column}`).join('')})
       VALUES ($1${set.map((a) => `, ${a.sql}`).join('')}) RETURNING id`,
      [caller.userId, ...set.filter((a) => a.sql !== 'NULL').map((a) => a.value)],
    )
    const id = rows[0]!.id
    await replaceActors(db, 'dataset_actors', 'dataset_id', id, actors)
    return getDataset(db, { ...caller, scope: 3 }, id)
  })
}

export async function updateDataset(pool: pg.Pool, caller: Caller, id: number, input: DatasetInput) {
  return inTransaction(pool, async (db) => {
    const current = await assertDatasetVisible(db, caller, id)
    const frameworkId = input.frameworkId ?? current.framework_id
    if (input.frameworkId !== undefined && input.frameworkId !== current.framework_id) {
      await assertFrameworkVisible(db, caller, input.frameworkId, 'frameworkId')
    }
    if (input.active === true) {
      const { rows } = await db.query<{ is_closed: boolean }>(
        'SELECT is_closed FROM gn_meta.acquisition_frameworks WHERE id = $1',
        [frameworkId],
      )
      if (rows[0]?.is_closed) {
        throw conflict(
          'FRAMEWORK_CLOSED',
          `Acquisition framework ${frameworkId} is closed: the dataset stays inactive`,
          {
            field: 'active',
          },
        )
      }
    }
    await checkGeometry(db, input.bbox)
    const { actors, ...fields } = input
    const set = await assignments(db, DATASET_FIELDS, fields, 2)
    await db.query(
      `UPDATE gn_meta.datasets SET updated_at = now()${set.map((a) => `, ${a.column} = ${a.sql}`).join('')}
        WHERE id = $1`,
      [id, ...set.filter((a) => a.sql !== 'NULL').map((a) => a.value)],
    )
    await replaceActors(db, 'dataset_actors', 'dataset_id', id, actors)
    return getDataset(db, { ...caller, scope: 3 }, id)
  })
}

/**
 * Rows that reference a dataset, found through the foreign keys pointing at gn_meta.datasets (the synthese
 * and any module's tables, whenever they are installed), its own actors excepted.
 */
export async function datasetReferences(
  db: Queryable,
  id: number,
): Promise<{ table: string; rows: number }[]> {
  const { rows: fks } = await db.query<{ tbl: string; col: string }>(
    `SELECT c.conrelid::regclass::text AS tbl, quote_ident(a.attname) AS col
       FROM pg_constraint c
       JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1]
      WHERE c.contype = 'f' AND c.confrelid = 'gn_meta.datasets'::regclass
        AND cardinality(c.conkey) = 1 AND c.conrelid <> 'gn_meta.dataset_actors'::regclass
      ORDER BY 1, 2`,
  )
  const found: { table: string; rows: number }[] = []
  for (const fk of fks) {
    const { rows } = await db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM ${fk.tbl} WHERE ${fk.col} = $1`,
      [id],
    )
    if (rows[0]!.n > 0) found.push({ table: fk.tbl, rows: rows[0]!.n })
  }
  return found
}

export async function deleteDataset(pool: pg.Pool, caller: Caller, id: number) {
  await inTransaction(pool, async (db) => {
    await assertDatasetVisible(db, caller, id)
    const references = await datasetReferences(db, id)
    if (references.length) {
      const total = references.reduce((n, r) => n + r.rows, 0)
      throw conflict(
        'DATASET_HAS_OBSERVATIONS',
        `Dataset ${id} has ${total} observation(s) or other records`,
        {
          references,
        },
      )
    }
    await db.query('DELETE FROM gn_meta.datasets WHERE id = $1', [id])
  })
}
