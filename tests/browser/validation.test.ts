import { DEMO_PASSWORD } from '@biodiv/core/testing'
import { beforeAll, describe, expect, it } from 'vitest'
import { byTest, login, openApp, screenshot, textOf, useRunningPlatform } from './helpers/index.ts'

const platform = useRunningPlatform()

const LYNX = 60612
const RANA = 351
const ALBURNUS = 67111

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

/** The observer's session cookie and id, and their LPO dataset. */
async function observerSession() {
  const { response } = await http('POST', '/api/auth/login', null, {
    login: 'observer',
    password: DEMO_PASSWORD,
  })
  const cookie = response.headers
    .getSetCookie()
    .map((c) => c.split(';')[0]!)
    .find((c) => c.startsWith('biodiv_session='))!
  const me = (await http('GET', '/api/auth/me', cookie)).json as { id: number }
  const { rows } = await platform.server.app.db.pool.query<{ id: number }>(
    `SELECT id FROM gn_meta.datasets WHERE short_name = 'Oiseaux LPO 05'`,
  )
  return { cookie, userId: me.id, datasetId: rows[0]!.id }
}

/** The observer enters a relevé in Occtax at [lon, 44.8]: one occurrence per taxon, `countings` countings each. */
async function enterReleve(lon: number, taxa: number[], countings = 1): Promise<string> {
  const { cookie, userId, datasetId } = await observerSession()
  const body = {
    datasetId,
    observerIds: [userId],
    dateMin: '2026-06-12',
    geometry: { type: 'Point', coordinates: [lon, 44.8] },
    occurrences: taxa.map((cdNom) => ({
      cdNom,
      countings: Array.from({ length: countings }, (_, i) => ({ countMin: i + 1 })),
    })),
  }
  return (await http('POST', '/api/occtax/releves', cookie, body)).json.uuid
}

/** Two relevés of the observer (their LPO dataset): four observations, pending validation. */
async function observerEntersReleves(): Promise<{ syntheseIds: number[]; datasetId: number }> {
  const { datasetId } = await observerSession()
  const uuids = [await enterReleve(6.2, [LYNX, RANA]), await enterReleve(6.203, [LYNX, ALBURNUS])]
  const { rows: synthese } = await platform.server.app.db.pool.query<{ id: string }>(
    `SELECT s.id FROM gn_synthese.synthese s WHERE s.unique_id_sinp_grp = ANY($1::uuid[]) ORDER BY s.id`,
    [uuids],
  )
  return { syntheseIds: synthese.map((r) => Number(r.id)), datasetId }
}

describe('the Validation page', () => {
  let seeded: { syntheseIds: number[]; datasetId: number }
  beforeAll(async () => {
    seeded = await observerEntersReleves()
    expect(seeded.syntheseIds).toHaveLength(4)
  })

  it('a validator filters pending observations, gives three of them "Probable" with a comment; the map, list and sheet follow; the observer is notified', async () => {
    const pool = platform.server.app.db.pool
    const validator = await openApp(platform.browser, platform.server.baseUrl)
    const { page } = validator
    try {
      await page.goto('/')
      await page.waitForURL('**/login')
      await login(page, 'admin', DEMO_PASSWORD)
      await page.locator('[data-module="VALIDATION"]').click()
      await page.waitForURL('**/validation')
      await page.getByRole('heading', { name: 'Validation' }).waitFor()
      await expect(textOf(byTest(page, 'validation-status'))).resolves.toContain('Vous pouvez valider')

      // Pending observations only (kept in the URL).
      const filters = byTest(page, 'synthese-filters')
      await byTest(filters, 'filter-status').selectOption('0')
      await byTest(filters, 'filter-search').click()
      await page.waitForURL((url) => url.searchParams.get('status') === '0')
      const rows = byTest(page, 'validation-row')
      await expect.poll(() => rows.count()).toBe(4)
      await expect.poll(() => textOf(byTest(page, 'validation-count'))).toBe('1–4 sur 4 observations')
      for (const row of await rows.all()) expect(await row.getAttribute('data-status')).toBe('0')

      // The map, close enough for points: every point of the view is pending.
      const counts = byTest(page, 'validation-map-counts')
      await byTest(page, 'validation-fit').click()
      await expect.poll(() => counts.getAttribute('data-mode'), { timeout: 15_000 }).toBe('points')
      await expect.poll(() => counts.getAttribute('data-status-0'), { timeout: 15_000 }).toBe('4')
      expect(await counts.getAttribute('data-status-2')).toBeNull()
      await page.evaluate(() => window.scrollTo(0, 0))
      await screenshot(page, 'validation-pending')

      // Three ticked; the fourth stays pending.
      const chosen = [0, 1, 2]
      const chosenIds = await Promise.all(chosen.map((i) => rows.nth(i).getAttribute('data-id')))
      for (const i of chosen) await byTest(rows.nth(i), 'validation-select').check()
      await expect.poll(() => byTest(page, 'validation-selected').getAttribute('data-count')).toBe('3')
      await byTest(page, 'validation-open-dialog').click()
      const dialog = byTest(page, 'status-dialog')
      await dialog.waitFor()
      await expect(textOf(byTest(dialog, 'status-dialog-count'))).resolves.toBe(
        '3 observations sélectionnées.',
      )
      const labels = await dialog.locator('label[data-status]').allTextContents()
      expect(labels.map((l) => l.trim())).toEqual([
        'En attente de validation',
        'Certain - très probable',
        'Probable',
        'Douteux',
        'Invalide',
        'Non réalisable',
        'Inconnu',
      ])
      await dialog.locator('label[data-status="2"] input').check()
      await byTest(dialog, 'status-comment').fill('Photos vérifiées')

      // Meanwhile the dataset is closed to validation: refused, said in French, nothing changed.
      await pool.query('UPDATE gn_meta.datasets SET validable = false WHERE id = $1', [seeded.datasetId])
      await byTest(dialog, 'status-submit').click()
      await expect
        .poll(() => textOf(byTest(dialog, 'status-error')))
        .toBe('3 observations sont dans des jeux de données fermés à la validation : rien n’a été modifié.')
      await screenshot(page, 'validation-dialog-error')
      const { rows: untouched } = await pool.query(
        'SELECT count(*)::int AS n FROM gn_synthese.validation_history',
      )
      expect(untouched[0].n).toBe(0)

      // Reopened: the same request goes through.
      await pool.query('UPDATE gn_meta.datasets SET validable = true WHERE id = $1', [seeded.datasetId])
      await screenshot(page, 'validation-dialog')
      await byTest(dialog, 'status-submit').click()
      await dialog.waitFor({ state: 'detached' })
      const result = byTest(page, 'validation-result')
      await expect.poll(() => textOf(result)).toBe('3 observations sont passées au statut « Probable ».')

      // The list has only the pending one left; the map's points changed colour (new tiles after the change).
      await expect.poll(() => rows.count()).toBe(1)
      expect(chosenIds).not.toContain(await rows.first().getAttribute('data-id'))
      await expect.poll(() => counts.getAttribute('data-status-2'), { timeout: 15_000 }).toBe('3')
      expect(await counts.getAttribute('data-status-0')).toBe('1')
      await expect(textOf(counts)).resolves.toContain('3 Probable')
      await page.evaluate(() => window.scrollTo(0, 0))
      await screenshot(page, 'validation-after')

      // The probable ones, and one's sheet with its history.
      await byTest(filters, 'filter-status').selectOption('2')
      await byTest(filters, 'filter-search').click()
      await page.waitForURL((url) => url.searchParams.get('status') === '2')
      await expect.poll(() => rows.count()).toBe(3)
      const target = rows.first()
      const id = await target.getAttribute('data-id')
      expect(chosenIds).toContain(id)
      await expect(textOf(target)).resolves.toContain('Admin Démo')
      await target.locator('td').nth(1).click()
      await page.waitForURL((url) => url.searchParams.get('sheet') === id)
      const sheet = byTest(page, 'observation-sheet')
      const history = byTest(sheet, 'validation-history')
      await history.waitFor()
      await expect(history.locator('li').count()).resolves.toBe(1)
      const step = await textOf(history.locator('li').first())
      expect(step).toContain('Probable')
      expect(step).toContain('Admin Démo')
      expect(step).toContain('Photos vérifiées')
      await expect(textOf(byTest(sheet, 'observation-sheet-status'))).resolves.toBe('Probable')
      await screenshot(page, 'validation-sheet')
      // The one refused request (400, shown in the dialog) is the only error the console saw.
      expect(validator.errors).toEqual([expect.stringMatching(/status of 400 .*\/api\/validation\/statuses/)])
    } finally {
      await validator.close()
    }

    // The observer: one notification for the three, with the comment, in the bell.
    const observer = await openApp(platform.browser, platform.server.baseUrl)
    try {
      const { page: obsPage } = observer
      await obsPage.goto('/')
      await obsPage.waitForURL('**/login')
      await login(obsPage, 'observer', DEMO_PASSWORD)
      const badge = byTest(obsPage, 'notification-badge')
      await expect.poll(() => badge.getAttribute('data-count')).toBe('1')
      await byTest(obsPage, 'notification-bell').click()
      const item = byTest(obsPage, 'notification-item').first()
      await item.waitFor()
      await expect(item.getAttribute('data-unread')).resolves.toBe('true')
      const text = await textOf(item)
      expect(text).toContain('3 de vos observations sont passées au statut « Probable »')
      expect(text).toContain('Photos vérifiées')
      await screenshot(obsPage, 'validation-bell')

      // The observer may opt out of these notifications from the bell.
      await byTest(obsPage, 'notification-preferences-toggle').click()
      const preference = obsPage.locator(
        '[data-test="notification-preference"][data-kind="validation.status"]',
      )
      await expect(preference.isChecked()).resolves.toBe(true)
      const enabled = async () =>
        (
          await pool.query(
            `SELECT np.enabled FROM core.notification_preferences np JOIN core.users u ON u.id = np.user_id
              WHERE u.login = 'observer' AND np.kind = 'validation.status'`,
          )
        ).rows[0]?.enabled
      await preference.uncheck()
      await expect.poll(enabled).toBe(false)
      await preference.check()
      await expect.poll(enabled).toBe(true)

      // Its link: the observer's probable observations in the Synthèse; read from then on.
      await byTest(item, 'notification-open').click()
      await obsPage.waitForURL(
        (url) => url.pathname === '/synthese' && url.searchParams.get('status') === '2',
      )
      await expect.poll(() => obsPage.locator('[data-test="synthese-row"]').count()).toBe(3)
      await expect.poll(() => badge.count()).toBe(0)
      // Signing out stops the bell quietly (no 401 in the console).
      await byTest(obsPage, 'logout').click()
      await obsPage.waitForURL('**/login')
      await obsPage.waitForTimeout(300)
      expect(observer.errors).toEqual([])
    } finally {
      await observer.close()
    }
  })

  it('"select all results" changes every result of the filters, beyond the page, by filter', async () => {
    // 52 more pending observations (one relevé, 52 countings): 53 pending with the one left above.
    await enterReleve(6.25, [RANA], 52)
    const pool = platform.server.app.db.pool
    const { page, errors, close } = await openApp(platform.browser, platform.server.baseUrl)
    const statusBodies: unknown[] = []
    page.on('request', (request) => {
      if (request.url().endsWith('/api/validation/statuses')) statusBodies.push(request.postDataJSON())
    })
    try {
      await page.goto('/validation?status=0')
      await page.waitForURL('**/login**')
      await login(page, 'admin', DEMO_PASSWORD)
      await page.waitForURL('**/validation?status=0')
      const rows = byTest(page, 'validation-row')
      await expect.poll(() => rows.count()).toBe(50)
      await expect.poll(() => textOf(byTest(page, 'validation-count'))).toBe('1–50 sur 53 observations')
      await byTest(page, 'validation-select-page').check()
      const selected = byTest(page, 'validation-selected')
      await expect.poll(() => selected.getAttribute('data-count')).toBe('50')
      await byTest(page, 'validation-select-all').click()
      await expect.poll(() => selected.getAttribute('data-mode')).toBe('all')
      await expect(selected.getAttribute('data-count')).resolves.toBe('53')
      await byTest(page, 'validation-open-dialog').click()
      const dialog = byTest(page, 'status-dialog')
      await expect
        .poll(() => textOf(byTest(dialog, 'status-dialog-count')))
        .toBe('Tous les résultats de la recherche : 53 observations.')
      await dialog.locator('label[data-status="3"] input').check()
      await screenshot(page, 'validation-select-all')
      await byTest(dialog, 'status-submit').click()
      await expect
        .poll(() => textOf(byTest(page, 'validation-result')))
        .toBe('53 observations sont passées au statut « Douteux ».')
      expect(statusBodies).toEqual([{ filter: { status: ['0'] }, status: '3', comment: null }])
      await expect.poll(() => textOf(byTest(page, 'validation-count'))).toBe('Aucune observation')
      const { rows: doubtful } = await pool.query(
        `SELECT count(*)::int AS n FROM gn_synthese.synthese s
           JOIN ref_nomenclatures.nomenclatures n ON n.id = s.id_nomenclature_valid_status
          WHERE n.cd_nomenclature = '3'`,
      )
      expect(doubtful[0].n).toBe(53)
      expect(errors).toEqual([])
    } finally {
      await close()
    }
  })

  it("a validator without the Synthese gets the list, the page's points and a sheet with the history", async () => {
    const pool = platform.server.app.db.pool
    await pool.query(
      `INSERT INTO core.users (login, password_hash, first_name, last_name, organism_id)
       SELECT 'validateur-seul', password_hash, 'Val', 'Seul', organism_id FROM core.users WHERE login = 'agent'`,
    )
    await pool.query(
      `INSERT INTO core.permissions (user_id, module_code, action, scope)
       SELECT id, 'VALIDATION', a.action, 3 FROM core.users, (VALUES ('R'), ('V')) AS a(action)
        WHERE login = 'validateur-seul'`,
    )
    const { page, errors, close } = await openApp(platform.browser, platform.server.baseUrl)
    const tiles: string[] = []
    page.on('request', (request) => {
      if (request.url().includes('/api/synthese/')) tiles.push(request.url())
    })
    try {
      await page.goto('/validation?status=2')
      await page.waitForURL('**/login**')
      await login(page, 'validateur-seul', DEMO_PASSWORD)
      await page.waitForURL('**/validation?status=2')
      const rows = byTest(page, 'validation-row')
      await expect.poll(() => rows.count()).toBe(3)
      await rows.first().locator('td').nth(1).click()
      const history = byTest(byTest(page, 'observation-sheet'), 'validation-history')
      await history.waitFor()
      const step = await textOf(history.locator('li').first())
      expect(step).toContain('Probable')
      expect(step).toContain('Photos vérifiées')
      // No tiles asked (they need the Synthese's R), so no 403 in the console.
      expect(tiles.filter((u) => u.includes('/tiles/'))).toEqual([])
      await expect(byTest(page, 'validation-map-counts').count()).resolves.toBe(0)
      await screenshot(page, 'validation-sheet-without-synthese')
      // The filter panel's dataset choices are the Synthese's (refused, the field stays usable): the only error.
      expect(errors).toEqual([expect.stringMatching(/status of 403 .*\/api\/synthese\/datasets\)$/)])
    } finally {
      await close()
    }
  })

  it('shows a read-only view to a user who may open the module but not validate', async () => {
    const pool = platform.server.app.db.pool
    await pool.query(
      `INSERT INTO core.users (login, password_hash, organism_id)
       SELECT 'lecteur-validation', password_hash, organism_id FROM core.users WHERE login = 'agent'`,
    )
    await pool.query(
      `INSERT INTO core.permissions (user_id, module_code, action, scope)
       SELECT id, m.module_code, 'R', 3 FROM core.users, (VALUES ('VALIDATION'), ('SYNTHESE')) AS m(module_code)
        WHERE login = 'lecteur-validation'`,
    )
    const { page, errors, close } = await openApp(platform.browser, platform.server.baseUrl)
    try {
      await page.goto('/validation')
      await page.waitForURL('**/login**')
      await login(page, 'lecteur-validation', DEMO_PASSWORD)
      await page.waitForURL('**/validation')
      await expect.poll(() => textOf(byTest(page, 'validation-status'))).toContain('Consultation seule')
      await expect.poll(() => textOf(byTest(page, 'validation-count'))).toBe('Aucune observation')
      await expect(byTest(page, 'validation-actions').count()).resolves.toBe(0)
      await expect(byTest(page, 'validation-select-page').count()).resolves.toBe(0)
      await expect(byTest(page, 'notification-bell').isVisible()).resolves.toBe(true)
      expect(errors).toEqual([])
    } finally {
      await close()
    }
  })
})
