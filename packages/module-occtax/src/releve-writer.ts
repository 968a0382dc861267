import { randomUUID } from 'node:crypto'
import {
  badRequest,
  datasetAccess,
  defaultNomenclatures,
  deleteSyntheseBySource,
  findUsers,
  forbidden,
  nomenclatureIdSql,
  notFound,
  type Scope,
  type SyntheseRowInput,
  type SyntheseSourceSpec,
  upsertSyntheseRows,
  type withTransaction,
} from '@biodiv/core'
import {
  COUNTING_NOMENCLATURES,
  OCCURRENCE_NOMENCLATURES,
  type Releve,
  type ReleveInput,
} from './occtax-schemas.ts'
import { type Caller, callerParams, releveVisibleSql } from './releve-scope.ts'
import {
  checkReleveReferences,
  checkReleveShape,
  type FieldError,
  invalid,
  type RowPath,
  releveTimestamps,
  remapSyntheseError,
} from './releve-validation.ts'

/** A client inside the route's transaction. */
export type Client = Parameters<Parameters<typeof withTransaction>[1]>[0]

export const OCCTAX_SOURCE: SyntheseSourceSpec = {
  name: 'OCCTAX',
  description: 'Relevés saisis dans Occtax',
  moduleCode: 'OCCTAX',
  // The synthese row is a counting (its entity_source_pk_value); the UI route finds its relevé.
  urlTemplate: '/occtax/countings/{pk}',
}

export interface LockedReleve {
  id: number
  uuid: string
  digitiserId: number | null
}

/**
 * Locks a relevé for a write by the caller: 404 when they cannot read it (R scope `readScope`), 403 when they can
 * read it but it is outside the scope of the route's action (`caller.scope`).
 */
export async function lockReleve(
  client: Client,
  caller: Caller,
  readScope: Scope | null,
  id: number,
): Promise<LockedReleve> {
  const { rows } = await client.query<LockedReleve & { allowed: boolean; readable: boolean }>(
    `SELECT r.id, r.uuid::text AS uuid, r.digitiser_id AS "digitiserId",
            ${releveVisibleSql('r')} AS allowed, ${releveVisibleSql('r', '$4')} AS readable
       FROM occtax.releves r WHERE r.id = $5 FOR UPDATE OF r`,
    [...callerParams(caller), readScope, id],
  )
  const row = rows[0]
  if (!row?.readable) throw notFound('RELEVE_NOT_FOUND', `Relevé ${id} does not exist`)
  if (!row.allowed)
    throw forbidden('RELEVE_NOT_WRITABLE', `Relevé ${id} is outside the scope of your permission`)
  return { id: row.id, uuid: row.uuid, digitiserId: row.digitiserId }
}

/** The relevé of an occurrence or counting (404 when there is none). */
export async function releveIdOf(
  client: Client,
  kind: 'occurrence' | 'counting',
  id: number,
): Promise<number> {
  const { rows } = await client.query<{ releve_id: number }>(
    kind === 'occurrence'
      ? 'SELECT releve_id FROM occtax.occurrences WHERE id = $1'
      : `SELECT o.releve_id FROM occtax.countings c JOIN occtax.occurrences o ON o.id = c.occurrence_id
          WHERE c.id = $1`,
    [id],
  )
  if (!rows[0])
    throw notFound(kind === 'occurrence' ? 'OCCURRENCE_NOT_FOUND' : 'COUNTING_NOT_FOUND', `No ${kind} ${id}`)
  return rows[0].releve_id
}

/** The dataset must be visible in the caller's scope (else 403) and active (else 400). */
async function checkDataset(client: Client, caller: Caller, datasetId: number): Promise<void> {
  const dataset = await datasetAccess(client, caller, datasetId)
  const field = [{ field: 'datasetId', message: `dataset ${datasetId}` }]
  if (!dataset?.visible)
    throw forbidden('DATASET_NOT_WRITABLE', `You may not write to dataset ${datasetId}`, field)
  if (!dataset.active) throw badRequest('DATASET_NOT_ACTIVE', `Dataset ${datasetId} is not active`, field)
}

const occurrenceCols = Object.values(OCCURRENCE_NOMENCLATURES).map(([column]) => column)
const countingCols = Object.values(COUNTING_NOMENCLATURES).map(([column]) => column)
const nomenclatureValues = (spec: Record<string, readonly [string, string]>) =>
  Object.values(spec)
    .map(([column, type]) => nomenclatureIdSql(type, `r.n_${column}`))
    .join(',\n       ')
const codeRecord = (spec: Record<string, readonly [string, string]>, values: object) =>
  Object.fromEntries(
    Object.entries(spec).map(([f, [column]]) => [
      `n_${column}`,
      (values as Record<string, unknown>)[f] ?? null,
    ]),
  )

type Defaults = Awaited<ReturnType<typeof defaultNomenclatures>>
/** `values` with each nomenclature of `spec` it leaves out set to the default code of its type (if any). */
const withDefaults = <T extends object>(
  spec: Record<string, readonly [string, string]>,
  values: T,
  defaults: Defaults,
): T => {
  const filled = { ...values } as Record<string, unknown>
  for (const [f, [, type]] of Object.entries(spec)) filled[f] ??= defaults[type]?.code ?? null
  return filled as T
}

const UPSERT_OCCURRENCES = `
INSERT INTO occtax.occurrences AS o (uuid, releve_id, cd_nom, nom_cite, determiner, comment,
       ${occurrenceCols.map((c) => `id_nomenclature_${c}`).join(', ')})
SELECT r.uuid, $2, r.cd_nom, r.nom_cite, r.determiner, r.comment,
       ${nomenclatureValues(OCCURRENCE_NOMENCLATURES)}
  FROM jsonb_to_recordset($1::jsonb) AS r(i integer, uuid uuid, cd_nom integer, nom_cite text, determiner text,
       comment text, ${occurrenceCols.map((c) => `n_${c} text`).join(', ')})
 ORDER BY r.i
ON CONFLICT (uuid) DO UPDATE SET cd_nom = EXCLUDED.cd_nom, nom_cite = EXCLUDED.nom_cite,
       determiner = EXCLUDED.determiner, comment = EXCLUDED.comment,
       ${occurrenceCols.map((c) => `id_nomenclature_${c} = EXCLUDED.id_nomenclature_${c}`).join(', ')},
       updated_at = now()
 WHERE o.releve_id = EXCLUDED.releve_id
RETURNING o.id, o.uuid::text AS uuid`

const UPSERT_COUNTINGS = `
INSERT INTO occtax.countings AS c (unique_id_sinp, occurrence_id, count_min, count_max,
       ${countingCols.map((c) => `id_nomenclature_${c}`).join(', ')})
SELECT r.uuid, r.occurrence_id, r.count_min, r.count_max,
       ${nomenclatureValues(COUNTING_NOMENCLATURES)}
  FROM jsonb_to_recordset($1::jsonb) AS r(i integer, uuid uuid, occurrence_id integer, count_min integer,
       count_max integer, ${countingCols.map((c) => `n_${c} text`).join(', ')})
 ORDER BY r.i
ON CONFLICT (unique_id_sinp) DO UPDATE SET count_min = EXCLUDED.count_min, count_max = EXCLUDED.count_max,
       ${countingCols.map((c) => `id_nomenclature_${c} = EXCLUDED.id_nomenclature_${c}`).join(', ')},
       updated_at = now()
 WHERE c.occurrence_id = EXCLUDED.occurrence_id
RETURNING c.id, c.unique_id_sinp::text AS uuid`

/**
 * Writes a whole relevé (new, or replacing `existing`'s content) and its synthese rows, inside the caller's
 * transaction. Occurrences and countings with an id are updated (their UUIDs kept), new ones inserted, the
 * existing ones left out deleted with their synthese rows. Every check runs before the first write.
 * `caller.scope` is the scope in which the dataset must be writable. Returns the relevé id.
 */
export async function saveReleve(
  client: Client,
  caller: Caller,
  input: ReleveInput,
  existing?: LockedReleve,
): Promise<number> {
  checkReleveShape(input)
  await checkDataset(client, caller, input.datasetId)

  // The current content, to tell kept, new and removed occurrences and countings apart.
  const { rows: current } = existing
    ? await client.query<{ oid: number; ouuid: string; cid: number | null; cuuid: string | null }>(
        `SELECT o.id AS oid, o.uuid::text AS ouuid, c.id AS cid, c.unique_id_sinp::text AS cuuid
           FROM occtax.occurrences o LEFT JOIN occtax.countings c ON c.occurrence_id = o.id
          WHERE o.releve_id = $1`,
        [existing.id],
      )
    : { rows: [] }
  const oldOccurrences = new Map(current.map((r) => [r.oid, r.ouuid]))
  const oldCountings = new Map(
    current.filter((r) => r.cid !== null).map((r) => [r.cid!, { occurrenceId: r.oid, uuid: r.cuuid! }]),
  )
  const idErrors: FieldError[] = []
  const keptOccurrences = new Set<number>()
  const keptCountings = new Set<number>()
  input.occurrences.forEach((o, i) => {
    if (o.id !== undefined) {
      if (!oldOccurrences.has(o.id) || keptOccurrences.has(o.id))
        idErrors.push({
          field: `occurrences[${i}].id`,
          message: `occurrence ${o.id} is not one of this relevé`,
        })
      keptOccurrences.add(o.id)
    }
    o.countings.forEach((c, j) => {
      if (c.id === undefined) return
      if (oldCountings.get(c.id)?.occurrenceId !== o.id || keptCountings.has(c.id))
        idErrors.push({
          field: `occurrences[${i}].countings[${j}].id`,
          message: `counting ${c.id} is not one of this occurrence`,
        })
      keptCountings.add(c.id)
    })
  })
  if (idErrors.length) invalid('UNKNOWN_ID', idErrors)
  const { taxonNames, userNames } = await checkReleveReferences(client, input)

  // Left-out nomenclatures take the observation defaults of the digitiser's organism (else the instance's), the
  // same the synthese would give them: the relevé and its synthese rows then say the same.
  const digitiserId = existing ? existing.digitiserId : caller.userId
  const organismId = existing
    ? digitiserId === null
      ? null
      : ((await findUsers(client, [digitiserId])).get(digitiserId)?.organismId ?? null)
    : caller.organismId
  const defaults = await defaultNomenclatures(client, organismId, 'observation')
  const body: ReleveInput = {
    ...input,
    grpTyp: input.grpTyp ?? defaults.TYP_GRP?.code ?? null,
    occurrences: input.occurrences.map((o) => ({
      ...withDefaults(OCCURRENCE_NOMENCLATURES, o, defaults),
      countings: o.countings.map((c) => withDefaults(COUNTING_NOMENCLATURES, c, defaults)),
    })),
  }

  // The relevé.
  const dateMax = body.dateMax ?? body.dateMin
  const values = [
    body.datasetId,
    body.observersText?.trim() || null,
    body.dateMin,
    dateMax,
    body.hourMin ?? null,
    body.hourMax ?? null,
    JSON.stringify(body.geometry),
    body.altitudeMin ?? null,
    body.altitudeMax ?? null,
    body.placeName ?? null,
    body.habitat ?? null,
    body.comment ?? null,
    body.grpTyp ?? null,
    body.grpMethod ?? null,
  ]
  const geometrySql = 'ST_Force2D(ST_SetSRID(ST_GeomFromGeoJSON($7::text), 4326))'
  const grpTypSql = nomenclatureIdSql('TYP_GRP', '$13::text')
  let releve: { id: number; uuid: string; digitiserId: number | null }
  if (existing) {
    await client.query(
      `UPDATE occtax.releves SET dataset_id = $1, observers_text = $2, date_min = $3, date_max = $4, hour_min = $5,
              hour_max = $6, geometry = ${geometrySql}, altitude_min = $8, altitude_max = $9, place_name = $10,
              habitat = $11, comment = $12, id_nomenclature_grp_typ = ${grpTypSql}, grp_method = $14,
              updated_at = now()
        WHERE id = $15`,
      [...values, existing.id],
    )
    releve = existing
  } else {
    const { rows } = await client.query<{ id: number; uuid: string }>(
      `INSERT INTO occtax.releves (dataset_id, observers_text, date_min, date_max, hour_min, hour_max, geometry,
              altitude_min, altitude_max, place_name, habitat, comment, id_nomenclature_grp_typ, grp_method,
              digitiser_id)
       VALUES ($1, $2, $3, $4, $5, $6, ${geometrySql}, $8, $9, $10, $11, $12, ${grpTypSql}, $14, $15)
       RETURNING id, uuid::text AS uuid`,
      [...values, caller.userId],
    )
    releve = { ...rows[0]!, digitiserId: caller.userId }
  }
  const observerIds = body.observerIds ?? []
  if (existing) await client.query('DELETE FROM occtax.cor_releve_observer WHERE releve_id = $1', [releve.id])
  if (observerIds.length)
    await client.query(
      `INSERT INTO occtax.cor_releve_observer (releve_id, user_id) SELECT $1, unnest($2::integer[])`,
      [releve.id, observerIds],
    )

  // Removed countings and occurrences, with their synthese rows.
  const removedOccurrences = [...oldOccurrences.keys()].filter((id) => !keptOccurrences.has(id))
  const removedCountings = [...oldCountings.keys()].filter((id) => !keptCountings.has(id))
  if (removedCountings.length) {
    await client.query('DELETE FROM occtax.countings WHERE id = ANY($1::integer[])', [removedCountings])
    await deleteSyntheseBySource(client, OCCTAX_SOURCE.name, removedCountings.map(String))
  }
  if (removedOccurrences.length)
    await client.query('DELETE FROM occtax.occurrences WHERE id = ANY($1::integer[])', [removedOccurrences])

  // Occurrences, then countings: one statement each, whatever their number.
  const occurrences = body.occurrences.map((o, i) => ({
    i,
    uuid: o.id !== undefined ? oldOccurrences.get(o.id)! : randomUUID(),
    cd_nom: o.cdNom,
    nom_cite: o.nomCite?.trim() || taxonNames.get(o.cdNom)!,
    determiner: o.determiner ?? null,
    comment: o.comment ?? null,
    ...codeRecord(OCCURRENCE_NOMENCLATURES, o),
  }))
  const { rows: writtenOccurrences } = await client.query<{ id: number; uuid: string }>(UPSERT_OCCURRENCES, [
    JSON.stringify(occurrences),
    releve.id,
  ])
  const occurrenceIds = new Map(writtenOccurrences.map((o) => [o.uuid, o.id]))
  const paths: RowPath[] = []
  const countings = body.occurrences.flatMap((o, i) =>
    o.countings.map((c, j) => {
      paths.push({ occurrence: i, counting: j })
      const countMin = c.countMin ?? 1
      return {
        i: paths.length - 1,
        uuid: c.id !== undefined ? oldCountings.get(c.id)!.uuid : randomUUID(),
        occurrence_id: occurrenceIds.get(occurrences[i]!.uuid)!,
        count_min: countMin,
        count_max: c.countMax ?? countMin,
        ...codeRecord(COUNTING_NOMENCLATURES, c),
      }
    }),
  )
  const { rows: writtenCountings } = await client.query<{ id: number; uuid: string }>(UPSERT_COUNTINGS, [
    JSON.stringify(countings),
  ])
  const countingIds = new Map(writtenCountings.map((c) => [c.uuid, c.id]))

  // One synthese row per counting.
  const { start, end } = releveTimestamps(body)
  const observers =
    [...observerIds.map((id) => userNames.get(id)!), body.observersText?.trim()].filter(Boolean).join(', ') ||
    null
  const additionalData = Object.fromEntries(
    Object.entries({ habitat: body.habitat, grpMethod: body.grpMethod }).filter(
      ([, v]) => v != null && v !== '',
    ),
  )
  const rows: SyntheseRowInput[] = countings.map((c, k) => {
    const o = body.occurrences[paths[k]!.occurrence]!
    const counting = o.countings[paths[k]!.counting]!
    const row: SyntheseRowInput = {
      uniqueIdSinp: c.uuid,
      uniqueIdSinpGrp: releve.uuid,
      entitySourcePkValue: String(countingIds.get(c.uuid)),
      datasetId: body.datasetId,
      cdNom: o.cdNom,
      nomCite: occurrences[paths[k]!.occurrence]!.nom_cite,
      countMin: c.count_min,
      countMax: c.count_max,
      dateMin: start,
      dateMax: end,
      observers,
      observerIds,
      determiner: o.determiner ?? null,
      digitiserId: releve.digitiserId,
      geometry: body.geometry,
      altitudeMin: body.altitudeMin ?? null,
      altitudeMax: body.altitudeMax ?? null,
      placeName: body.placeName ?? null,
      commentContext: body.comment ?? null,
      commentDescription: o.comment ?? null,
      additionalData: Object.keys(additionalData).length ? additionalData : null,
      grpTyp: body.grpTyp ?? null,
    }
    for (const f of Object.keys(OCCURRENCE_NOMENCLATURES) as (keyof typeof OCCURRENCE_NOMENCLATURES)[])
      row[f] = o[f] ?? null
    for (const f of Object.keys(COUNTING_NOMENCLATURES) as (keyof typeof COUNTING_NOMENCLATURES)[])
      row[f] = counting[f] ?? null
    return row
  })
  try {
    await upsertSyntheseRows(client, OCCTAX_SOURCE, rows)
  } catch (error) {
    throw remapSyntheseError(error, paths)
  }
  return releve.id
}

/** Deletes a relevé, its occurrences and countings, and their synthese rows. */
export async function deleteReleve(client: Client, id: number): Promise<void> {
  const { rows } = await client.query<{ id: number }>(
    `SELECT c.id FROM occtax.countings c JOIN occtax.occurrences o ON o.id = c.occurrence_id WHERE o.releve_id = $1`,
    [id],
  )
  await client.query('DELETE FROM occtax.releves WHERE id = $1', [id])
  if (rows.length)
    await deleteSyntheseBySource(
      client,
      OCCTAX_SOURCE.name,
      rows.map((r) => String(r.id)),
    )
}

/** A stored relevé as the body that would write it again (for the sub-routes, which edit one part of it). */
export function releveToInput(r: Releve): ReleveInput {
  const pick = <T extends object>(from: T, keys: readonly string[]) =>
    Object.fromEntries(keys.map((k) => [k, (from as Record<string, unknown>)[k] ?? null]))
  return {
    datasetId: r.datasetId,
    observerIds: r.observerIds,
    observersText: r.observersText,
    dateMin: r.dateMin,
    dateMax: r.dateMax,
    hourMin: r.hourMin,
    hourMax: r.hourMax,
    geometry: r.geometry,
    altitudeMin: r.altitudeMin,
    altitudeMax: r.altitudeMax,
    placeName: r.placeName,
    habitat: r.habitat,
    comment: r.comment,
    grpTyp: r.grpTyp,
    grpMethod: r.grpMethod,
    occurrences: r.occurrences.map((o) => ({
      id: o.id,
      cdNom: o.cdNom,
      nomCite: o.nomCite,
      ...pick(o, Object.keys(OCCURRENCE_NOMENCLATURES)),
      determiner: o.determiner,
      comment: o.comment,
      countings: o.countings.map((c) => ({
        id: c.id,
        ...pick(c, Object.keys(COUNTING_NOMENCLATURES)),
        countMin: c.countMin,
        countMax: c.countMax,
      })),
    })),
  }
}
