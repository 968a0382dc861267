import { fileURLToPath } from 'node:url'
import { DEMO_PASSWORD } from '@biodiv/core/testing'
import { describe, expect, it } from 'vitest'
import { byTest, login, openApp, screenshot, textOf, useRunningPlatform } from './helpers/index.ts'

const platform = useRunningPlatform()

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

      // Reopened from the list, the import resumes where its status left it.
      await byTest(page, 'import-back').click()
      await page.waitForURL('**/import')
      const row = page.locator(`[data-test="import-row"][data-id="${importId}"]`)
      await expect(row.getAttribute('data-status')).resolves.toBe('field_mapped')
      await byTest(row, 'import-open').click()
      await page.waitForURL(`**/import/imports/${importId}`)
      await expect.poll(() => wizard.getAttribute('data-status')).toBe('field_mapped')

      expect(errors).toEqual([])
    } finally {
      await close()
    }
  })
})
