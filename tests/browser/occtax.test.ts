import { DEMO_PASSWORD } from '@biodiv/core/testing'
import type { Locator } from 'playwright-core'
import { describe, expect, it } from 'vitest'
import {
  addTaxon,
  byTest,
  login,
  mapState,
  openApp,
  screenshot,
  textOf,
  useRunningPlatform,
} from './helpers/index.ts'

const platform = useRunningPlatform()

async function setCounting(occurrence: Locator, index: number, min: number, max: number): Promise<void> {
  await byTest(occurrence, 'counting-min').nth(index).fill(String(min))
  await byTest(occurrence, 'counting-max').nth(index).fill(String(max))
}

describe('Occtax: entering a relevé', () => {
  it('lets an observer draw, fill, save, edit and delete a relevé with two taxa', async () => {
    const { page, errors, close } = await openApp(platform.browser, platform.server.baseUrl)
    const { pool } = platform.server.app.db
    try {
      await page.goto('/')
      await page.waitForURL('**/login')
      await login(page, 'observer', DEMO_PASSWORD)
      await page.locator('[data-module="OCCTAX"]').click()
      await page.waitForURL('**/occtax')
      await byTest(page, 'releve-list').waitFor({ state: 'attached' })
      expect((await mapState(page)).width).toBeGreaterThan(0)

      // A new relevé: the observer is already listed, the date is today.
      await byTest(page, 'releve-new').click()
      await page.waitForURL('**/occtax/releves/new')
      const form = byTest(page, 'releve-form')
      await form.waitFor()
      await expect(textOf(byTest(form, 'observer-chip'))).resolves.toContain('Observateur Démo')
      await expect(byTest(form, 'releve-date-min').inputValue()).resolves.toMatch(/^\d{4}-\d{2}-\d{2}$/)

      // Saving an empty relevé is stopped in the browser, each problem on its field.
      await byTest(form, 'releve-save').click()
      for (const field of ['geometry', 'occurrences']) {
        await form.locator(`[data-test="field-error"][data-field="${field}"]`).waitFor()
      }

      // First a bow-tie polygon: the browser lets it through, the server refuses it on the geometry field.
      await byTest(form, 'geometry-draw-polygon').click()
      const box = (await page.locator('.ol-viewport').boundingBox())!
      const cx = box.x + box.width / 2
      const cy = box.y + box.height / 2
      for (const [dx, dy] of [
        [-60, -60],
        [60, 60],
        [60, -60],
        [-60, 60],
        [-60, -60],
      ] as const) {
        await page.mouse.click(cx + dx, cy + dy)
        await page.waitForTimeout(150) // two quick clicks would be a double-click
      }
      await expect(textOf(byTest(form, 'geometry-summary'))).resolves.toBe('Polygone de 4 sommets')

      await byTest(form, 'releve-dataset').selectOption({ index: 1 })
      // A second observer from the autocomplete, next to the signed-in one.
      await byTest(form, 'releve-observer-input').fill('agent')
      await byTest(form, 'observer-option').filter({ hasText: 'Agent Démo' }).click()
      await expect(byTest(form, 'observer-chip').count()).resolves.toBe(2)
      await form.getByLabel('Lieu-dit').fill('Lac de l’Eychauda')
      // Two taxa from the autocomplete, the lynx with two countings.
      const lynx = await addTaxon(page, 'lynx', 'Lynx lynx')
      await setCounting(lynx, 0, 1, 2)
      await byTest(lynx, 'add-counting').click()
      await setCounting(lynx, 1, 1, 1)
      const frog = await addTaxon(page, 'grenouille', 'Rana temporaria')
      // Nomenclatures are narrowed to the taxon: an amphibian's life stages include tadpoles, a lynx's do not.
      const stages = (occurrence: Locator) =>
        occurrence.locator('[data-nomenclature="STADE_VIE"]').first().locator('option').allTextContents()
      await expect.poll(async () => (await stages(frog)).join('|')).toMatch(/Têtard/i)
      expect((await stages(lynx)).join('|')).not.toMatch(/Têtard/i)

      // A count range upside down is refused on its field.
      await setCounting(frog, 0, 12, 5)
      await byTest(form, 'releve-save').click()
      await form
        .locator('[data-test="field-error"][data-field="occurrences[1].countings[0].countMax"]')
        .waitFor()
      await setCounting(frog, 0, 5, 12)
      await lynx.scrollIntoViewIfNeeded()
      await screenshot(page, 'occtax-form-taxa')
      await byTest(form, 'releve-save').click()
      const geometryError = form.locator('[data-test="field-error"][data-field="geometry"]')
      await expect(textOf(geometryError)).resolves.toMatch(/Géométrie invalide : Self-intersection/)
      await expect(page.url()).toMatch(/\/releves\/new$/)

      // Redrawn as a point (below the polygon); its coordinates appear in the WGS 84 and Lambert-93 fields.
      await byTest(form, 'geometry-draw-point').click()
      await page.mouse.click(cx, cy + 120)
      await expect(textOf(byTest(form, 'geometry-summary'))).resolves.toMatch(/^Point /)
      await expect(geometryError.count()).resolves.toBe(0)
      const lon = Number(await byTest(form, 'geometry-lon').inputValue())
      const lat = Number(await byTest(form, 'geometry-lat').inputValue())
      expect(lon).toBeGreaterThan(5.5)
      expect(lon).toBeLessThan(7)
      expect(lat).toBeGreaterThan(44.3)
      expect(lat).toBeLessThan(45.4)
      expect(Number(await byTest(form, 'geometry-x').inputValue())).toBeGreaterThan(900_000)
      await screenshot(page, 'occtax-form')

      await byTest(form, 'releve-save').click()
      await page.waitForURL(/\/occtax\/releves\/\d+$/)
      const view = byTest(page, 'releve-view')
      await view.waitFor()
      const id = Number(await view.getAttribute('data-id'))
      await expect(byTest(view, 'occurrence').count()).resolves.toBe(2)
      await expect(textOf(view)).resolves.toContain('Lac de l’Eychauda')
      const observers = (await textOf(byTest(view, 'releve-view-observers'))).split(', ').sort()
      expect(observers).toEqual(['Agent Démo', 'Observateur Démo'])
      await screenshot(page, 'occtax-releve')

      // Every counting is one synthese row of the relevé.
      const syntheseCounts = async () =>
        (
          await pool.query<{ count_min: number; count_max: number }>(
            `SELECT s.count_min, s.count_max FROM gn_synthese.synthese s
               JOIN occtax.releves r ON r.uuid = s.unique_id_sinp_grp
              WHERE r.id = $1 ORDER BY s.count_max, s.count_min`,
            [id],
          )
        ).rows
      await expect(syntheseCounts()).resolves.toEqual([
        { count_min: 1, count_max: 1 },
        { count_min: 1, count_max: 2 },
        { count_min: 5, count_max: 12 },
      ])

      // In the list, newest first.
      await page.getByRole('link', { name: /Tous les relevés/ }).click()
      await page.waitForURL('**/occtax')
      const row = page.locator(`[data-test="releve-row"][data-id="${id}"]`)
      await row.waitFor()
      await expect(byTest(page, 'releve-row').first().getAttribute('data-id')).resolves.toBe(String(id))
      await expect(textOf(row)).resolves.toMatch(/Lynx lynx.*Rana temporaria|Rana temporaria.*Lynx lynx/)
      await screenshot(page, 'occtax-list')

      // Edit: the frog count changes, the other countings keep their synthese rows.
      await row.click()
      await page.waitForURL(`**/occtax/releves/${id}`)
      await byTest(page, 'releve-edit').click()
      await page.waitForURL(`**/occtax/releves/${id}/edit`)
      const editForm = byTest(page, 'releve-form')
      const frogAgain = editForm.locator('[data-test="occurrence"][data-cd-nom="351"]')
      await expect(byTest(frogAgain, 'counting-max').inputValue()).resolves.toBe('12')
      await byTest(frogAgain, 'counting-max').fill('20')
      // The point moved by typing its coordinates (applied when the field is left).
      await byTest(editForm, 'geometry-lon').fill('6.3')
      await byTest(editForm, 'geometry-lat').fill('44.9')
      await byTest(editForm, 'geometry-lat').press('Tab')
      await expect(textOf(byTest(editForm, 'geometry-summary'))).resolves.toBe('Point 6.30000, 44.90000')
      await byTest(editForm, 'releve-save').click()
      await page.waitForURL(`**/occtax/releves/${id}`)
      await expect.poll(() => textOf(byTest(page, 'releve-view'))).toContain('5 – 20')
      await expect(textOf(byTest(page, 'releve-view'))).resolves.toContain('Point 6.30000, 44.90000')
      await expect(syntheseCounts()).resolves.toEqual([
        { count_min: 1, count_max: 1 },
        { count_min: 1, count_max: 2 },
        { count_min: 5, count_max: 20 },
      ])

      // Delete, after confirming: gone from the list and from the synthese.
      await byTest(page, 'releve-delete').click()
      await byTest(page, 'releve-delete-confirm').click()
      await page.waitForURL('**/occtax')
      await byTest(page, 'releve-list').waitFor({ state: 'attached' })
      await expect(page.locator(`[data-test="releve-row"][data-id="${id}"]`).count()).resolves.toBe(0)
      await expect(syntheseCounts()).resolves.toEqual([])
      expect(errors.filter((e) => !e.includes('status of 400'))).toEqual([])
    } finally {
      await close()
    }
  })
})
