import {
  badRequest,
  type Database,
  datasetAccessSql,
  decodeCursor,
  keysetPage,
  nomenclatureCodeSql,
  notFound,
  observationKeysSql,
  recordSensitivitySql,
  searchUsers,
  taxaSql,
  userNameSql,
} from '@biodiv/core'
import {
  COUNTING_NOMENCLATURES,
  OCCURRENCE_NOMENCLATURES,
  type Releve,
  type ReleveListItem,
  type ReleveQuery,
} from './occtax-schemas.ts'
import { type Caller, callerParams, releveVisibleSql } from './releve-scope.ts'

/** The pool, or a client inside a transaction. */
export type Queryable = Pick<Database['pool'], 'query'>

const isoText = (column: string) => `(to_json(${column}) #>> '{}')`
const codes = (spec: Record<string, readonly [string, string]>, alias: string) =>
  Object.entries(spec)
    .map(([field, [column]]) => `'${field}', ${nomenclatureCodeSql(`${alias}.id_nomenclature_${column}`)}`)
    .join(', ')

/** Observer users' names then the free text, as one text (what the synthese's `observers` holds). */
export const observersTextSql = (r: string) => `NULLIF(concat_ws(', ',
  (SELECT string_agg(${userNameSql('oo.user_id')}, ', ' ORDER BY oo.user_id)
     FROM occtax.cor_releve_observer oo WHERE oo.releve_id = ${r}.id),
  NULLIF(${r}.observers_text, '')), '')`

/** The unique_id_sinp of a relevé's countings (its Synthese rows), as a SQL uuid[]. */
const releveObservationsSql = (r: string) => `ARRAY(SELECT rc.unique_id_sinp FROM occtax.countings rc
    JOIN occtax.occurrences ro ON ro.id = rc.occurrence_id WHERE ro.releve_id = ${r}.id)`

/**
 * A relevé as the caller may see it (ADR 15): hidden (null) when one of its observations is not shown to them at all,
 * its location blurred — the blurred area of its most sensitive observation, no place, altitudes, habitat, comment —
 * when one is shown blurred, else as it is. The rows carry `blur` from `recordSensitivitySql`.
 */
function asSeen<T extends { geometry: unknown; placeName: string | null }>(
  row: T & { blur: { hidden: boolean; blurred: boolean; level: number; geometry: unknown } },
): (Omit<T, 'blur'> & { sensitivity: { level: number; blurred: boolean } }) | null {
  const { blur, ...releve } = row
  if (blur.hidden) return null
  const sensitivity = { level: blur.level, blurred: blur.blurred }
  if (!blur.blurred) return { ...releve, sensitivity }
  const cleared = Object.fromEntries(
    ['altitudeMin', 'altitudeMax', 'habitat', 'comment'].filter((k) => k in releve).map((k) => [k, null]),
  )
  return { ...releve, ...cleared, geometry: blur.geometry, placeName: null, sensitivity }
}

const RELEVE_SELECT = `SELECT r.id, r.uuid::text AS uuid, r.dataset_id AS "datasetId", d.name AS "datasetName",
    COALESCE((SELECT json_agg(o.user_id ORDER BY o.user_id) FROM occtax.cor_releve_observer o
               WHERE o.releve_id = r.id), '[]'::json) AS "observerIds",
    COALESCE((SELECT json_agg(json_build_object('id', o.user_id, 'name', ${userNameSql('o.user_id')})
                              ORDER BY o.user_id)
                FROM occtax.cor_releve_observer o WHERE o.releve_id = r.id), '[]'::json) AS observers,
    r.observers_text AS "observersText",
    to_char(r.date_min, 'YYYY-MM-DD') AS "dateMin", to_char(r.date_max, 'YYYY-MM-DD') AS "dateMax",
    to_char(r.hour_min, 'HH24:MI') AS "hourMin", to_char(r.hour_max, 'HH24:MI') AS "hourMax",
    ST_AsGeoJSON(r.geometry, 7)::json AS geometry, r.altitude_min AS "altitudeMin", r.altitude_max AS "altitudeMax",
    r.place_name AS "placeName", r.habitat, r.comment, ${nomenclatureCodeSql('r.id_nomenclature_grp_typ')} AS "grpTyp",
    r.grp_method AS "grpMethod", r.digitiser_id AS "digitiserId",
    ${isoText('r.created_at')} AS "createdAt", ${isoText('r.updated_at')} AS "updatedAt",
    COALESCE((
      SELECT json_agg(json_build_object('id', oc.id, 'uuid', oc.uuid, 'cdNom', oc.cd_nom, 'nomCite', oc.nom_cite,
               'lbNom', t.lb_nom, 'nomVern', t.nom_vern, ${codes(OCCURRENCE_NOMENCLATURES, 'oc')},
               'determiner', oc.determiner, 'comment', oc.comment,
               'countings', COALESCE((
                 SELECT json_agg(json_build_object('id', c.id, 'uniqueIdSinp', c.unique_id_sinp,
                          'syntheseId', s.id, ${codes(COUNTING_NOMENCLATURES, 'c')},
                          'countMin', c.count_min, 'countMax', c.count_max, 'sensitivityLevel', s.sensitivity_level)
                          ORDER BY c.id)
                   FROM occtax.countings c
                   LEFT JOIN ${observationKeysSql()} s ON s.unique_id_sinp = c.unique_id_sinp
                  WHERE c.occurrence_id = oc.id), '[]'::json)) ORDER BY oc.id)
        FROM occtax.occurrences oc JOIN ${taxaSql()} t ON t.cd_nom = oc.cd_nom
       WHERE oc.releve_id = r.id), '[]'::json) AS occurrences
  FROM occtax.releves r JOIN ${datasetAccessSql()} d ON d.id = r.dataset_id`

type SeenRow<T> = T & { blur: { hidden: boolean; blurred: boolean; level: number; geometry: unknown } }

/** The relevé select with its `blur` for the caller, its parameters starting with the caller's ($1–$3). */
function releveSelect(caller: Caller) {
  const params = callerParams(caller)
  const p = (value: unknown) => `$${params.push(value)}`
  const blur = recordSensitivitySql(caller, p, releveObservationsSql('r'))
  return { sql: RELEVE_SELECT.replace('SELECT r.id,', `SELECT ${blur} AS blur, r.id,`), params, p }
}

/** One relevé with its occurrences and countings, if the caller may read it (else 404), as they may see it. */
export async function getReleve(db: Queryable, caller: Caller, id: number): Promise<Releve> {
  const { sql, params, p } = releveSelect(caller)
  const { rows } = await db.query<SeenRow<Releve>>(
    `${sql} WHERE r.id = ${p(id)}::integer AND ${releveVisibleSql('r')}`,
    params,
  )
  const releve = rows[0] && asSeen(rows[0])
  if (!releve) throw notFound('RELEVE_NOT_FOUND', `Relevé ${id} does not exist`)
  return releve as Releve
}

/** The relevé holding a counting, if the caller may read it (else 404, the same whether it exists or not). */
export async function getReleveOfCounting(
  db: Queryable,
  caller: Caller,
  countingId: number,
): Promise<Releve> {
  const { sql, params, p } = releveSelect(caller)
  const { rows } = await db.query<SeenRow<Releve>>(
    `${sql}
      WHERE r.id = (SELECT o.releve_id FROM occtax.countings c JOIN occtax.occurrences o ON o.id = c.occurrence_id
                     WHERE c.id = ${p(countingId)}::integer)
        AND ${releveVisibleSql('r')}`,
    params,
  )
  const releve = rows[0] && asSeen(rows[0])
  if (!releve) throw notFound('COUNTING_NOT_FOUND', `Counting ${countingId} does not exist`)
  return releve as Releve
}

// Relevé ids are integer (32-bit) ids; the module reports bad fields as a list.
const CURSOR_OPTIONS = { max: 2147483647, details: [{ field: 'cursor', message: 'unknown' }] }

function parseBbox(text: string): number[] {
  const b = text.split(',').map(Number)
  const [minLon, minLat, maxLon, maxLat] = b as [number, number, number, number]
  if (
    b.some((v) => !Number.isFinite(v)) ||
    minLon < -180 ||
    maxLon > 180 ||
    minLat < -90 ||
    maxLat > 90 ||
    minLon > maxLon ||
    minLat > maxLat
  )
    throw badRequest('INVALID_BBOX', 'bbox must be minLon,minLat,maxLon,maxLat in WGS 84', [
      { field: 'bbox', message: 'invalid' },
    ])
  return b
}

/** One page of the relevés the caller may read that match the filters, newest first. */
export async function listReleves(
  db: Queryable,
  caller: Caller,
  f: Omit<ReleveQuery, 'format'>,
): Promise<{ items: ReleveListItem[]; nextCursor: string | null }> {
  const params = callerParams(caller)
  const p = (value: unknown) => {
    params.push(value)
    return `$${params.length}`
  }
  const where = [releveVisibleSql('r')]
  if (f.dataset?.length) where.push(`r.dataset_id = ANY(${p(f.dataset)}::integer[])`)
  if (f.dateMin) where.push(`r.date_max >= ${p(f.dateMin)}::date`)
  if (f.dateMax) where.push(`r.date_min <= ${p(f.dateMax)}::date`)
  if (f.taxon?.length)
    where.push(`EXISTS (SELECT 1 FROM occtax.occurrences fo
                         WHERE fo.releve_id = r.id AND fo.cd_nom = ANY(${p(f.taxon)}::integer[]))`)
  const observer = f.observer?.trim()
  if (observer) {
    if (/^\d{1,9}$/.test(observer))
      where.push(`EXISTS (SELECT 1 FROM occtax.cor_releve_observer fr
                           WHERE fr.releve_id = r.id AND fr.user_id = ${p(Number(observer))}::integer)`)
    else
      where.push(
        `${observersTextSql('r')} ILIKE '%' || ${p(observer.replace(/[\\%_]/g, (c) => `\\${c}`))}::text || '%'`,
      )
  }
  if (f.bbox)
    where.push(
      `r.geometry && ST_MakeEnvelope(${parseBbox(f.bbox)
        .map((v) => `${p(v)}::double precision`)
        .join(', ')}, 4326)`,
    )
  if (f.cursor) where.push(`r.id < ${p(decodeCursor(f.cursor, CURSOR_OPTIONS))}::integer`)

  const blur = recordSensitivitySql(caller, p, releveObservationsSql('r'))
  const { rows } = await db.query<SeenRow<ReleveListItem>>(
    `SELECT ${blur} AS blur, r.id, r.uuid::text AS uuid, r.dataset_id AS "datasetId", d.name AS "datasetName",
            to_char(r.date_min, 'YYYY-MM-DD') AS "dateMin", to_char(r.date_max, 'YYYY-MM-DD') AS "dateMax",
            ${observersTextSql('r')} AS observers, r.place_name AS "placeName",
            ST_AsGeoJSON(r.geometry, 7)::json AS geometry,
            COALESCE((SELECT json_agg(json_build_object('cdNom', x.cd_nom, 'name', x.nom_cite) ORDER BY x.first_id)
                        FROM (SELECT cd_nom, min(nom_cite) AS nom_cite, min(id) AS first_id
                                FROM occtax.occurrences WHERE releve_id = r.id GROUP BY cd_nom) x), '[]'::json) AS taxa,
            (SELECT count(*)::int FROM occtax.countings c JOIN occtax.occurrences o ON o.id = c.occurrence_id
              WHERE o.releve_id = r.id) AS "countingCount"
       FROM occtax.releves r JOIN ${datasetAccessSql()} d ON d.id = r.dataset_id
      WHERE ${where.join('\n        AND ')}
      ORDER BY r.id DESC
      LIMIT ${p(f.limit + 1)}`,
    params,
  )
  // A hidden relevé is left out of the page (the cursor still moves past it).
  const page = keysetPage(rows, f.limit)
  return { ...page, items: page.items.flatMap((row) => asSeen(row) ?? []) as ReleveListItem[] }
}

/** Active users whose name or login contains `q`, to pick as observers (at most 20). */
export const observerOptions = (db: Queryable, q: string | undefined) => searchUsers(db, q, 20)
