import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { createUser, DEMO_PASSWORD } from '@biodiv/core/testing'
import type { Page } from 'playwright-core'
import { describe, expect, it } from 'vitest'
import { byTest, login, openApp, screenshot, textOf, useRunningPlatform } from './helpers/index.ts'

// Uploads in a folder of their own; the jobs pause a moment so that their progress bars can be seen.
const dir = mkdtempSync(join(tmpdir(), 'import-browser-'))
writeFileSync(
  join(dir, 'modules.json'),
  JSON.stringify({ IMPORT: { testPauseCheckMs: 1500, testPauseFinalizeMs: 1500 } }),
)
const platform = useRunningPlatform({
  env: { UPLOAD_DIR: join(dir, 'uploads'), MODULES_CONFIG_FILE: join(dir, 'modules.json') },
})

/** A GeoNature synthese export (its 80 columns) of 13 rows, 4 of them wrong (lines 7, 9, 11, 13). */
const FIXTURE = fileURLToPath(new URL('../fixtures/import/geonature-export-with-errors.csv', import.meta.url))
/** The same file sent again by the partner with one place name corrected (same UUIDs). */
const CORRECTED = join(dir, 'geonature-export-corrected.csv')
writeFileSync(
  CORRECTED,
  readFileSync(FIXTURE, 'utf-8').replace('Combe de Narreyroux', 'Combe de Narreyroux (corrigé)'),
)
/** Two GeoJSON features (a point, a line) with GeoNature export property names. */
const GEOJSON = fileURLToPath(new URL('../fixtures/import/observations.geojson', import.meta.url))
const VALID_LINES = '2, 3, 4, 5, 6, 8, 10, 12, 14'
const MAPPING_NAME = 'Partenaire LPO (export GeoNature)'

const wizard = (page: Page) => byTest(page, 'import-wizard')

/** From the list: a new import of that file into the demo fauna dataset, its decoding confirmed. Returns its id. */
async function uploadAndDecode(page: Page, file: string, shot?: string): Promise<number> {
  await byTest(page, 'import-new').click()
  await page.waitForURL('**/import/new')
  await byTest(page, 'import-file').setInputFiles(file)
  const dataset = byTest(page, 'import-dataset')
  await dataset
    .locator('option', { hasText: 'Observations opportunistes faune' })
    .waitFor({ state: 'attached' })
  await dataset.selectOption({ label: 'Observations opportunistes faune' })
  if (shot) await screenshot(page, `${shot}-upload`)
  await byTest(page, 'import-upload').click()
  await page.waitForURL(/\/import\/imports\/\d+$/)
  await expect(wizard(page).getAttribute('data-step')).resolves.toBe('decode')

  // Detected UTF-8 and ";", the header and the first rows; WGS 84 confirmed.
  const decode = byTest(page, 'import-decode')
  await expect(byTest(decode, 'import-encoding').inputValue()).resolves.toBe('utf-8')
  await expect(byTest(decode, 'import-separator').inputValue()).resolves.toBe(';')
  await expect(textOf(byTest(decode, 'import-sample'))).resolves.toContain('Combe de Narreyroux')
  const headerCells = byTest(decode, 'import-sample').locator('th')
  const columns = await headerCells.count()
  expect(columns).toBeGreaterThan(70)
  if (shot) {
    // Read again with another separator: the step stays, the sample changes; then back to ";".
    await byTest(decode, 'import-separator').selectOption(',')
    await byTest(decode, 'import-decode-preview').click()
    await expect.poll(() => headerCells.count()).toBe(1)
    await expect(wizard(page).getAttribute('data-step')).resolves.toBe('decode')
    await byTest(decode, 'import-separator').selectOption(';')
    await byTest(decode, 'import-decode-preview').click()
    await expect.poll(() => headerCells.count()).toBe(columns)
  }
  await byTest(decode, 'import-srid').selectOption('4326')
  if (shot) await screenshot(page, `${shot}-decode`)
  await byTest(decode, 'import-decode-confirm').click()
  await expect.poll(() => wizard(page).getAttribute('data-step')).toBe('fields')
  return Number(page.url().split('/').pop())
}

/** Starts the checks, sees their progress bar, waits for the report. */
async function runChecks(page: Page, shot?: string): Promise<void> {
  await expect.poll(() => wizard(page).getAttribute('data-step')).toBe('check')
  const check = byTest(page, 'import-check')
  await byTest(check, 'import-check-start').click()
  await byTest(check, 'import-progress').waitFor()
  if (shot) await screenshot(page, shot)
  await expect.poll(() => wizard(page).getAttribute('data-step'), { timeout: 30_000 }).toBe('report')
}

const countFromSource = async (source: string) =>
  (
    await platform.server.app.db.pool.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM gn_synthese.synthese s JOIN gn_synthese.sources src ON src.id = s.id_source
        WHERE src.name = $1`,
      [source],
    )
  ).rows[0]?.n

/** JSON calls to the running server as a user (session cookie from the login). */
async function apiAs(login: string) {
  const base = platform.server.baseUrl
  const auth = await fetch(`${base}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ login, password: DEMO_PASSWORD }),
  })
  const cookie = auth.headers
    .getSetCookie()
    .find((c) => c.startsWith('biodiv_session='))!
    .split(';')[0]!
  return async <T>(method: string, url: string, body?: unknown): Promise<T> => {
    const response = await fetch(`${base}${url}`, {
      method,
      headers: { cookie, ...(body instanceof FormData ? {} : { 'content-type': 'application/json' }) },
      body: body instanceof FormData ? body : body === undefined ? undefined : JSON.stringify(body),
    })
    if (!response.ok) throw new Error(`${method} ${url}: ${response.status} ${await response.text()}`)
    return (await response.json()) as T
  }
}

describe('Import wizard', () => {
  it('a data manager uploads a GeoNature export with bad rows, maps it with the preset, sees the errors and the valid rows, imports, finds them in the Synthèse, re-imports corrected data as updates, then undoes', async () => {
    const { page, errors, close } = await openApp(platform.browser, platform.server.baseUrl)
    const { pool } = platform.server.app.db
    try {
      await page.goto('/')
      await page.waitForURL('**/login')
      await login(page, 'admin', DEMO_PASSWORD)
      await page.locator('[data-module="IMPORT"]').click()
      await page.waitForURL('**/import')
      await byTest(page, 'import-empty').waitFor()

      // An empty file is refused, in French, and nothing is kept.
      await byTest(page, 'import-new').click()
      await byTest(page, 'import-file').setInputFiles({
        name: 'vide.csv',
        mimeType: 'text/csv',
        buffer: Buffer.from(''),
      })
      await byTest(page, 'import-upload').click()
      await expect
        .poll(() => textOf(byTest(page, 'import-error')))
        .toBe('Le fichier est vide (aucune ligne de données).')
      await page.getByRole('link', { name: 'Annuler' }).click()
      await byTest(page, 'import-empty').waitFor()

      const importId = await uploadAndDecode(page, FIXTURE, 'import')

      // Field mapping with the "GeoNature synthese export" preset: every required field found in the header.
      const fields = byTest(page, 'import-fields')
      await byTest(fields, 'import-mapping-select').selectOption({ label: 'GeoNature synthese export' })
      await byTest(fields, 'import-mapping-match').waitFor()
      const source = (field: string) => fields.locator(`[data-test="field-source"][data-field="${field}"]`)
      await expect(source('cdNom').inputValue()).resolves.toBe('cd_nom')
      await expect(source('dateMin').inputValue()).resolves.toBe('date_debut')
      await expect(source('wkt').inputValue()).resolves.toBe('geometrie_wkt_4326')
      await expect(source('uniqueIdSinp').inputValue()).resolves.toBe('uuid_perm_sinp')
      await expect(byTest(fields, 'import-missing-required').count()).resolves.toBe(0)
      await screenshot(page, 'import-fields')

      // Saved under a name of its own, private.
      await byTest(fields, 'import-mapping-save').locator('summary').click()
      await byTest(fields, 'import-mapping-name').fill(MAPPING_NAME)
      await byTest(fields, 'import-mapping-save-button').click()
      await byTest(fields, 'import-mapping-saved').waitFor()
      const saved = await pool.query<{ is_public: boolean }>(
        'SELECT is_public FROM import.mappings WHERE name = $1',
        [MAPPING_NAME],
      )
      expect(saved.rows).toEqual([{ is_public: false }])

      await byTest(fields, 'import-fields-confirm').click()
      await expect.poll(() => wizard(page).getAttribute('data-status')).toBe('field_mapped')

      // Reopened from the list, the import resumes where its status left it: the values of the nomenclatures.
      await byTest(page, 'import-back').click()
      await page.waitForURL('**/import')
      const row = page.locator(`[data-test="import-row"][data-id="${importId}"]`)
      await expect(row.getAttribute('data-status')).resolves.toBe('field_mapped')
      await byTest(row, 'import-open').click()
      await page.waitForURL(`**/import/imports/${importId}`)
      await expect.poll(() => wizard(page).getAttribute('data-step')).toBe('content')

      // Content mapping: the export's SINP labels are recognised; its one unknown value is highlighted and mapped,
      // and the values are kept in the saved mapping for the next files.
      const content = byTest(page, 'import-content')
      await byTest(content, 'content-field').first().waitFor()
      const technique = content.locator('[data-test="content-field"][data-field="obsTechnique"]')
      await expect(byTest(technique, 'content-code').inputValue()).resolves.toBe('0')
      const unmapped = content.locator('[data-test="content-value"][data-unmapped]')
      await expect(unmapped.count()).resolves.toBe(1)
      await expect(unmapped.getAttribute('data-value')).resolves.toBe('Observations')
      await expect(textOf(byTest(content, 'import-content-unmapped'))).resolves.toContain('« Observations »')
      await screenshot(page, 'import-content')
      await byTest(unmapped, 'content-code').selectOption('OBS')
      await expect(unmapped.count()).resolves.toBe(0)
      await byTest(content, 'import-content-save').click()
      await content.getByRole('status').waitFor()
      await byTest(content, 'import-content-confirm').click()

      // Checks: a background job whose progress is shown while it runs (the job pauses 1.5 s for the test).
      await runChecks(page, 'import-check-progress')

      // Report: 13 rows, 9 valid; each error with its code, column and line numbers (header = line 1).
      const report = byTest(page, 'import-report')
      await expect(textOf(byTest(report, 'import-count-rows'))).resolves.toBe('13')
      await expect(textOf(byTest(report, 'import-count-valid'))).resolves.toBe('9')
      await expect(textOf(byTest(report, 'import-count-invalid'))).resolves.toBe('4')
      const errorRow = (code: string, column: string) =>
        report.locator(`[data-test="import-error-row"][data-code="${code}"][data-column="${column}"]`)
      for (const [code, column, line] of [
        ['INVALID_DATE', 'date_debut', '7'],
        ['INVALID_DATE', 'date_fin', '7'],
        ['CD_NOM_NOT_FOUND', 'cd_nom', '9'],
        ['COUNT_MIN_SUP_COUNT_MAX', 'nombre_min', '11'],
        ['INVALID_WKT', 'geometrie_wkt_4326', '13'],
      ] as const) {
        const group = errorRow(code, column)
        await expect(group.getAttribute('data-level')).resolves.toBe('ERROR')
        await expect(textOf(byTest(group, 'import-error-lines'))).resolves.toBe(line)
      }
      await expect(report.locator('[data-test="import-error-row"]').count()).resolves.toBe(5)
      // The failing rows as a CSV download, with their line numbers and errors.
      const [download] = await Promise.all([
        page.waitForEvent('download'),
        byTest(report, 'import-invalid-rows').click(),
      ])
      const csv = await readFile((await download.path())!, 'utf-8')
      expect(csv.split('\r\n').filter((l) => l !== '')).toHaveLength(5)
      expect(csv).toContain('INVALID_WKT')

      // The valid rows on the map, with their extent.
      await expect
        .poll(() => textOf(byTest(report, 'import-preview-summary')))
        .toMatch(/^9 observation\(s\) affichée\(s\) sur 9 valide\(s\) · emprise/)
      await expect.poll(() => byTest(report, 'import-preview').getAttribute('data-features')).toBe('9')
      await screenshot(page, 'import-report')
      await byTest(report, 'import-preview').scrollIntoViewIfNeeded()
      await screenshot(page, 'import-preview')

      // Finalize: progress, then the rows are in the synthese with this import as source.
      await byTest(report, 'import-finalize').click()
      await byTest(report, 'import-progress').waitFor()
      await screenshot(page, 'import-finalize-progress')
      await expect.poll(() => wizard(page).getAttribute('data-step'), { timeout: 30_000 }).toBe('done')
      const done = byTest(page, 'import-done')
      await expect(textOf(byTest(done, 'import-done-summary'))).resolves.toMatch(/^9 observations ajoutées/)
      expect(await countFromSource(`IMPORT:${importId}`)).toBe(9)
      await screenshot(page, 'import-done')

      // The Synthèse, filtered on this import: its 9 rows.
      await byTest(done, 'import-synthese-link').click()
      await page.waitForURL(`**/synthese?import=${importId}`)
      await expect.poll(() => page.locator('[data-test="synthese-row"]').count(), { timeout: 15_000 }).toBe(9)
      await expect(textOf(page.locator('[data-test="synthese-row"]').first())).resolves.toContain('Lynx lynx')
      await expect(textOf(byTest(page, 'filter-import'))).resolves.toContain(`l’import n° ${importId}`)
      await screenshot(page, 'import-synthese')

      // The partner sends the file again, corrected: the saved mapping fills fields and values at once.
      await page.locator('[data-module="IMPORT"]').click()
      await page.waitForURL('**/import')
      const again = await uploadAndDecode(page, CORRECTED)
      const mappingOption = fields.locator('option', { hasText: MAPPING_NAME })
      await byTest(fields, 'import-mapping-select').selectOption(
        (await mappingOption.getAttribute('value')) ?? '',
      )
      await byTest(fields, 'import-mapping-match').waitFor()
      await byTest(fields, 'import-fields-confirm').click()
      await expect.poll(() => wizard(page).getAttribute('data-step')).toBe('content')
      await byTest(content, 'import-content-complete').waitFor()
      await byTest(content, 'import-content-confirm').click()

      // Checked as new data, the already imported rows are EXISTING_UUID errors: nothing to import.
      await runChecks(page)
      await expect(textOf(byTest(report, 'import-count-valid'))).resolves.toBe('0')
      await expect(
        textOf(byTest(errorRow('EXISTING_UUID', 'uuid_perm_sinp'), 'import-error-lines')),
      ).resolves.toBe(VALID_LINES)
      await expect(byTest(report, 'import-finalize').isDisabled()).resolves.toBe(true)

      // With "update existing observations", the check runs again and the import updates them.
      await byTest(report, 'import-update-existing').check()
      await expect(textOf(byTest(report, 'import-finalize'))).resolves.toBe(
        'Contrôler à nouveau puis importer',
      )
      await screenshot(page, 'import-update-existing')
      await byTest(report, 'import-finalize').click()
      await expect.poll(() => wizard(page).getAttribute('data-step'), { timeout: 30_000 }).toBe('done')
      await expect(textOf(byTest(done, 'import-done-summary'))).resolves.toMatch(/^9 observations ajoutées/)
      const corrected = await pool.query<{ place_name: string }>(
        `SELECT place_name FROM gn_synthese.synthese WHERE unique_id_sinp = '5b0c1e2a-7f3d-4c6b-9a1e-000000000001'`,
      )
      expect(corrected.rows).toEqual([{ place_name: 'Combe de Narreyroux (corrigé)' }])
      // Updated observations stay with the import that created them.
      expect(await countFromSource(`IMPORT:${importId}`)).toBe(9)

      // Undo of the re-import from its last step, confirmed; then of the first one from the list.
      await byTest(done, 'import-undo').click()
      await byTest(done, 'import-undo-confirm').click()
      await page.waitForURL('**/import')
      const first = page.locator(`[data-test="import-row"][data-id="${importId}"]`)
      await first.waitFor()
      await expect(page.locator(`[data-test="import-row"][data-id="${again}"]`).count()).resolves.toBe(0)
      await screenshot(page, 'import-list')
      await byTest(first, 'import-undo').click()
      await byTest(first, 'import-undo-confirm').click()
      await byTest(page, 'import-empty').waitFor()
      expect(await countFromSource(`IMPORT:${importId}`)).toBe(0)
      const imports = await pool.query('SELECT id FROM import.imports')
      expect(imports.rows).toEqual([])

      // The empty file's 400 is the one failed request Chromium logs.
      expect(errors.filter((e) => !e.includes('status of 400'))).toEqual([])
      expect(errors).toHaveLength(1)
    } finally {
      await close()
    }
  })

  it('a GeoJSON file: no separator to confirm, the geometry column mapped by hand, its features on the preview map', async () => {
    const { page, errors, close } = await openApp(platform.browser, platform.server.baseUrl)
    try {
      await page.goto('/login')
      await login(page, 'admin', DEMO_PASSWORD)
      await page.goto('/import/new')
      await byTest(page, 'import-file').setInputFiles(GEOJSON)
      const dataset = byTest(page, 'import-dataset')
      await dataset
        .locator('option', { hasText: 'Observations opportunistes faune' })
        .waitFor({ state: 'attached' })
      await dataset.selectOption({ label: 'Observations opportunistes faune' })
      await byTest(page, 'import-upload').click()
      await page.waitForURL(/\/import\/imports\/\d+$/)

      const decode = byTest(page, 'import-decode')
      await expect(byTest(decode, 'import-separator').count()).resolves.toBe(0)
      await expect(byTest(decode, 'import-encoding').isDisabled()).resolves.toBe(true)
      await expect(textOf(byTest(decode, 'import-sample'))).resolves.toContain('Rana temporaria')
      await byTest(decode, 'import-decode-confirm').click()
      await expect.poll(() => wizard(page).getAttribute('data-step')).toBe('fields')

      // The preset finds the properties; the geometry is the feature's, in the `geometry` column.
      const fields = byTest(page, 'import-fields')
      await byTest(fields, 'import-mapping-select').selectOption({ label: 'GeoNature synthese export' })
      await byTest(fields, 'import-mapping-match').waitFor()
      await byTest(fields, 'import-missing-required').waitFor()
      await expect(byTest(fields, 'import-fields-confirm').isDisabled()).resolves.toBe(true)
      await fields.locator('[data-test="field-source"][data-field="wkt"]').selectOption('geometry')
      await expect(byTest(fields, 'import-missing-required').count()).resolves.toBe(0)
      await byTest(fields, 'import-fields-confirm').click()

      // No nomenclature column: nothing to map, the defaults apply.
      await expect.poll(() => wizard(page).getAttribute('data-step')).toBe('content')
      await byTest(page, 'import-content-none').waitFor()
      await byTest(page, 'import-content-confirm').click()
      await runChecks(page)
      const report = byTest(page, 'import-report')
      await expect(textOf(byTest(report, 'import-count-valid'))).resolves.toBe('2')
      await byTest(report, 'import-no-error').waitFor()
      await expect.poll(() => byTest(report, 'import-preview').getAttribute('data-features')).toBe('2')
      await screenshot(page, 'import-geojson-report')
      expect(errors).toEqual([])
    } finally {
      await close()
    }
  })

  it('a reader sees an import’s report and map without being able to change it; a user of another organism sees no import', async () => {
    // The admin's import, checked through the API.
    const api = await apiAs('admin')
    const file = new FormData()
    file.append('file', new Blob([readFileSync(FIXTURE)], { type: 'text/csv' }), 'partenaire.csv')
    const { id } = await api<{ id: number }>('POST', '/api/import/imports', file)
    const { pool } = platform.server.app.db
    const dataset = await pool.query<{ id: number }>(
      `SELECT id FROM gn_meta.datasets WHERE name = 'Observations opportunistes faune'`,
    )
    await api('PUT', `/api/import/imports/${id}/decode`, {
      encoding: 'utf-8',
      separator: ';',
      srid: 4326,
      datasetId: dataset.rows[0]!.id,
    })
    const mappings = await api<{ id: number; name: string }[]>('GET', '/api/import/mappings')
    const preset = mappings.find((m) => m.name === 'GeoNature synthese export')!
    await api('PUT', `/api/import/imports/${id}/field-mapping`, { mappingId: preset.id })
    await api('PUT', `/api/import/imports/${id}/content-mapping`, {
      contentMapping: { grpTyp: { Observations: 'OBS' } },
    })
    await api('POST', `/api/import/imports/${id}/check`, {})
    await expect
      .poll(async () => (await api<{ status: string }>('GET', `/api/import/imports/${id}`)).status, {
        timeout: 30_000,
      })
      .toBe('checked')

    await createUser(pool, { login: 'lecteur', grants: [{ module: 'IMPORT', action: 'R', scope: 3 }] })
    await createUser(pool, {
      login: 'partenaire',
      organism: 'LPO Auvergne-Rhône-Alpes',
      grants: [
        { module: 'IMPORT', action: 'R', scope: 2 },
        { module: 'IMPORT', action: 'C', scope: 2 },
      ],
    })

    const reader = await openApp(platform.browser, platform.server.baseUrl)
    try {
      const { page } = reader
      await page.goto('/login')
      await login(page, 'lecteur', DEMO_PASSWORD)
      await page.goto('/import')
      await expect(byTest(page, 'import-new').count()).resolves.toBe(0)
      const row = page.locator(`[data-test="import-row"][data-id="${id}"]`)
      await expect(row.getAttribute('data-status')).resolves.toBe('checked')
      await expect(byTest(row, 'import-undo').count()).resolves.toBe(0)
      await byTest(row, 'import-open').click()
      await expect.poll(() => wizard(page).getAttribute('data-step')).toBe('report')
      await byTest(page, 'import-read-only').waitFor()
      const report = byTest(page, 'import-report')
      await expect(textOf(byTest(report, 'import-count-valid'))).resolves.toBe('9')
      await expect(report.locator('[data-test="import-error-row"]').count()).resolves.toBe(5)
      await expect.poll(() => byTest(report, 'import-preview').getAttribute('data-features')).toBe('9')
      await expect(byTest(report, 'import-finalize').isDisabled()).resolves.toBe(true)
      await expect(byTest(report, 'import-update-existing').isDisabled()).resolves.toBe(true)
      await screenshot(page, 'import-read-only')
      expect(reader.errors).toEqual([])
    } finally {
      await reader.close()
    }

    const partner = await openApp(platform.browser, platform.server.baseUrl)
    try {
      const { page } = partner
      await page.goto('/login')
      await login(page, 'partenaire', DEMO_PASSWORD)
      await page.goto('/import')
      await byTest(page, 'import-empty').waitFor()
      await byTest(page, 'import-new').waitFor()
      expect(partner.errors).toEqual([])
    } finally {
      await partner.close()
    }
  })
})
