import { createTestDatabase, startTestServer, type TestDatabase, type TestServer } from '@biodiv/core/testing'
import type { Browser } from 'playwright-core'
import { afterAll, beforeAll } from 'vitest'
import { launchBrowser } from './browser.ts'
import { ensureUiBuilt } from './ui-build.ts'

export interface RunningPlatform {
  readonly database: TestDatabase
  readonly server: TestServer
  readonly browser: Browser
}

/**
 * For a test file: the built UI, its own database, the server on it and a Chromium, started before the file's tests
 * and stopped after them. Read the fields inside tests (they are set in beforeAll). `env`: extra server settings.
 */
export function useRunningPlatform(options: { env?: Record<string, string> } = {}): RunningPlatform {
  const platform = {} as { database: TestDatabase; server: TestServer; browser: Browser }
  beforeAll(async () => {
    ensureUiBuilt()
    platform.database = await createTestDatabase()
    platform.server = await startTestServer({ databaseUrl: platform.database.url, env: options.env })
    platform.browser = await launchBrowser()
  })
  afterAll(async () => {
    await platform.browser?.close()
    await platform.server?.close()
    await platform.database?.drop()
  })
  return platform
}
