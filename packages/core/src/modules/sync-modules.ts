import type pg from 'pg'
import { withTransaction } from '../db/transaction.ts'
import { registerNotificationKinds } from '../notifications/notification-service.ts'
import type { Action, ModuleManifest } from './contract.ts'
import { CORE_MODULES } from './core-modules.ts'
import { coreVersion, type LoadedModule } from './load-modules.ts'

export interface ModuleRecord {
  code: string
  name: string
  version: string
  packageName: string
  permissions: readonly Action[]
  /** The notification kinds the module sends (its manifest's `notifications`). */
  notifications?: readonly NotificationKind[]
}

type NotificationKind = NonNullable<ModuleManifest['notifications']>[number]

/**
 * Records the installed modules, the actions and the notification kinds they declare. Modules no longer configured
 * are disabled (their permission rows are kept for when they come back); actions a module stopped declaring are
 * removed with the permission rows that used them. Notification kinds are upserted (label, module), never deleted:
 * users' opt-outs and delivered notifications of a kind a module stopped declaring stay.
 */
export async function syncModules(pool: pg.Pool, modules: ModuleRecord[]): Promise<void> {
  await withTransaction(pool, async (client) => {
    await client.query(
      `INSERT INTO core.modules (code, name, version, package_name, enabled)
       SELECT * , true FROM unnest($1::text[], $2::text[], $3::text[], $4::text[])
       ON CONFLICT (code) DO UPDATE SET name = excluded.name, version = excluded.version,
         package_name = excluded.package_name, enabled = true,
         updated_at = CASE WHEN core.modules.version = excluded.version AND core.modules.enabled
                           THEN core.modules.updated_at ELSE now() END`,
      [
        modules.map((m) => m.code),
        modules.map((m) => m.name),
        modules.map((m) => m.version),
        modules.map((m) => m.packageName),
      ],
    )
    await client.query(
      'UPDATE core.modules SET enabled = false, updated_at = now() WHERE enabled AND code <> ALL($1)',
      [modules.map((m) => m.code)],
    )
    const codes = modules.flatMap((m) => m.permissions.map(() => m.code))
    const actions = modules.flatMap((m) => [...m.permissions])
    await client.query(
      `DELETE FROM core.module_actions a
        WHERE a.module_code = ANY($1)
          AND NOT EXISTS (SELECT 1 FROM unnest($2::text[], $3::text[]) d(code, action)
                           WHERE d.code = a.module_code AND d.action = a.action)`,
      [modules.map((m) => m.code), codes, actions],
    )
    await client.query(
      `INSERT INTO core.module_actions (module_code, action)
       SELECT * FROM unnest($1::text[], $2::text[]) ON CONFLICT DO NOTHING`,
      [codes, actions],
    )
    const kinds = modules.flatMap((m) => (m.notifications ?? []).map((n) => ({ ...n, moduleCode: m.code })))
    await registerNotificationKinds(client, kinds)
  })
}

/** The core's own permission holders plus the loaded modules, as `syncModules` records them. */
export function moduleRecords(modules: LoadedModule[]): ModuleRecord[] {
  return [
    ...CORE_MODULES.map((c) => ({ ...c, version: coreVersion, packageName: '@biodiv/core' })),
    ...modules.map((m) => ({
      code: m.manifest.code,
      name: m.manifest.name,
      version: m.manifest.version,
      packageName: m.packageName,
      permissions: m.manifest.permissions,
      notifications: m.manifest.notifications ?? [],
    })),
  ]
}
