import type { ModuleManifest } from '@biodiv/core'
import packageJson from '../package.json' with { type: 'json' }

/** The notification kind sent to the digitiser and observers when a status changes. */
export const STATUS_NOTIFICATION_KIND = 'validation.status'

/** Validation des observations par les experts, avec historique et commentaires. */
export const manifest: ModuleManifest = {
  code: 'VALIDATION',
  name: 'Validation',
  version: packageJson.version,
  host: '^1.0',
  permissions: ['R', 'V', 'E'],
  frontend: { entry: 'dist/frontend/index.js', label: 'Validation', icon: 'check-circle' },
  // Upserted by the core at boot: the digitiser and the observers (users) are told when a status changes.
  notifications: [
    { kind: STATUS_NOTIFICATION_KIND, label: 'Changement du statut de validation de mes observations' },
  ],
}
