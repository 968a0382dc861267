import { randomUUID } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Database } from '@biodiv/core'
import { createTestApp, createUser, DEMO_ORGANISM, type TestApp } from '@biodiv/core/testing'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  type ChildServer,
  demoDatasetId,
  moduleConfigFile,
  startChildServer,
  waitFor,
} from './jobs-helpers.ts'

const ROWS = 3000
// Lines (as the user sees them, header = 1) with an unknown taxon or an unreadable date: ERRORs.
const BAD_TAXON = new Set([5, 77, 1500])
const BAD_DATE = new Set([9, 2999])

function csv(): string {
  const lines = ['uuid_perm_sinp;cd_nom;nom_cite;date_debut;geometrie_wkt_4326;nombre_min']
  for (let line = 2; line <= ROWS + 1; line++) {
    const cdNom = BAD_TAXON.has(line) ? '999999999' : line % 2 ? '351' : '60612'
    const date = BAD_DATE.has(line) ? '2024-13-45' : `2024-05-${String((line % 28) + 1).padStart(2, '0')}`
    const lon = (6 + (line % 100) / 1000).toFixed(4)
    lines.push(`${randomUUID()};${cdNom};Taxon ${line};${date};POINT(${lon} 44.8);${line % 7}`)
  }
  return `${lines.join('\n')}\n`
}

describe('import jobs survive kill -9: a check or finalize killed mid-way leaves nothing and is restarted', () => {
  let t: TestApp
  let pool: Database['pool']
  let uploadDir: string
  let server: ChildServer | undefined
  const env: Record<string, string> = {}

  beforeAll(async () => {
    uploadDir = await mkdtemp(join(tmpdir(), 'biodiv-import-kill-'))
    // In-process app: only for the database (assertions, user); its runner stays off.
    t = await createTestApp({ env: { MODULES_CONFIG_FILE: await moduleConfigFile({ runJobs: false }) } })
    pool = t.app.db.pool
    await createUser(pool, {
      login: 'importer',
      organism: DEMO_ORGANISM,
      grants: (['C', 'R', 'U', 'D'] as const).map((action) => ({ module: 'IMPORT', action, scope: 3 })),
    })
    Object.assign(env, { DATABASE_URL: t.databaseUrl, UPLOAD_DIR: uploadDir })
  })
  afterAll(async () => {
    await server?.kill()
    await t?.close()
    await rm(uploadDir, { recursive: true, force: true })
  })

  const boot = async (config: Record<string, number>) => {
    const file = await moduleConfigFile({ jobPollMs: 100, jobHeartbeatMs: 200, jobStaleMs: 1500, ...config })
    server = await startChildServer({ ...env, MODULES_CONFIG_FILE: file })
    const login = await fetch(`${server.baseUrl}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ login: 'importer', password: 'demo' }),
    })
    expect(login.status).toBe(200)
    const cookie = login.headers.getSetCookie()[0]!.split(';')[0]!
    const s = server
    return async (method: string, path: string, body?: object | FormData) => {
      const response = await fetch(`${s.baseUrl}/api/import${path}`, {
        method,
        headers: {
          cookie,
          ...(body && !(body instanceof FormData) ? { 'content-type': 'application/json' } : {}),
        },
        body: body instanceof FormData ? body : body ? JSON.stringify(body) : undefined,
      })
      // biome-ignore lint/suspicious/noExplicitAny: a JSON reply, read like app.inject's json()
      return { status: response.status, body: (await response.json()) as any }
    }
  }
  const job = async (id: number) =>
    (
      await pool.query(
        `SELECT status, step, progress, job_id, job_attempts, valid_count, imported_count,
                (SELECT count(*) FROM gn_synthese.synthese s JOIN gn_synthese.sources src ON src.id = s.id_source
                  WHERE src.name = 'IMPORT:' || i.id)::int AS observations,
                (SELECT count(*) FROM gn_synthese.sources WHERE name = 'IMPORT:' || i.id)::int AS sources
           FROM import.imports i WHERE id = $1`,
        [id],
      )
    ).rows[0]

  it('check killed after the load → restarted by the next process; finalize killed before COMMIT → nothing, then done', async () => {
    // 1. A process whose check stops after the load, long enough to be killed there.
    let api = await boot({ testPauseCheckMs: 120_000 })
    const form = new FormData()
    form.append('datasetId', String(await demoDatasetId(pool)))
    form.append('file', new Blob([csv()], { type: 'text/csv' }), 'observations.csv')
    const upload = await api('POST', '/imports', form)
    expect(upload.status, JSON.stringify(upload.body)).toBe(201)
    const id: number = upload.body.id
    const mapped = await api('PUT', `/imports/${id}/field-mapping`, {
      fields: {
        uniqueIdSinp: { column: 'uuid_perm_sinp' },
        cdNom: { column: 'cd_nom' },
        nomCite: { column: 'nom_cite' },
        dateMin: { column: 'date_debut' },
        wkt: { column: 'geometrie_wkt_4326' },
        countMin: { column: 'nombre_min' },
      },
    })
    expect(mapped.status, JSON.stringify(mapped.body)).toBe(200)
    expect((await api('POST', `/imports/${id}/check`)).status).toBe(202)
    await waitFor(
      async () => ((await job(id)).step === 'check' ? true : undefined),
      30_000,
      'the check to pause',
    )
    const raw = await pool.query(`SELECT count(*)::int AS n FROM import.rows_${id}`)
    expect(raw.rows[0].n).toBe(ROWS)
    await server!.kill()
    expect(await job(id)).toMatchObject({ status: 'checking', observations: 0, job_attempts: 1 })

    // 2. The next process restarts the abandoned check once its heartbeat is stale; its finalize stops before COMMIT.
    api = await boot({ testPauseFinalizeMs: 120_000 })
    const checked = await waitFor(
      async () => {
        const s = await job(id)
        return s.status === 'checking' ? undefined : s
      },
      60_000,
      'the restarted check',
    )
    expect(checked).toMatchObject({ status: 'checked', valid_count: ROWS - BAD_TAXON.size - BAD_DATE.size })
    expect((await api('POST', `/imports/${id}/finalize`)).status).toBe(202)
    // The INSERT is done when the job's connection idles inside its transaction (the pause).
    await waitFor(
      async () => {
        const { rows } = await pool.query(
          `SELECT count(*)::int AS n FROM pg_stat_activity
            WHERE datname = current_database() AND state = 'idle in transaction'`,
        )
        return rows[0].n > 0 && (await job(id)).step === 'insert' ? true : undefined
      },
      30_000,
      'the finalize to pause before COMMIT',
    )
    await server!.kill()
    // Killed inside the transaction: no synthese row, not even the source.
    await waitFor(
      async () => {
        const { rows } = await pool.query(
          `SELECT count(*)::int AS n FROM pg_stat_activity
            WHERE datname = current_database() AND state = 'idle in transaction'`,
        )
        return rows[0].n === 0 ? true : undefined
      },
      10_000,
      'the killed transaction to end',
    )
    expect(await job(id)).toMatchObject({ status: 'importing', observations: 0, sources: 0 })

    // 3. A third process finishes the finalize.
    api = await boot({})
    const done = await waitFor(
      async () => {
        const s = await job(id)
        return s.status === 'importing' ? undefined : s
      },
      60_000,
      'the restarted finalize',
    )
    const valid = ROWS - BAD_TAXON.size - BAD_DATE.size
    expect(done).toMatchObject({
      status: 'imported',
      imported_count: valid,
      observations: valid,
      job_id: null,
    })
    const shown = await api('GET', `/imports/${id}`)
    expect(shown.body).toMatchObject({ status: 'imported', counts: { rows: ROWS, valid, imported: valid } })
    await server!.stop()
    server = undefined
  }, 180_000)
})
