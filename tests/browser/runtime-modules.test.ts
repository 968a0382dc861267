import {
  ALL_TEST_MODULES,
  createTestDatabase,
  DEMO_PASSWORD,
  startTestServer,
  type TestDatabase,
  type TestServer,
} from '@biodiv/core/testing'
import type { Browser } from 'playwright-core'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import {
  ensureUiBuilt,
  launchBrowser,
  login,
  mapState,
  openApp,
  screenshot,
  textOf,
} from './helpers/index.ts'

let database: TestDatabase
let browser: Browser
let server: TestServer | undefined

beforeAll(async () => {
  ensureUiBuilt()
  database = await createTestDatabase()
  browser = await launchBrowser()
})

afterEach(async () => {
  await server?.close()
  server = undefined
})

afterAll(async () => {
  await browser?.close()
  await database?.drop()
})

describe('module UIs are loaded at runtime', () => {
  it('shows a partner module the shell was never built with, once it is installed and the server restarted', async () => {
    // 1. Without the partner module: no menu entry, /hello is not a page.
    server = await startTestServer({ databaseUrl: database.url })
    let app = await openApp(browser, server.baseUrl)
    try {
      await app.page.goto('/login')
      await login(app.page, 'admin', DEMO_PASSWORD)
      await app.page.locator('[data-module="OCCTAX"]').waitFor()
      await expect(app.page.locator('[data-module="HELLO"]').count()).resolves.toBe(0)
      await app.page.goto('/hello')
      await app.page.getByRole('heading', { name: 'Page introuvable' }).waitFor()
      expect(app.errors).toEqual([])
    } finally {
      await app.close()
      await server.close()
      server = undefined
    }

    // 2. Same database and the same built shell, the partner module enabled: it is in the menu and its page works.
    server = await startTestServer({ databaseUrl: database.url, modules: ALL_TEST_MODULES })
    app = await openApp(browser, server.baseUrl)
    const { page, errors } = app
    try {
      await page.goto('/hello')
      await page.waitForURL(
        (url) => url.pathname === '/login' && url.searchParams.get('redirect') === '/hello',
      )
      await login(page, 'admin', DEMO_PASSWORD)
      await page.waitForURL('**/hello')
      await expect(textOf(page.locator('[data-module="HELLO"]'))).resolves.toBe('Bonjour')

      // Pinia: the partner page reads the shell's session store.
      await expect(textOf(page.locator('[data-test="hello-title"]'))).resolves.toBe('Bonjour Admin Démo !')
      await expect(textOf(page.locator('[data-test="hello-login"]'))).resolves.toBe('Identifiant : admin')
      // Vue reactivity: a ref changed by a click re-renders. Router: useRoute() follows the shell's router.
      const button = page.locator('[data-test="hello-button"]')
      await button.click()
      await button.click()
      await expect(textOf(button)).resolves.toBe('Clics : 2')
      await page.waitForURL('**/hello?clicks=2')
      await expect(textOf(page.locator('[data-test="hello-route"]'))).resolves.toBe(
        'Route : /hello (clics dans l’URL : 2)',
      )
      await screenshot(page, 'hello-module')

      // The shell's own pages still work next to it.
      await page.locator('[data-module="OCCTAX"]').click()
      await page.waitForURL('**/occtax')
      expect((await mapState(page)).width).toBeGreaterThan(0)
      expect(errors).toEqual([])
    } finally {
      await app.close()
    }
  })

  it('reports a broken module bundle and skips it while the other modules keep working', async () => {
    server = await startTestServer({ databaseUrl: database.url, modules: ALL_TEST_MODULES })
    const { page, errors, close } = await openApp(browser, server.baseUrl)
    try {
      // Three ways a bundle breaks: not found, not JavaScript that parses, throws while evaluating.
      await page.route('**/modules/import/index.js', (route) =>
        route.fulfill({ status: 404, body: 'Not Found' }),
      )
      await page.route('**/modules/validation/index.js', (route) =>
        route.fulfill({ contentType: 'text/javascript', body: 'export default {' }),
      )
      await page.route('**/modules/hello/index.js', (route) =>
        route.fulfill({ contentType: 'text/javascript', body: "throw new Error('hello bundle exploded')" }),
      )

      await page.goto('/login')
      await login(page, 'admin', DEMO_PASSWORD)
      await page.getByRole('heading', { name: 'Accueil' }).waitFor()

      const notices = page.locator('[data-test="notice"]')
      await expect(notices.count()).resolves.toBe(3)
      const text = await notices.allTextContents()
      expect(text.join('\n')).toContain('« Import » n’a pas pu être chargé')
      expect(text.join('\n')).toContain('« Validation » n’a pas pu être chargé')
      expect(text.join('\n')).toContain('« Bonjour » n’a pas pu être chargé')
      await screenshot(page, 'broken-modules')

      // The broken modules are not in the menu; the healthy one is, and works.
      await expect(
        page.locator('[data-module]').evaluateAll((els) => els.map((e) => e.getAttribute('data-module'))),
      ).resolves.toEqual(['OCCTAX'])
      await page.locator('[data-module="OCCTAX"]').click()
      await page.waitForURL('**/occtax')
      await page.getByRole('heading', { name: /Relevés/ }).waitFor()
      expect((await mapState(page)).width).toBeGreaterThan(0)

      // Each failure was logged with the module code.
      for (const code of ['IMPORT', 'VALIDATION', 'HELLO']) {
        expect(errors.some((e) => e.includes(`[modules] ${code}: UI skipped`))).toBe(true)
      }
      // A notice can be dismissed.
      await notices.first().getByRole('button', { name: 'Masquer' }).click()
      await expect(notices.count()).resolves.toBe(2)
    } finally {
      await close()
    }
  })
})
