import { DEMO_PASSWORD } from '@biodiv/core/testing'
import type { Page } from 'playwright-core'
import { beforeAll, describe, expect, it } from 'vitest'
import { addTaxon, byTest, login, openApp, screenshot, textOf, useRunningPlatform } from './helpers/index.ts'

const platform = useRunningPlatform()

const LYNX = 60612
/** Where the observer saw the lynx (WGS 84), inside the demo's INPN 10 km cells. */
const PLACE = { lon: 6.2, lat: 44.8 }

/** A JSON call to the running server, as a browser would make it (real HTTP, session cookie). */
async function http(method: string, path: string, cookie: string | null, body?: unknown) {
  const response = await fetch(`${platform.server.baseUrl}${path}`, {
    method,
    headers: {
      ...(cookie ? { cookie } : {}),
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  })
  const text = await response.text()
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${text}`)
  return { json: text ? JSON.parse(text) : null, response }
}

async function sessionCookie(login: string): Promise<string> {
  const { response } = await http('POST', '/api/auth/login', null, { login, password: DEMO_PASSWORD })
  return response.headers
    .getSetCookie()
    .map((c) => c.split(';')[0]!)
    .find((c) => c.startsWith('biodiv_session='))!
}

/** The lynx observation's row as the database holds it: level, expert flag, the area it is blurred to. */
async function lynxRow() {
  const { rows } = await platform.server.app.db.pool.query<{
    id: string
    dataset: number
    level: number
    manual: boolean
    blur: string | null
  }>(
    `SELECT s.id, s.id_dataset AS dataset, s.sensitivity_level AS level, s.sensitivity_manual AS manual,
            t.name || ' ' || a.area_name AS blur
       FROM gn_synthese.synthese s
       LEFT JOIN ref_geo.areas a ON a.id = s.id_area_blurred
       LEFT JOIN ref_geo.area_types t ON t.id = a.type_id
      WHERE s.cd_nom = $1`,
    [LYNX],
  )
  expect(rows).toHaveLength(1)
  return { ...rows[0]!, id: Number(rows[0]!.id) }
}

/** The Synthèse filtered on the lynx, the map fitted on the listed observation (close enough for points). */
async function syntheseOnLynx(page: Page, user: string): Promise<void> {
  await page.goto(`/synthese?taxon=${LYNX}`)
  await page.waitForURL('**/login**')
  await login(page, user, DEMO_PASSWORD)
  await page.waitForURL(`**/synthese?taxon=${LYNX}`)
  await expect.poll(() => byTest(page, 'synthese-row').count()).toBe(1)
  await byTest(page, 'synthese-fit').click()
  await expect.poll(() => byTest(page, 'synthese-legend').getAttribute('data-mode')).toBe('points')
}

const legendCount = async (page: Page, attribute: string) =>
  Number(await byTest(page, 'synthese-legend').getAttribute(attribute))

describe('sensitive observations in the UI', () => {
  beforeAll(async () => {
    const pool = platform.server.app.db.pool
    // The admin makes the lynx sensitive: level 2, blurred to the 10 km cell for whoever may not see it precisely.
    const admin = await sessionCookie('admin')
    const { json: created } = await http('POST', '/api/sensitivity/rules', admin, {
      cdNom: LYNX,
      level: 2,
      comment: 'Test : tanières et sites de reproduction',
    })
    expect(created.rule.level).toBe(2)
    // A partner reading every observation (SYNTHESE R, scope 3) without precise access to sensitive data.
    await pool.query(
      `INSERT INTO core.users (login, password_hash, organism_id)
       SELECT 'partenaire', password_hash, organism_id FROM core.users WHERE login = 'agent'`,
    )
    await pool.query(
      `INSERT INTO core.permissions (user_id, module_code, action, scope)
       SELECT id, 'SYNTHESE', 'R', 3 FROM core.users WHERE login = 'partenaire'`,
    )
  })

  it('the observer sees the level after saving; the admin sees the point, a partner the hatched cell; a validator sets the level', async () => {
    // 1. The observer enters a relevé with a lynx in Occtax; once saved, the relevé says how sensitive it is.
    const observer = await openApp(platform.browser, platform.server.baseUrl)
    try {
      const { page } = observer
      await page.goto('/occtax/releves/new')
      await page.waitForURL('**/login**')
      await login(page, 'observer', DEMO_PASSWORD)
      await page.waitForURL('**/occtax/releves/new')
      const form = byTest(page, 'releve-form')
      await form.waitFor()
      await byTest(form, 'geometry-lon').fill(String(PLACE.lon))
      await byTest(form, 'geometry-lat').fill(String(PLACE.lat))
      await byTest(form, 'geometry-lat').press('Tab')
      await expect.poll(() => textOf(byTest(form, 'geometry-summary'))).toMatch(/^Point /)
      await byTest(form, 'releve-dataset').selectOption({ index: 1 })
      await addTaxon(page, 'lynx', 'Lynx lynx')
      await byTest(form, 'releve-save').click()
      await page.waitForURL(/\/occtax\/releves\/\d+$/)
      const occurrence = byTest(byTest(page, 'releve-view'), 'occurrence')
      await expect
        .poll(() => textOf(byTest(occurrence, 'occurrence-sensitivity')))
        .toBe('Sensible (niveau 2 : maille 10 km)')
      await expect(textOf(byTest(occurrence, 'occurrence-sensitivity-note'))).resolves.toContain(
        'la voient floutée (maille 10 km) ; vous la voyez précise',
      )
      // One counting: its level is the occurrence's, no column of its own.
      await expect(byTest(occurrence, 'counting-sensitivity').count()).resolves.toBe(0)
      await screenshot(page, 'sensitivity-occtax-releve')
      expect(observer.errors).toEqual([])
    } finally {
      await observer.close()
    }
    const saved = await lynxRow()
    expect(saved.level).toBe(2)
    expect(saved.blur).toMatch(/^\S.* 10kmL93E\d{3}N\d{3}$/)

    // 2. The admin sees it precisely: a point at high zoom, no blurred area; the exact sheet.
    const admin = await openApp(platform.browser, platform.server.baseUrl)
    try {
      const { page } = admin
      await syntheseOnLynx(page, 'admin')
      const row = byTest(page, 'synthese-row')
      await expect(textOf(byTest(row, 'sensitivity-badge'))).resolves.toBe('Sensible 2')
      await expect(byTest(row, 'blurred-badge').count()).resolves.toBe(0)
      await expect.poll(() => legendCount(page, 'data-tile-points')).toBeGreaterThan(0)
      expect(await legendCount(page, 'data-tile-blurred')).toBe(0)
      expect(await byTest(page, 'legend-blurred').count()).toBe(0)
      await page.waitForTimeout(600) // the fit animation
      await screenshot(page, 'sensitivity-admin-map')

      await row.click()
      const sheet = byTest(page, 'observation-sheet')
      await expect.poll(() => textOf(sheet)).toContain('Lynx lynx')
      expect(await byTest(sheet, 'observation-sheet-blurred').count()).toBe(0)
      const block = byTest(sheet, 'observation-sheet-sensitivity')
      expect(await block.getAttribute('data-level')).toBe('2')
      await expect(textOf(block)).resolves.toContain('Sensible - Diffusion à la maille 10km')
      await expect(textOf(block)).resolves.toContain('précise pour vous')
      await expect(textOf(sheet)).resolves.toContain('Point · 44.80000 N, 6.20000 E')
      await screenshot(page, 'sensitivity-admin-sheet')
      expect(admin.errors).toEqual([])
    } finally {
      await admin.close()
    }

    // 3. The partner sees the hatched 10 km cell where the admin saw the point, never the point; the sheet says so.
    const partner = await openApp(platform.browser, platform.server.baseUrl)
    try {
      const { page } = partner
      await syntheseOnLynx(page, 'partenaire')
      const row = byTest(page, 'synthese-row')
      await expect(textOf(byTest(row, 'blurred-badge'))).resolves.toBe('Floutée')
      await expect(textOf(byTest(row, 'sensitivity-badge'))).resolves.toBe('Sensible 2')
      await expect.poll(() => legendCount(page, 'data-tile-blurred')).toBeGreaterThan(0)
      await expect(textOf(byTest(page, 'legend-blurred'))).resolves.toBe('Donnée floutée (zone)')
      // The map centred on the observer's place, at the zoom the admin had: the cell is there, no point.
      await page.waitForTimeout(600) // the fit animation
      await screenshot(page, 'sensitivity-blurred-map')
      expect(await legendCount(page, 'data-tile-points')).toBe(0)

      await row.click()
      const sheet = byTest(page, 'observation-sheet')
      await expect
        .poll(() => textOf(byTest(sheet, 'observation-sheet-blurred')))
        .toContain(`Localisation floutée : ${saved.blur}`)
      const block = byTest(sheet, 'observation-sheet-sensitivity')
      await expect(textOf(block)).resolves.toContain('Sensible - Diffusion à la maille 10km')
      await expect(textOf(sheet)).resolves.not.toContain('44.80000 N')
      await screenshot(page, 'sensitivity-blurred-sheet')
      await page.keyboard.press('Escape')
      await page.waitForURL((url) => !url.searchParams.has('sheet'))
      await page.waitForTimeout(400)
      await screenshot(page, 'sensitivity-blurred-sheet-closed')
      expect(partner.errors).toEqual([])

      // 4. A validator sets the level by expertise in the Validation module; refused first (the dataset closed to
      // validation meanwhile), then saved: the sheet shows the new level, set by an expert, and its history.
      const validator = await openApp(platform.browser, platform.server.baseUrl)
      try {
        const v = validator.page
        await v.goto(`/validation?taxon=${LYNX}&sheet=${saved.id}`)
        await v.waitForURL('**/login**')
        await login(v, 'admin', DEMO_PASSWORD)
        await v.waitForURL((url) => url.pathname === '/validation' && url.searchParams.has('sheet'))
        const vSheet = byTest(v, 'observation-sheet')
        await expect.poll(() => textOf(vSheet), { timeout: 15_000 }).toContain('Lynx lynx')
        await byTest(vSheet, 'sensitivity-adjust').click()
        const dialog = byTest(v, 'sensitivity-dialog')
        await dialog.waitFor()
        const options = (
          await dialog.locator('[data-test="sensitivity-level"] option').allTextContents()
        ).map((o) => o.trim())
        expect(options).toEqual([
          'Selon les règles',
          '0 – Non sensible - Diffusion précise',
          '1 – Sensible - Diffusion à la Commune ou Znieff',
          '2 – Sensible - Diffusion à la maille 10km',
          '3 – Sensible - Diffusion au département',
          '4 – Sensible - Aucune diffusion',
        ])
        await byTest(dialog, 'sensitivity-level').selectOption('3')
        // No comment: asked for in the browser, nothing sent.
        await byTest(dialog, 'sensitivity-submit').click()
        await expect
          .poll(() => textOf(byTest(dialog, 'sensitivity-error')))
          .toContain('le commentaire est obligatoire')
        await byTest(dialog, 'sensitivity-comment').fill('Tanière connue à proximité : au département')
        const pool = platform.server.app.db.pool
        await pool.query('UPDATE gn_meta.datasets SET validable = false WHERE id = $1', [saved.dataset])
        await byTest(dialog, 'sensitivity-submit').click()
        await expect
          .poll(() => textOf(byTest(dialog, 'sensitivity-error')))
          .toBe(
            'Cette observation est hors de votre périmètre de validation : sa sensibilité n’a pas été modifiée.',
          )
        await screenshot(v, 'sensitivity-validation-refused')
        expect((await lynxRow()).manual).toBe(false)

        await pool.query('UPDATE gn_meta.datasets SET validable = true WHERE id = $1', [saved.dataset])
        await byTest(dialog, 'sensitivity-submit').click()
        await dialog.waitFor({ state: 'detached' })
        const vBlock = byTest(vSheet, 'observation-sheet-sensitivity')
        await expect.poll(() => vBlock.getAttribute('data-level')).toBe('3')
        expect(await vBlock.getAttribute('data-manual')).toBe('true')
        await expect(textOf(byTest(vBlock, 'sensitivity-label'))).resolves.toBe(
          'Sensible - Diffusion au département',
        )
        await expect(textOf(byTest(vBlock, 'sensitivity-manual'))).resolves.toBe('fixée par un expert')
        const history = textOf(byTest(vBlock, 'sensitivity-history'))
        await expect(history).resolves.toContain('Sensible (niveau 3 : département) par expertise')
        await expect(history).resolves.toContain('Tanière connue à proximité : au département')
        await expect(history).resolves.toContain('selon les règles : niveau 2')
        await vBlock.scrollIntoViewIfNeeded()
        await screenshot(v, 'sensitivity-validation-sheet')
        // The one refusal the browser logged.
        expect(validator.errors).toEqual([
          expect.stringMatching(
            /status of 403 .*\/api\/validation\/observations\/[-0-9a-f]+\/sensitivity\)$/,
          ),
        ])
      } finally {
        await validator.close()
      }
      const changed = await lynxRow()
      expect(changed).toMatchObject({ level: 3, manual: true })
      expect(changed.blur).not.toBe(saved.blur)

      // The partner's sheet now shows the coarser blur (no département in the demo: the country).
      await page.goto(`/synthese?taxon=${LYNX}&sheet=${saved.id}`)
      await expect
        .poll(() => textOf(byTest(page, 'observation-sheet-blurred')))
        .toContain(`Localisation floutée : ${changed.blur}`)
      await expect(byTest(page, 'observation-sheet-sensitivity').getAttribute('data-level')).resolves.toBe(
        '3',
      )
      expect(partner.errors).toEqual([])
    } finally {
      await partner.close()
    }
  })
})
