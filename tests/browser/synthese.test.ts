import { randomUUID } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import { type SyntheseRowInput, upsertSyntheseRows, withTransaction } from '@biodiv/core'
import { DEMO_PASSWORD } from '@biodiv/core/testing'
import type { Response } from 'playwright-core'
import { beforeAll, describe, expect, it } from 'vitest'
import { login, mapState, openApp, screenshot, textOf, useRunningPlatform } from './helpers/index.ts'

const platform = useRunningPlatform()

/** 55 Rana temporaria (two pages of 50), a lynx, and a frog of a dataset the agent's organism may not read. */
async function seedObservations(): Promise<{ ranaIds: number[]; lynxId: number }> {
  const pool = platform.server.app.db.pool
  const { rows } = await pool.query(
    `SELECT (SELECT id FROM gn_meta.datasets WHERE short_name = 'Faune opportuniste PNE') AS pne,
            (SELECT id FROM gn_meta.datasets WHERE short_name = 'Oiseaux LPO 05') AS lpo`,
  )
  const { pne, lpo } = rows[0] as { pne: number; lpo: number }
  const row = (i: number, r: Partial<SyntheseRowInput>): SyntheseRowInput =>
    ({
      uniqueIdSinp: randomUUID(),
      entitySourcePkValue: String(i),
      datasetId: pne,
      cdNom: 351,
      nomCite: 'Grenouille rousse',
      dateMin: `2024-05-${String(1 + (i % 28)).padStart(2, '0')}T08:00:00Z`,
      observers: 'Marie Martin',
      geometry: { type: 'Point', coordinates: [6.1 + (i % 11) * 0.02, 44.75 + Math.floor(i / 11) * 0.02] },
      ...r,
    }) as SyntheseRowInput
  const source = { name: 'OCCTAX', moduleCode: 'OCCTAX', urlTemplate: '/occtax/releves/{pk}' }
  const result = await withTransaction(pool, (client) =>
    upsertSyntheseRows(client, source, [
      ...Array.from({ length: 55 }, (_, i) => row(i + 1, {})),
      row(100, {
        cdNom: 60612,
        nomCite: 'Lynx boréal',
        observers: 'Jean Dupont',
        validStatus: '1',
        geometry: { type: 'Point', coordinates: [6.2, 44.8] },
      }),
      row(101, { datasetId: lpo, observers: 'Hors périmètre' }),
    ]),
  )
  const ids = result.rows.map((r) => r.id)
  return { ranaIds: ids.slice(0, 55), lynxId: ids[55]! }
}

describe('the Synthèse page', () => {
  let seeded: { ranaIds: number[]; lynxId: number }
  beforeAll(async () => {
    seeded = await seedObservations()
  })

  it('filters by taxon (kept in the URL), pages, opens a sheet, maps the layer and exports CSV', async () => {
    const { ranaIds } = seeded
    const { page, errors, close } = await openApp(platform.browser, platform.server.baseUrl)
    const tileResponses: Response[] = []
    page.on('response', (response) => {
      if (response.url().includes('/api/synthese/tiles/')) tileResponses.push(response)
    })
    try {
      await page.goto('/')
      await page.waitForURL('**/login')
      await login(page, 'agent', DEMO_PASSWORD)
      await page
        .getByRole('navigation', { name: 'Menu principal' })
        .locator('[data-core-page="SYNTHESE"]')
        .click()
      await page.waitForURL('**/synthese')
      await page.getByRole('heading', { name: 'Synthèse' }).waitFor()
      // Unfiltered: the agent's organism's 56 observations, not the partner's one.
      await expect.poll(() => page.locator('[data-test="synthese-row"]').count()).toBe(50)
      await expect(textOf(page.locator('[data-test="synthese-count"]'))).resolves.toBe(
        '1–50 sur 50+ observations',
      )

      // Filter by taxon through the autocomplete.
      const filters = page.locator('[data-test="synthese-filters"]')
      await filters.locator('[data-test="filter-taxon"]').fill('Rana temp')
      await filters.locator('[data-option="351"]').click()
      await filters.locator('[data-chip="351"]').waitFor()
      await filters.locator('[data-test="filter-observer"]').fill('martin')
      await filters.locator('[data-test="filter-search"]').click()
      await page.waitForURL((url) => url.searchParams.get('taxon') === '351')
      expect(new URL(page.url()).searchParams.get('observer')).toBe('martin')
      await expect
        .poll(() => textOf(page.locator('[data-test="synthese-count"]')))
        .toBe('1–50 sur 50+ observations')
      const rows = page.locator('[data-test="synthese-row"]')
      await expect(rows.count()).resolves.toBe(50)
      await expect(textOf(rows.first())).resolves.toContain('Rana temporaria')
      expect(await rows.first().getAttribute('data-id')).toBe(String(ranaIds[54]))

      // Next page by the cursor, then back.
      await page.locator('[data-test="synthese-next"]').click()
      await expect.poll(() => rows.count()).toBe(5)
      await expect(textOf(page.locator('[data-test="synthese-count"]'))).resolves.toBe(
        '51–55 sur 55 observations',
      )
      await expect(page.locator('[data-test="synthese-next"]').isDisabled()).resolves.toBe(true)
      await page.locator('[data-test="synthese-prev"]').click()
      await expect.poll(() => rows.count()).toBe(50)
      await expect(page.locator('[data-test="synthese-prev"]').isDisabled()).resolves.toBe(true)

      // The map shows the filtered observation tiles.
      const state = await mapState(page)
      expect(state.width).toBeGreaterThan(300)
      expect(state.canvases).toBeGreaterThan(0)
      await expect
        .poll(() => tileResponses.filter((r) => new URL(r.url()).searchParams.get('taxon') === '351').length)
        .toBeGreaterThan(0)
      // Grid cells (count per cell) come from the tiles of the filtered observations.
      await expect.poll(() => tileResponses.some((r) => r.status() === 200)).toBe(true)
      const legend = page.locator('[data-test="synthese-legend"]')
      await expect
        .poll(async () => Number(await legend.getAttribute('data-tile-features')))
        .toBeGreaterThan(0)
      await expect(legend.getAttribute('data-mode')).resolves.toBe('grid')

      // Open a sheet from a row: deep link ?sheet=<id>.
      const target = rows.nth(2)
      const id = await target.getAttribute('data-id')
      await target.click()
      const sheet = page.locator('[data-test="observation-sheet"]')
      await sheet.waitFor()
      await page.waitForURL((url) => url.searchParams.get('sheet') === id)
      await expect.poll(() => textOf(sheet)).toContain('Grenouille rousse')
      const sheetText = await textOf(sheet)
      expect(sheetText).toContain('Rana temporaria')
      expect(sheetText).toContain('Observations opportunistes faune')
      expect(sheetText).toContain('Marie Martin')
      expect(sheetText).toContain('En attente de validation')
      expect(await sheet.locator('[data-test="observation-source-link"]').getAttribute('href')).toMatch(
        /^\/occtax\/releves\/\d+$/,
      )
      await screenshot(page, 'synthese-sheet')

      // Reload: the filters and the sheet come back from the URL.
      await page.reload()
      await page.locator('[data-test="synthese-filters"] [data-chip="351"]').waitFor()
      await expect.poll(() => textOf(page.locator('[data-chip="351"]'))).toContain('Rana temporaria')
      await expect(page.locator('[data-test="filter-observer"]').inputValue()).resolves.toBe('martin')
      await expect.poll(() => rows.count()).toBe(50)
      await expect(page.locator('[data-test="observation-sheet"]').getAttribute('data-id')).resolves.toBe(id)
      await page.locator('[data-test="observation-sheet-close"]').click()
      await page.waitForURL((url) => !url.searchParams.has('sheet'))
      expect(new URL(page.url()).searchParams.get('taxon')).toBe('351')
      await screenshot(page, 'synthese')

      // CSV export of the current filters: every matching row, not only the page.
      const [download] = await Promise.all([
        page.waitForEvent('download'),
        page.locator('[data-test="export-csv"]').click(),
      ])
      expect(download.suggestedFilename()).toMatch(/^synthese_\d{4}-\d{2}-\d{2}\.csv$/)
      const path = await download.path()
      const csv = await readFile(path, 'utf8')
      const lines = csv
        .replace(/^\uFEFF/, '')
        .trimEnd()
        .split('\r\n')
      expect(lines[0]).toMatch(/^id_synthese;/)
      expect(lines).toHaveLength(56)
      await expect.poll(() => textOf(page.locator('[data-test="export-done"]'))).toMatch(/55 observations/)

      // GeoJSON too: a FeatureCollection of the same rows.
      const [geoDownload] = await Promise.all([
        page.waitForEvent('download'),
        page.locator('[data-test="export-geojson"]').click(),
      ])
      expect(geoDownload.suggestedFilename()).toMatch(/\.geojson$/)
      const collection = JSON.parse(await readFile(await geoDownload.path(), 'utf8'))
      expect(collection.type).toBe('FeatureCollection')
      expect(collection.features).toHaveLength(55)
      expect(collection.features[0].properties.cd_nom).toBe(351)

      // Reset clears the filters from the URL.
      await page.locator('[data-test="filter-reset"]').click()
      await page.waitForURL((url) => !url.searchParams.has('taxon'))
      await expect.poll(() => page.locator('[data-chip]').count()).toBe(0)

      // A polygon drawn on the map becomes the geometry filter.
      await page.locator('[data-test="filter-draw"]').click()
      await page.locator('[data-test="synthese-map"]').scrollIntoViewIfNeeded()
      const box = (await page.locator('[data-test="synthese-map"] .ol-viewport').boundingBox())!
      const at = (dx: number, dy: number) => ({
        x: box.x + box.width / 2 + dx,
        y: box.y + box.height / 2 + dy,
      })
      for (const p of [at(-80, -80), at(120, -80), at(120, 60)]) await page.mouse.click(p.x, p.y)
      const last = at(-80, 60)
      await page.mouse.click(last.x, last.y)
      await page.mouse.dblclick(last.x, last.y)
      await page.locator('[data-test="filter-draw-clear"]').waitFor()
      await page.locator('[data-test="filter-search"]').click()
      await page.waitForURL((url) => url.searchParams.has('geometry'))
      const drawn = JSON.parse(new URL(page.url()).searchParams.get('geometry')!)
      expect(drawn.type).toBe('Polygon')
      expect(drawn.coordinates[0].length).toBeGreaterThanOrEqual(5)
      await expect.poll(() => textOf(page.locator('[data-test="synthese-count"]'))).toMatch(/observation/)
      await screenshot(page, 'synthese-polygon')

      // "Voir sur la carte" fits the page's observations: close enough for points coloured by status.
      await page.locator('[data-test="synthese-fit"]').click()
      await expect.poll(() => legend.getAttribute('data-mode')).toBe('points')
      await expect
        .poll(async () => Number(await legend.getAttribute('data-tile-features')))
        .toBeGreaterThan(0)
      await page.waitForTimeout(500) // the fit animation
      await screenshot(page, 'synthese-points')

      expect(errors).toEqual([])
    } finally {
      await close()
    }
  })

  it('hides the exports without the E grant and works without access to the metadata', async () => {
    const pool = platform.server.app.db.pool
    await pool.query(
      `INSERT INTO core.users (login, password_hash, organism_id)
       SELECT 'lecteur-synthese', password_hash, organism_id FROM core.users WHERE login = 'agent'`,
    )
    await pool.query(
      `INSERT INTO core.permissions (user_id, module_code, action, scope)
       SELECT id, 'SYNTHESE', 'R', 2 FROM core.users WHERE login = 'lecteur-synthese'`,
    )
    const { page, errors, close } = await openApp(platform.browser, platform.server.baseUrl)
    try {
      await page.goto('/synthese?taxon=60612')
      await page.waitForURL('**/login**')
      await login(page, 'lecteur-synthese', DEMO_PASSWORD)
      await page.waitForURL('**/synthese?taxon=60612')
      const menu = page.getByRole('navigation', { name: 'Menu principal' })
      await menu.locator('[data-core-page="SYNTHESE"]').waitFor()
      await expect(menu.locator('[data-core-page="METADATA"]').count()).resolves.toBe(0)
      const rows = page.locator('[data-test="synthese-row"]')
      await expect.poll(() => rows.count()).toBe(1)
      await expect(textOf(rows.first())).resolves.toContain('Lynx lynx')
      expect(await rows.first().getAttribute('data-id')).toBe(String(seeded.lynxId))
      await expect(page.locator('[data-test="export-csv"]').count()).resolves.toBe(0)
      await expect(page.locator('[data-test="export-geojson"]').count()).resolves.toBe(0)
      // Centred on its only observation, a click on the map opens its sheet.
      await page.locator('[data-test="synthese-fit"]').click()
      const legend = page.locator('[data-test="synthese-legend"]')
      await expect.poll(() => legend.getAttribute('data-mode')).toBe('points')
      await page.waitForTimeout(600) // the fit animation
      const box = (await page.locator('[data-test="synthese-map"] .ol-viewport').boundingBox())!
      await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2)
      await page.waitForURL((url) => url.searchParams.get('sheet') === String(seeded.lynxId))
      await expect
        .poll(() => textOf(page.locator('[data-test="observation-sheet"]')))
        .toContain('Lynx boréal')
      await expect(textOf(page.locator('[data-test="observation-sheet-status"]'))).resolves.toBe(
        'Certain - très probable',
      )
      await screenshot(page, 'synthese-map-click')
      await page.keyboard.press('Escape')
      await page.waitForURL((url) => !url.searchParams.has('sheet'))

      // No METADATA grant, yet the dataset select offers the datasets of the SYNTHESE scope (the agent's organism's),
      // not the others.
      const options = page.locator('[data-test="filter-dataset"] option')
      await expect.poll(() => options.allTextContents()).toContain('Observations opportunistes faune')
      expect(await options.allTextContents()).not.toContain('Oiseaux observés en Hautes-Alpes')
      expect(errors).toEqual([])
    } finally {
      await close()
    }
  })
})
