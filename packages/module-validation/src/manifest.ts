import type { ModuleManifest } from '@biodiv/core'
import packageJson from '../package.json' with { type: 'json' }

/** Validation des observations par les experts, avec historique et commentaires. */
export const manifest: ModuleManifest = {
  code: 'VALIDATION',
  name: 'Validation',
  version: packageJson.version,
  host: '^1.0',
  permissions: ['R', 'V', 'E'],
  frontend: { entry: 'dist/frontend/index.js', label: 'Validation', icon: 'check-circle' },
}
