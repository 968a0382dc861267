import { DEMO_PASSWORD } from '@biodiv/core/testing'
import { describe, expect, it } from 'vitest'
import { login, mapState, openApp, screenshot, textOf, useRunningPlatform } from './helpers/index.ts'

const platform = useRunningPlatform()

async function expectMap(page: Parameters<typeof mapState>[0]) {
  const map = await mapState(page)
  expect(map.width).toBeGreaterThan(200)
  expect(map.height).toBeGreaterThan(200)
  expect(map.canvases).toBeGreaterThan(0)
}

describe('the shell with the first-party modules', () => {
  it('logs admin in, shows the modules in the menu, opens each page with the shared map, logs out', async () => {
    const { page, errors, close } = await openApp(platform.browser, platform.server.baseUrl)
    try {
      await page.goto('/')
      await page.waitForURL('**/login')
      await expect(page.getByRole('heading', { name: 'Connexion' }).isVisible()).resolves.toBe(true)
      await screenshot(page, 'login')

      await login(page, 'admin', DEMO_PASSWORD)
      await page.getByRole('heading', { name: 'Accueil' }).waitFor()
      const menu = page.getByRole('navigation', { name: 'Menu principal' })
      for (const [code, label] of [
        ['OCCTAX', 'Relevés'],
        ['IMPORT', 'Import'],
        ['VALIDATION', 'Validation'],
      ]) {
        await expect(textOf(menu.locator(`[data-module="${code}"]`))).resolves.toBe(label)
      }
      await expectMap(page)
      await screenshot(page, 'home')

      // The online OpenStreetMap layer can be switched on; offline its tiles fail and nothing else breaks.
      await page.getByTitle('Fonds de carte').click()
      const osm = page.locator('input[data-layer="osm"]')
      await osm.check()
      await page.waitForTimeout(500)
      await expectMap(page)
      await osm.uncheck()
      await page.getByTitle('Fonds de carte').click()

      await menu.locator('[data-module="OCCTAX"]').click()
      await page.waitForURL('**/occtax')
      await page.getByRole('heading', { name: /Relevés/ }).waitFor()
      await expect(textOf(page.locator('[data-test="module-grants"] tr[data-action="C"] td'))).resolves.toBe(
        'toutes',
      )
      await expectMap(page)
      // The relevé list and its entry point (drawing on the map: tests/browser/occtax.test.ts).
      await page.locator('[data-test="releve-list"]').waitFor({ state: 'attached' })
      await page.locator('[data-test="releve-new"]').waitFor()
      await screenshot(page, 'occtax')

      await menu.locator('[data-module="IMPORT"]').click()
      await page.waitForURL('**/import')
      await page.getByRole('heading', { name: 'Import' }).waitFor()
      await expect(textOf(page.locator('[data-test="import-allowed"]'))).resolves.toContain('toutes')
      await screenshot(page, 'import')

      await menu.locator('[data-module="VALIDATION"]').click()
      await page.waitForURL('**/validation')
      await page.getByRole('heading', { name: 'Validation' }).waitFor()
      await expect(textOf(page.locator('[data-test="validation-status"]'))).resolves.toContain('toutes')
      await expectMap(page)
      await screenshot(page, 'validation')

      await page.locator('[data-test="logout"]').click()
      await page.waitForURL('**/login')
      expect(errors).toEqual([])
    } finally {
      await close()
    }
  })

  it('keeps deep links: through the login page when signed out, directly on reload when signed in', async () => {
    const { page, errors, close } = await openApp(platform.browser, platform.server.baseUrl)
    try {
      await page.goto('/validation')
      await page.waitForURL(
        (url) => url.pathname === '/login' && url.searchParams.get('redirect') === '/validation',
      )
      await login(page, 'admin', DEMO_PASSWORD)
      await page.waitForURL('**/validation')
      await page.getByRole('heading', { name: 'Validation' }).waitFor()

      await page.goto('/occtax')
      await page.getByRole('heading', { name: /Relevés/ }).waitFor()
      expect(new URL(page.url()).pathname).toBe('/occtax')
      await expectMap(page)
      expect(errors).toEqual([])
    } finally {
      await close()
    }
  })

  it('tells the user when the login is wrong', async () => {
    const { page, close } = await openApp(platform.browser, platform.server.baseUrl)
    try {
      await page.goto('/login')
      await page.getByLabel('Identifiant').fill('admin')
      await page.getByLabel('Mot de passe').fill('not-the-password')
      await page.getByRole('button', { name: 'Se connecter' }).click()
      await expect(textOf(page.locator('[data-test="login-error"]'))).resolves.toContain('incorrect')
    } finally {
      await close()
    }
  })
})
