import type { ModuleManifest } from '@biodiv/core'
import packageJson from '../package.json' with { type: 'json' }

/** Saisie des relevés d'observation : où, quand, qui, les taxons vus et leurs dénombrements. */
export const manifest: ModuleManifest = {
  code: 'OCCTAX',
  name: 'Occtax',
  version: packageJson.version,
  host: '^1.0',
  permissions: ['C', 'R', 'U', 'E', 'D'],
  frontend: { entry: 'dist/frontend/index.js', label: 'Relevés', icon: 'binoculars' },
}
