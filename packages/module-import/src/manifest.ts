import type { ModuleManifest } from '@biodiv/core'
import packageJson from '../package.json' with { type: 'json' }
import { importConfigSchema } from './import-config.ts'

/** Import de fichiers d'observations (CSV, GeoJSON) dans la synthèse, avec contrôles et rapport d'erreurs. */
export const manifest: ModuleManifest = {
  code: 'IMPORT',
  name: 'Import',
  version: packageJson.version,
  host: '^1.0',
  permissions: ['C', 'R', 'U', 'D'],
  frontend: { entry: 'dist/frontend/index.js', label: 'Import', icon: 'upload' },
  configSchema: importConfigSchema,
}
