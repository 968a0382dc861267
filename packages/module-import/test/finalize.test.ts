import { randomUUID } from 'node:crypto'
import { mkdtemp, readdir, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Database } from '@biodiv/core'
import { createTestApp, createUser, DEMO_ORGANISM, loginAs, type TestApp } from '@biodiv/core/testing'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { multipartBody } from './helpers.ts'
import { demoDatasetId, moduleConfigFile, type StagedRow, stageRows, waitFor } from './jobs-helpers.ts'

describe('import finalize (background job, one transaction) and undo', () => {
  let t: TestApp
  let pool: Database['pool']
  let uploadDir: string
  let cookie: string
  let datasetId: number
  let ownerId: number

  beforeAll(async () => {
    uploadDir = await mkdtemp(join(tmpdir(), 'biodiv-import-finalize-'))
    const modules = await moduleConfigFile({ jobPollMs: 100, jobHeartbeatMs: 200 })
    t = await createTestApp({ env: { UPLOAD_DIR: uploadDir, MODULES_CONFIG_FILE: modules } })
    pool = t.app.db.pool
    ownerId = await createUser(pool, {
      login: 'importer',
      organism: DEMO_ORGANISM,
      grants: (['C', 'R', 'U', 'D'] as const).map((action) => ({ module: 'IMPORT', action, scope: 1 })),
    })
    cookie = await loginAs(t.app, 'importer')
    datasetId = await demoDatasetId(pool)
  })
  afterAll(async () => {
    await t?.close()
    await rm(uploadDir, { recursive: true, force: true })
  })

  const api = (method: 'GET' | 'POST' | 'DELETE', url: string, payload?: object) =>
    t.app.inject({ method, url: `/api/import${url}`, headers: { cookie }, ...(payload ? { payload } : {}) })

  /** An uploaded file, then "checked": the staging table the check step would leave, made by hand. */
  async function checkedImport(
    rows: Omit<StagedRow, 'datasetId'>[],
    updateExisting = false,
  ): Promise<number> {
    const { payload, headers } = multipartBody({ filename: 'obs.csv', content: 'cd_nom,statut\n351,\n' })
    const upload = await t.app.inject({
      method: 'POST',
      url: '/api/import/imports',
      headers: { ...headers, cookie },
      payload,
    })
    expect(upload.statusCode, upload.body).toBe(201)
    const id: number = upload.json().id
    await stageRows(
      pool,
      id,
      2,
      rows.map((r) => ({ ...r, datasetId })),
    )
    await pool.query(
      `UPDATE import.imports SET status = 'checked', field_mapping = '{"cdNom":{"column":"cd_nom"}}',
              update_existing = $3, row_count = $2, valid_count = $2, error_count = 0, warning_count = 0
        WHERE id = $1`,
      [id, rows.filter((r) => r.valid !== false).length, updateExisting],
    )
    return id
  }
  const finalized = (id: number) =>
    waitFor(
      async () => {
        const body = (await api('GET', `/imports/${id}`)).json()
        return ['imported', 'checked', 'failed'].includes(body.status) ? body : undefined
      },
      20_000,
      `import ${id} to end its finalize`,
    )
  const rowsOf = async (id: number) =>
    (
      await pool.query(
        `SELECT s.unique_id_sinp::text AS uuid, s.count_min, s.id_digitiser, s.entity_source_pk_value AS pk,
                src.url_template, src.module_code,
                (SELECT count(*) FROM gn_synthese.cor_area_synthese c WHERE c.id_synthese = s.id)::int AS areas
           FROM gn_synthese.synthese s JOIN gn_synthese.sources src ON src.id = s.id_source
          WHERE src.name = $1 ORDER BY s.entity_source_pk_value`,
        [`IMPORT:${id}`],
      )
    ).rows

  it('writes the valid rows into the synthese as source IMPORT:<id>, then the import is imported', async () => {
    const uuid = randomUUID()
    const id = await checkedImport([{ line: 2, uuid }, { line: 3 }, { line: 4, valid: false }])
    const queued = await api('POST', `/imports/${id}/finalize`, {})
    expect(queued.statusCode, queued.body).toBe(202)
    expect(queued.json()).toMatchObject({ status: 'importing', step: 'queued' })
    const done = await finalized(id)
    expect(done).toMatchObject({ status: 'imported', failure: null, counts: { imported: 2, valid: 2 } })
    expect(done.importedAt).toEqual(expect.any(String))
    const rows = await rowsOf(id)
    expect(rows.map((r) => r.pk)).toEqual(['2', '3'])
    expect(rows[0]).toMatchObject({
      uuid,
      id_digitiser: ownerId,
      module_code: 'IMPORT',
      url_template: `/import/imports/${id}`,
    })
    expect(rows[0].areas).toBeGreaterThan(0)
    // Finished: neither a second finalize nor a new check.
    expect((await api('POST', `/imports/${id}/finalize`, {})).json().error.code).toBe('IMPORT_FINALIZED')
    expect((await api('POST', `/imports/${id}/check`, {})).json().error.code).toBe('IMPORT_FINALIZED')
  })

  it('a finalize that fails writes nothing and leaves the import checked with the reason', async () => {
    const id = await checkedImport([{ line: 2 }, { line: 3, cdNom: 999_999_999 }])
    expect((await api('POST', `/imports/${id}/finalize`)).statusCode).toBe(202)
    const done = await finalized(id)
    expect(done).toMatchObject({ status: 'checked', failure: { step: 'finalize', code: 'JOB_FAILED' } })
    expect(done.failure.message).toMatch(/foreign key/)
    expect(await rowsOf(id)).toEqual([])
    const source = await pool.query('SELECT 1 FROM gn_synthese.sources WHERE name = $1', [`IMPORT:${id}`])
    expect(source.rows).toEqual([])
  })

  it('re-import: an existing UUID is skipped by default, updated with updateExisting (the row keeps its import)', async () => {
    const uuid = randomUUID()
    const first = await checkedImport([{ line: 2, uuid, countMin: 1 }])
    await api('POST', `/imports/${first}/finalize`)
    await finalized(first)

    const skipped = await checkedImport([{ line: 2, uuid, countMin: 5 }, { line: 3 }])
    await api('POST', `/imports/${skipped}/finalize`)
    expect((await finalized(skipped)).counts.imported).toBe(1)
    expect((await rowsOf(first))[0].count_min).toBe(1)

    const updating = await checkedImport([{ line: 2, uuid, countMin: 5 }, { line: 3 }], true)
    await api('POST', `/imports/${updating}/finalize`, { updateExisting: true })
    expect((await finalized(updating)).counts.imported).toBe(2)
    expect((await rowsOf(first))[0]).toMatchObject({ uuid, count_min: 5 })
    expect((await rowsOf(updating)).map((r) => r.pk)).toEqual(['3'])
  })

  it('finalize preconditions: checked, staged, some valid row; another updateExisting re-runs the check first', async () => {
    const id = await checkedImport([{ line: 2 }])
    await pool.query(`UPDATE import.imports SET status = 'field_mapped' WHERE id = $1`, [id])
    const notChecked = await api('POST', `/imports/${id}/finalize`)
    expect([notChecked.statusCode, notChecked.json().error.code]).toEqual([409, 'CHECK_NEEDED'])

    await pool.query(`UPDATE import.imports SET status = 'checked', valid_count = 0 WHERE id = $1`, [id])
    const none = await api('POST', `/imports/${id}/finalize`)
    expect([none.statusCode, none.json().error.code]).toEqual([400, 'NO_VALID_ROW'])

    await pool.query(`UPDATE import.imports SET valid_count = 1 WHERE id = $1`, [id])
    await pool.query(`DROP TABLE import.rows_${id}`)
    const unstaged = await api('POST', `/imports/${id}/finalize`)
    expect([unstaged.statusCode, unstaged.json().error.code]).toEqual([409, 'CHECK_NEEDED'])

    await stageRows(pool, id, 2, [{ line: 2, datasetId }])
    const recheck = await api('POST', `/imports/${id}/finalize`, { updateExisting: true })
    expect(recheck.statusCode, recheck.body).toBe(202)
    expect(recheck.json()).toMatchObject({ status: 'checking', updateExisting: true })
    await waitFor(async () => {
      const { rows } = await pool.query('SELECT status FROM import.imports WHERE id = $1', [id])
      return ['checking', 'importing'].includes(rows[0].status) ? undefined : true
    })

    // While a job runs (here: a runner elsewhere holds it), no undo.
    await pool.query(
      `UPDATE import.imports SET status = 'importing', job_id = 'elsewhere', job_heartbeat_at = now() + interval '1 hour'
        WHERE id = $1`,
      [id],
    )
    const busy = await api('DELETE', `/imports/${id}`)
    expect([busy.statusCode, busy.json().error.code]).toEqual([409, 'IMPORT_BUSY'])
    await pool.query(`UPDATE import.imports SET status = 'failed', job_id = NULL WHERE id = $1`, [id])
  })

  it('undo removes the synthese rows, the source, the staging table, the errors, the import and its file', async () => {
    const id = await checkedImport([{ line: 2 }, { line: 3 }, { line: 4, valid: false }])
    await pool.query(
      `INSERT INTO import.import_errors (import_id, code, level, column_name, line)
                      VALUES ($1, 'CD_NOM_NOT_FOUND', 'ERROR', 'cd_nom', 4)`,
      [id],
    )
    await api('POST', `/imports/${id}/finalize`)
    await finalized(id)
    const filePath = (await pool.query('SELECT file_path FROM import.imports WHERE id = $1', [id])).rows[0]
      .file_path
    expect(await readdir(join(uploadDir, 'import'))).toContain(filePath)

    const undo = await api('DELETE', `/imports/${id}`)
    expect(undo.statusCode, undo.body).toBe(200)
    expect(undo.json()).toEqual({ id, deletedObservations: 2 })
    expect(await rowsOf(id)).toEqual([])
    const left = await pool.query(
      `SELECT (SELECT count(*) FROM gn_synthese.sources WHERE name = $2)::int AS sources,
              (SELECT count(*) FROM import.import_errors WHERE import_id = $1)::int AS errors,
              (SELECT count(*) FROM import.imports WHERE id = $1)::int AS imports,
              to_regclass($3) AS staging`,
      [id, `IMPORT:${id}`, `import.rows_${id}`],
    )
    expect(left.rows[0]).toEqual({ sources: 0, errors: 0, imports: 0, staging: null })
    expect(await readdir(join(uploadDir, 'import'))).not.toContain(filePath)
    expect((await api('GET', `/imports/${id}`)).statusCode).toBe(404)
    expect((await api('DELETE', `/imports/${id}`)).statusCode).toBe(404)
  })
})
