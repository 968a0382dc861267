import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { type Browser, chromium, type Locator, type Page } from 'playwright-core'

const SCREENSHOT_DIR = fileURLToPath(new URL('../../screenshots/', import.meta.url))

/** Debian's Chromium (never a Playwright-downloaded browser), with the flags these machines need. */
export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-dev-shm-usage',
      '--disable-background-networking',
      '--disable-component-update',
      '--no-first-run',
      '--disable-quic',
      '--disable-sync',
    ],
  })
}

export interface AppPage {
  page: Page
  /** Uncaught exceptions and console errors seen so far. */
  errors: string[]
  close(): Promise<void>
}

/** A fresh context (no cookies) and page on the app, recording page errors and console errors. */
export async function openApp(browser: Browser, baseUrl: string): Promise<AppPage> {
  const context = await browser.newContext({
    baseURL: baseUrl,
    viewport: { width: 1400, height: 900 },
    locale: 'fr-FR',
  })
  const page = await context.newPage()
  const errors: string[] = []
  page.on('pageerror', (error) => errors.push(`pageerror: ${error.message}`))
  page.on('console', (message) => {
    if (message.type() !== 'error') return
    // Signed out, the shell's session probe answers 401 by design; Chromium logs it as a failed resource.
    if (message.location().url.endsWith('/api/auth/me') && message.text().includes('401')) return
    // Offline, OpenStreetMap tiles cannot load: expected, and the reason that layer is optional.
    if (message.location().url.includes('tile.openstreetmap.org')) return
    errors.push(`console: ${message.text()} (${message.location().url})`)
  })
  return { page, errors, close: () => context.close() }
}

/** Fills the login form (the page must show it) and waits for the app to leave /login. */
export async function login(page: Page, loginName: string, password: string): Promise<void> {
  await page.getByLabel('Identifiant').fill(loginName)
  await page.getByLabel('Mot de passe').fill(password)
  await page.getByRole('button', { name: 'Se connecter' }).click()
  await page.waitForURL((url) => !url.pathname.startsWith('/login'))
}

/** Saves a PNG under tests/screenshots/ (gitignored) and returns its path. */
export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true })
  const path = join(SCREENSHOT_DIR, `${name}.png`)
  await page.screenshot({ path, fullPage: false })
  return path
}

/** Size of the OpenLayers viewport in the page and how many layer canvases it holds. */
export async function mapState(page: Page): Promise<{ width: number; height: number; canvases: number }> {
  const viewport = page.locator('.ol-viewport')
  await viewport.waitFor()
  await page.locator('.ol-viewport canvas').first().waitFor()
  const box = await viewport.boundingBox()
  return {
    width: box?.width ?? 0,
    height: box?.height ?? 0,
    canvases: await page.locator('.ol-viewport canvas').count(),
  }
}

/** The text of an element, whitespace collapsed. */
export async function textOf(locator: Locator): Promise<string> {
  return ((await locator.textContent()) ?? '').replace(/\s+/g, ' ').trim()
}
