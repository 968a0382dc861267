import { loadConfig } from '../config.ts'
import { createServer } from '../create-server.ts'
import { type PreparedPlatform, preparePlatform } from '../platform.ts'

const log = {
  info: (m: string) => process.stderr.write(`${m}\n`),
  warn: (m: string) => process.stderr.write(`${m}\n`),
}

/**
 * Runs a command against the configured database (embedded when DATABASE_URL is unset), migrated, with the
 * modules booted once so their permissions are synced. The app never listens.
 */
export async function withPlatform<T>(fn: (platform: PreparedPlatform) => Promise<T>): Promise<T> {
  const platform = await preparePlatform(loadConfig({ ...process.env, LOG_LEVEL: 'warn' }), log)
  const server = await createServer(platform)
  try {
    await server.ready()
    return await fn(platform)
  } finally {
    await server.close()
    await platform.stopEmbedded()
  }
}
