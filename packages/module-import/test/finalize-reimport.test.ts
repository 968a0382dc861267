import { randomUUID } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Database } from '@biodiv/core'
import { createTestApp, createUser, DEMO_ORGANISM, loginAs, type TestApp } from '@biodiv/core/testing'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { multipartBody } from './helpers.ts'
import { demoDatasetId, moduleConfigFile, waitFor } from './jobs-helpers.ts'

const FIELDS = {
  uniqueIdSinp: { column: 'uuid_perm_sinp' },
  cdNom: { column: 'cd_nom' },
  nomCite: { column: 'nom_cite' },
  dateMin: { column: 'date_debut' },
  wkt: { column: 'geometrie_wkt_4326' },
  countMin: { column: 'nombre_min' },
}

describe('check → finalize → re-import with updateExisting → undo, on a pool of ONE connection (as embedded)', () => {
  let t: TestApp
  let pool: Database['pool']
  let uploadDir: string
  let cookie: string
  let datasetId: number

  beforeAll(async () => {
    uploadDir = await mkdtemp(join(tmpdir(), 'biodiv-import-reimport-'))
    const modules = await moduleConfigFile({ jobPollMs: 100, jobHeartbeatMs: 200 })
    t = await createTestApp({
      env: { UPLOAD_DIR: uploadDir, MODULES_CONFIG_FILE: modules, DATABASE_POOL_SIZE: '1' },
    })
    pool = t.app.db.pool
    await createUser(pool, {
      login: 'importer',
      organism: DEMO_ORGANISM,
      grants: (['C', 'R', 'U', 'D'] as const).map((action) => ({ module: 'IMPORT', action, scope: 2 })),
    })
    cookie = await loginAs(t.app, 'importer')
    datasetId = await demoDatasetId(pool)
  })
  afterAll(async () => {
    await t?.close()
    await rm(uploadDir, { recursive: true, force: true })
  })

  const api = (method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, payload?: object) =>
    t.app.inject({ method, url: `/api/import${url}`, headers: { cookie }, ...(payload ? { payload } : {}) })
  const settled = (id: number) =>
    waitFor(
      async () => {
        const body = (await api('GET', `/imports/${id}`)).json()
        return ['checking', 'importing'].includes(body.status) ? undefined : body
      },
      30_000,
      `import ${id}'s job`,
    )
  async function uploaded(rows: [string, number][]): Promise<number> {
    const lines = ['uuid_perm_sinp,cd_nom,nom_cite,date_debut,geometrie_wkt_4326,nombre_min']
    for (const [uuid, count] of rows)
      lines.push(`${uuid},351,Rana temporaria,2024-05-01,POINT(6.2 44.8),${count}`)
    const { payload, headers } = multipartBody(
      { filename: 'obs.csv', content: `${lines.join('\n')}\n` },
      { datasetId: String(datasetId) },
    )
    const upload = await t.app.inject({
      method: 'POST',
      url: '/api/import/imports',
      headers: { ...headers, cookie },
      payload,
    })
    expect(upload.statusCode, upload.body).toBe(201)
    const id: number = upload.json().id
    expect((await api('PUT', `/imports/${id}/field-mapping`, { fields: FIELDS })).statusCode).toBe(200)
    return id
  }
  const countOf = async (uuid: string) =>
    (
      await pool.query(
        `SELECT s.count_min, src.name FROM gn_synthese.synthese s
           JOIN gn_synthese.sources src ON src.id = s.id_source WHERE s.unique_id_sinp = $1`,
        [uuid],
      )
    ).rows[0]

  it('runs the whole workflow; API requests keep being answered while the jobs share the connection', async () => {
    const [u1, u2, u3, u4] = [randomUUID(), randomUUID(), randomUUID(), randomUUID()]
    const first = await uploaded([
      [u1, 1],
      [u2, 1],
      [u3, 1],
    ])
    expect((await api('POST', `/imports/${first}/check`)).statusCode).toBe(202)
    // Requests during the job: answered (they wait for the connection between the job's statements).
    const during = await Promise.all(Array.from({ length: 5 }, () => api('GET', `/imports/${first}`)))
    expect(during.map((r) => r.statusCode)).toEqual([200, 200, 200, 200, 200])
    expect(await settled(first)).toMatchObject({ status: 'checked', counts: { rows: 3, valid: 3 } })
    expect((await api('POST', `/imports/${first}/finalize`)).statusCode).toBe(202)
    expect(await settled(first)).toMatchObject({ status: 'imported', counts: { imported: 3 } })
    expect(await countOf(u1)).toEqual({ count_min: 1, name: `IMPORT:${first}` })

    // Corrected data: u1 again (count 9) and a new u4. By default u1 is an EXISTING_UUID error.
    const second = await uploaded([
      [u1, 9],
      [u4, 2],
    ])
    await api('POST', `/imports/${second}/check`)
    expect(await settled(second)).toMatchObject({
      status: 'checked',
      counts: { rows: 2, valid: 1, errors: 1 },
    })
    // Finalize asking for updates: the check runs again (u1 becomes a warning), then the finalize.
    const finalize = await api('POST', `/imports/${second}/finalize`, { updateExisting: true })
    expect(finalize.json()).toMatchObject({ status: 'checking', updateExisting: true })
    expect(await settled(second)).toMatchObject({
      status: 'imported',
      updateExisting: true,
      counts: { rows: 2, valid: 2, errors: 0, warnings: 1, imported: 2 },
    })
    expect(await countOf(u1)).toEqual({ count_min: 9, name: `IMPORT:${first}` })
    expect(await countOf(u4)).toEqual({ count_min: 2, name: `IMPORT:${second}` })

    // Undo of the re-import: its new row goes, the observation it updated stays (with the corrected count).
    const undo = await api('DELETE', `/imports/${second}`)
    expect(undo.json()).toEqual({ id: second, deletedObservations: 1 })
    expect(await countOf(u4)).toBeUndefined()
    expect(await countOf(u1)).toEqual({ count_min: 9, name: `IMPORT:${first}` })
  })
})
