import { DEMO_PASSWORD } from '@biodiv/core/testing'
import { describe, expect, it } from 'vitest'
import { addTaxon, byTest, login, openApp, screenshot, textOf, useRunningPlatform } from './helpers/index.ts'

const platform = useRunningPlatform()

describe('from the field to the Synthese', () => {
  it('an observer enters a relevé with two taxa on the map, then finds it in the Synthèse map, list and sheet', async () => {
    const { page, errors, close } = await openApp(platform.browser, platform.server.baseUrl)
    const { pool } = platform.server.app.db
    try {
      await page.goto('/')
      await page.waitForURL('**/login')
      await login(page, 'observer', DEMO_PASSWORD)

      // Occtax: a point drawn on the map, the observer's dataset, a lynx and a frog.
      await page.locator('[data-module="OCCTAX"]').click()
      await page.waitForURL('**/occtax')
      await byTest(page, 'releve-new').click()
      const form = byTest(page, 'releve-form')
      await form.waitFor()
      await byTest(form, 'geometry-draw-point').click()
      const box = (await page.locator('.ol-viewport').boundingBox())!
      await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2)
      await expect(textOf(byTest(form, 'geometry-summary'))).resolves.toMatch(/^Point /)
      await byTest(form, 'releve-dataset').selectOption({ index: 1 })
      const lynx = await addTaxon(page, 'lynx', 'Lynx lynx')
      await byTest(lynx, 'counting-min').fill('2')
      await byTest(lynx, 'counting-max').fill('3')
      await addTaxon(page, 'grenouille', 'Rana temporaria')
      await byTest(form, 'releve-save').click()
      await page.waitForURL(/\/occtax\/releves\/\d+$/)
      const releveId = Number(await byTest(page, 'releve-view').getAttribute('data-id'))

      const { rows } = await pool.query<{ id: string; cd_nom: number }>(
        `SELECT s.id, s.cd_nom FROM gn_synthese.synthese s
           JOIN occtax.releves r ON r.uuid = s.unique_id_sinp_grp
          WHERE r.id = $1 ORDER BY s.cd_nom`,
        [releveId],
      )
      expect(rows.map((r) => r.cd_nom)).toEqual([351, 60612])
      const lynxId = rows.find((r) => r.cd_nom === 60612)!.id

      // The Synthèse, filtered on the lynx: its row in the list, its point on the map's tiles.
      await page.locator('a[href="/synthese"]').first().click()
      await page.waitForURL('**/synthese**')
      await page.goto('/synthese?taxon=60612')
      const row = page.locator(`[data-test="synthese-row"][data-id="${lynxId}"]`)
      await row.waitFor()
      await expect(textOf(row)).resolves.toContain('Lynx lynx')
      const legend = byTest(page, 'synthese-legend')
      await expect
        .poll(async () => Number(await legend.getAttribute('data-tile-features')), { timeout: 15_000 })
        .toBeGreaterThan(0)

      // Its sheet: the taxon, the counts, the link back to the relevé in Occtax.
      await row.click()
      const sheet = byTest(page, 'observation-sheet')
      await sheet.waitFor()
      await expect(sheet.getAttribute('data-id')).resolves.toBe(String(lynxId))
      await expect.poll(() => textOf(sheet)).toContain('Lynx lynx')
      await screenshot(page, 'occtax-to-synthese-sheet')
      await byTest(sheet, 'observation-source-link').click()
      await page.waitForURL(`**/occtax/releves/${releveId}`)
      await byTest(page, 'releve-view').waitFor()
      expect(errors).toEqual([])
    } finally {
      await close()
    }
  })
})
