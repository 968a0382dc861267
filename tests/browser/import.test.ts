import { mkdtempSync, writeFileSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { DEMO_PASSWORD } from '@biodiv/core/testing'
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

describe('Import wizard', () => {
  it('a data manager uploads a GeoNature export with bad rows, maps it with the preset, sees the errors and the valid rows, imports, finds them in the Synthèse, then undoes', async () => {
    const { page, errors, close } = await openApp(platform.browser, platform.server.baseUrl)
    const { pool } = platform.server.app.db
    try {
      await page.goto('/')
      await page.waitForURL('**/login')
      await login(page, 'admin', DEMO_PASSWORD)
      await page.locator('[data-module="IMPORT"]').click()
      await page.waitForURL('**/import')
      await byTest(page, 'import-empty').waitFor()

      // Upload: the file and a dataset.
      await byTest(page, 'import-new').click()
      await page.waitForURL('**/import/new')
      await byTest(page, 'import-file').setInputFiles(FIXTURE)
      const dataset = byTest(page, 'import-dataset')
      await dataset
        .locator('option', { hasText: 'Observations opportunistes faune' })
        .waitFor({ state: 'attached' })
      await dataset.selectOption({ label: 'Observations opportunistes faune' })
      await screenshot(page, 'import-upload')
      await byTest(page, 'import-upload').click()
      await page.waitForURL(/\/import\/imports\/\d+$/)
      const importId = Number(page.url().split('/').pop())
      const wizard = byTest(page, 'import-wizard')
      await expect(wizard.getAttribute('data-step')).resolves.toBe('decode')

      // Decoding: detected UTF-8 and ";", the header and the first rows; WGS 84 confirmed.
      const decode = byTest(page, 'import-decode')
      await expect(byTest(decode, 'import-encoding').inputValue()).resolves.toBe('utf-8')
      await expect(byTest(decode, 'import-separator').inputValue()).resolves.toBe(';')
      await expect(textOf(byTest(decode, 'import-sample'))).resolves.toContain('Combe de Narreyroux')
      await byTest(decode, 'import-srid').selectOption('4326')
      await screenshot(page, 'import-decode')
      await byTest(decode, 'import-decode-confirm').click()
      await expect.poll(() => wizard.getAttribute('data-step')).toBe('fields')

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
      await byTest(fields, 'import-mapping-name').fill('Partenaire LPO (export GeoNature)')
      await byTest(fields, 'import-mapping-save-button').click()
      await byTest(fields, 'import-mapping-saved').waitFor()
      const saved = await pool.query<{ is_public: boolean }>(
        `SELECT is_public FROM import.mappings WHERE name = 'Partenaire LPO (export GeoNature)'`,
      )
      expect(saved.rows).toEqual([{ is_public: false }])

      await byTest(fields, 'import-fields-confirm').click()
      await expect.poll(() => wizard.getAttribute('data-status')).toBe('field_mapped')
      const stored = await pool.query<{ status: string }>('SELECT status FROM import.imports WHERE id = $1', [
        importId,
      ])
      expect(stored.rows[0]?.status).toBe('field_mapped')

      // Reopened from the list, the import resumes where its status left it: the values of the nomenclatures.
      await byTest(page, 'import-back').click()
      await page.waitForURL('**/import')
      const row = page.locator(`[data-test="import-row"][data-id="${importId}"]`)
      await expect(row.getAttribute('data-status')).resolves.toBe('field_mapped')
      await byTest(row, 'import-open').click()
      await page.waitForURL(`**/import/imports/${importId}`)
      await expect.poll(() => wizard.getAttribute('data-step')).toBe('content')

      // Content mapping: the export's SINP labels are recognised; its one unknown value is highlighted and mapped.
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
      await byTest(content, 'import-content-confirm').click()
      await expect.poll(() => wizard.getAttribute('data-step')).toBe('check')

      // Checks: a background job whose progress is shown while it runs (the job pauses 1.5 s for the test).
      const check = byTest(page, 'import-check')
      await byTest(check, 'import-check-start').click()
      await byTest(check, 'import-progress').waitFor()
      await screenshot(page, 'import-check-progress')
      await expect.poll(() => wizard.getAttribute('data-step'), { timeout: 30_000 }).toBe('report')

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
      await byTest(report, 'import-errors').scrollIntoViewIfNeeded()
      await screenshot(page, 'import-errors')

      // Finalize: progress, then the rows are in the synthese with this import as source.
      await byTest(report, 'import-finalize').click()
      await byTest(report, 'import-progress').waitFor()
      await screenshot(page, 'import-finalize-progress')
      await expect.poll(() => wizard.getAttribute('data-step'), { timeout: 30_000 }).toBe('done')
      const done = byTest(page, 'import-done')
      await expect(textOf(byTest(done, 'import-done-summary'))).resolves.toMatch(/^9 observations ajoutées/)
      const inSynthese = await pool.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM gn_synthese.synthese s JOIN gn_synthese.sources src ON src.id = s.id_source
          WHERE src.name = $1`,
        [`IMPORT:${importId}`],
      )
      expect(inSynthese.rows[0]?.n).toBe(9)
      await screenshot(page, 'import-done')

      // The Synthèse, filtered on this import: its 9 rows.
      await byTest(done, 'import-synthese-link').click()
      await page.waitForURL(`**/synthese?import=${importId}`)
      await expect.poll(() => page.locator('[data-test="synthese-row"]').count(), { timeout: 15_000 }).toBe(9)
      await expect(textOf(page.locator('[data-test="synthese-row"]').first())).resolves.toContain('Lynx lynx')
      await screenshot(page, 'import-synthese')

      // Undo, confirmed: the import and its observations are gone.
      await page.goBack()
      await page.waitForURL(`**/import/imports/${importId}`)
      await byTest(page, 'import-undo').click()
      await byTest(page, 'import-undo-confirm').click()
      await page.waitForURL('**/import')
      await byTest(page, 'import-empty').waitFor()
      const left = await pool.query<{ n: number }>(
        `SELECT (SELECT count(*) FROM gn_synthese.synthese s JOIN gn_synthese.sources src ON src.id = s.id_source
                  WHERE src.name = $1)::int
              + (SELECT count(*) FROM import.imports WHERE id = $2)::int AS n`,
        [`IMPORT:${importId}`, importId],
      )
      expect(left.rows[0]?.n).toBe(0)

      expect(errors).toEqual([])
    } finally {
      await close()
    }
  })
})
