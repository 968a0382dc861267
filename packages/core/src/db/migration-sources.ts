import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { rootDir } from '../config.ts'
import type { LoadedModule } from '../modules/load-modules.ts'
import type { MigrationSource } from './migrations.ts'

export const CORE_MIGRATIONS_DIR = join(rootDir, 'prisma/migrations')

/** Core migrations first, then each enabled module's, in configuration order. */
export function migrationSources(modules: LoadedModule[]): MigrationSource[] {
  return [
    { moduleCode: 'CORE', dir: CORE_MIGRATIONS_DIR },
    ...modules
      .filter((m) => m.definition.migrations)
      .map((m) => ({ moduleCode: m.manifest.code, dir: fileURLToPath(m.definition.migrations!) })),
  ]
}
