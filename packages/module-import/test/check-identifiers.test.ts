import { randomUUID } from 'node:crypto'
import { upsertSyntheseRows } from '@biodiv/core'
import { createUser, DEMO_ORGANISM, loginAs } from '@biodiv/core/testing'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { checkImport } from '../src/check/check-import.ts'
import { type CheckFixture, checkFixture, importGrants } from './check-helpers.ts'
import { delimited, multipartBody } from './helpers.ts'

const HEADER = ['uuid', 'id_origine', 'jdd', 'date', 'cd_nom', 'nom', 'wkt']
const line = (uuid: string, pk: string, jdd: string) => [
  uuid,
  pk,
  jdd,
  '2024-05-12',
  '60612',
  'Lynx lynx',
  'POINT(6.47 44.85)',
]
const FIELDS = {
  uniqueIdSinp: { column: 'uuid' },
  entitySourcePkValue: { column: 'id_origine' },
  datasetUuid: { column: 'jdd' },
  dateMin: { column: 'date' },
  cdNom: { column: 'cd_nom' },
  nomCite: { column: 'nom' },
  wkt: { column: 'wkt' },
}

describe('import checks: identifiers (UUID, source pk) and datasets', () => {
  let f: CheckFixture
  let existing: string
  const occtax = randomUUID()
  let inactive: string
  beforeAll(async () => {
    f = await checkFixture()
    existing = randomUUID()
    const client = await f.pool.connect()
    try {
      await client.query('BEGIN')
      // An observation of an earlier import (updatable), and one of another module (never updated).
      await upsertSyntheseRows(client, 'IMPORT:999', [
        {
          uniqueIdSinp: existing,
          datasetId: f.dataset.id,
          cdNom: 60612,
          nomCite: 'Lynx lynx',
          dateMin: '2024-05-01',
          geometry: { type: 'Point', coordinates: [6.4, 44.8] },
        },
      ])
      await upsertSyntheseRows(client, 'OCCTAX', [
        {
          uniqueIdSinp: occtax,
          datasetId: f.dataset.id,
          cdNom: 60612,
          nomCite: 'Lynx lynx',
          dateMin: '2024-05-01',
          geometry: { type: 'Point', coordinates: [6.4, 44.8] },
        },
      ])
      await client.query('COMMIT')
    } finally {
      client.release()
    }
    const { rows } = await f.pool.query<{ uuid: string }>(
      `UPDATE gn_meta.datasets SET active = false
        WHERE id = (SELECT id FROM gn_meta.datasets WHERE id <> $1 ORDER BY id LIMIT 1) RETURNING uuid::text`,
      [f.dataset.id],
    )
    inactive = rows[0]!.uuid
  })
  afterAll(async () => {
    await f?.close()
  })

  it('flags bad, repeated and existing UUIDs, repeated source ids, unknown and inactive datasets', async () => {
    const dup = randomUUID()
    const ds = f.dataset.uuid
    const rows = [
      HEADER,
      line(randomUUID(), 'a1', ds), // 2 valid
      line('not-a-uuid', 'a2', ds), // 3 INVALID_UUID
      line(dup, 'a3', ds), // 4 DUPLICATE_UUID
      line(dup, 'a4', ds), // 5 DUPLICATE_UUID
      line(existing, 'a5', ds), // 6 EXISTING_UUID
      line(randomUUID(), 'a1', ds), // 7 DUPLICATE_ENTITY_SOURCE_PK (with 2)
      line(randomUUID(), 'a7', randomUUID()), // 8 DATASET_NOT_FOUND
      line(randomUUID(), 'a8', inactive), // 9 DATASET_NOT_ACTIVE
      line(randomUUID(), 'a9', 'jdd?'), // 10 INVALID_UUID on jdd
      line('', '', ds), // 11 valid: a UUID is generated
      line(occtax, 'a12', ds), // 12 EXISTING_UUID (another module's observation)
    ]
    const { id } = await f.upload('ids.csv', delimited(rows, ','))
    await f.mapFields(id, FIELDS)
    const counts = await f.check(id)
    expect(await f.errors(id)).toEqual([
      { code: 'DATASET_NOT_ACTIVE', level: 'ERROR', column: 'jdd', rows: [9] },
      { code: 'DATASET_NOT_FOUND', level: 'ERROR', column: 'jdd', rows: [8] },
      { code: 'DUPLICATE_ENTITY_SOURCE_PK', level: 'ERROR', column: 'id_origine', rows: [2, 7] },
      { code: 'DUPLICATE_UUID', level: 'ERROR', column: 'uuid', rows: [4, 5] },
      { code: 'EXISTING_UUID', level: 'ERROR', column: 'uuid', rows: [6, 12] },
      { code: 'INVALID_UUID', level: 'ERROR', column: 'jdd', rows: [10] },
      { code: 'INVALID_UUID', level: 'ERROR', column: 'uuid', rows: [3] },
    ])
    expect(counts).toMatchObject({ rows: 11, valid: 1, errors: 10, warnings: 0 })
    const { rows: valid } = await f.pool.query(
      `SELECT line, unique_id_sinp IS NOT NULL AS uuid FROM import.rows_${id} WHERE valid`,
    )
    expect(valid).toEqual([{ line: 11, uuid: true }])

    // Updating existing observations: EXISTING_UUID becomes a warning (the line stays valid) for an observation
    // of an import, not for another module's.
    await f.pool.query('UPDATE import.imports SET update_existing = true WHERE id = $1', [id])
    const again = await f.check(id)
    expect((await f.errors(id)).filter((e) => e.code === 'EXISTING_UUID')).toEqual([
      { code: 'EXISTING_UUID', level: 'ERROR', column: 'uuid', rows: [12] },
      { code: 'EXISTING_UUID', level: 'WARNING', column: 'uuid', rows: [6] },
    ])
    expect(again).toMatchObject({ rows: 11, valid: 2, errors: 9, warnings: 1 })
  })

  it('refuses datasets outside the owner’s IMPORT C scope (DATASET_NOT_AUTHORIZED), and checks the import’s own dataset', async () => {
    await createUser(f.pool, { login: 'mine', organism: DEMO_ORGANISM, grants: importGrants(1) })
    const cookie = await loginAs(f.t.app, 'mine')
    const { payload, headers } = multipartBody({
      filename: 'ds.csv',
      content: delimited(
        [HEADER, line(randomUUID(), 'b1', f.dataset.uuid), line(randomUUID(), 'b2', '')],
        ';',
      ),
    })
    const up = await f.t.app.inject({
      method: 'POST',
      url: '/api/import/imports',
      headers: { ...headers, cookie },
      payload,
    })
    expect(up.statusCode, up.body).toBe(201)
    const { id } = up.json() as { id: number }
    const map = await f.t.app.inject({
      method: 'PUT',
      url: `/api/import/imports/${id}/field-mapping`,
      headers: { cookie },
      payload: { fields: FIELDS },
    })
    expect(map.statusCode, map.body).toBe(200)
    await checkImport(f.pool, id, async () => undefined, undefined, { uploadDir: f.uploadDir })
    expect(await f.errors(id)).toEqual([
      { code: 'DATASET_NOT_AUTHORIZED', level: 'ERROR', column: 'jdd', rows: [2] },
      { code: 'MISSING_VALUE', level: 'ERROR', column: 'jdd', rows: [3] },
    ])

    // The import's own dataset applies to lines without one, and is checked too.
    await f.pool.query('UPDATE import.imports SET dataset_id = $2 WHERE id = $1', [id, f.dataset.id])
    await checkImport(f.pool, id, async () => undefined, undefined, { uploadDir: f.uploadDir })
    expect(await f.errors(id)).toEqual([
      { code: 'DATASET_NOT_AUTHORIZED', level: 'ERROR', column: 'jdd', rows: [2, 3] },
    ])
  })
})
