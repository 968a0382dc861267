import { ConfigError, DEVELOPMENT_SESSION_SECRET, loadConfig } from './config.ts'
import { createServer } from './create-server.ts'
import { MigrationError } from './db/migrations.ts'
import { seedDemo } from './demo/seed-demo.ts'
import { ModuleContractError } from './modules/module-contract-error.ts'
import { preparePlatform } from './platform.ts'

const bootLog = {
  info: (msg: string) => console.log(msg),
  warn: (msg: string) => console.warn(msg),
}

async function main() {
  const config = loadConfig()
  const platform = await preparePlatform(config, bootLog)
  const server = await createServer(platform)
  await server.ready()
  if (config.SESSION_SECRET === DEVELOPMENT_SESSION_SECRET) {
    server.log.warn('SESSION_SECRET is not set: using the development secret (never do this in production)')
  }
  if (config.embedded || config.SEED_DEMO) {
    if (await seedDemo(platform.database.pool, config.DEMO_PASSWORD)) {
      server.log.info(
        'Demo data seeded: users admin, agent and observer (password from DEMO_PASSWORD, default "demo")',
      )
    }
  }

  let closing = false
  const shutdown = async (signal: string) => {
    if (closing) return
    closing = true
    server.log.info(`${signal} received, closing`)
    const force = setTimeout(() => process.exit(1), 10_000)
    force.unref()
    await server.close()
    await platform.stopEmbedded()
    process.exit(0)
  }
  process.on('SIGINT', () => void shutdown('SIGINT'))
  process.on('SIGTERM', () => void shutdown('SIGTERM'))

  await server.listen({ port: config.PORT, host: config.HOST })
}

main().catch((error: unknown) => {
  // Configuration, contract and migration problems are the operator's to fix: say what, without a stack.
  if (
    error instanceof ConfigError ||
    error instanceof ModuleContractError ||
    error instanceof MigrationError
  ) {
    console.error(`\n${error.message}\n`)
  } else {
    console.error(error)
  }
  process.exit(1)
})
