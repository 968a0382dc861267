import { seedDemo } from '../demo/seed-demo.ts'
import { withPlatform } from './cli-platform.ts'

export async function migrateCommand(): Promise<void> {
  await withPlatform(async () => {
    process.stderr.write('Database migrated, module permissions synced.\n')
  })
}

export async function seedCommand(): Promise<void> {
  await withPlatform(async ({ database, config }) => {
    const seeded = await seedDemo(database.pool, config.DEMO_PASSWORD)
    process.stderr.write(seeded ? 'Demo data seeded.\n' : 'Demo data already present: nothing done.\n')
  })
}
