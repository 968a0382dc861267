import type pg from 'pg'
import { hashPassword } from '../auth/passwords.ts'
import { withTransaction } from '../db/transaction.ts'
import { seedDemoAreas } from '../geo/seed-demo-areas.ts'
import { seedDemoMetadata } from '../meta/seed-demo-metadata.ts'
import { seedDemoSensitivity } from '../sensitivity/seed-demo-sensitivity.ts'
import { seedDemoTaxa } from '../taxonomy/seed-demo-taxa.ts'

export const DEMO_ORGANISM = 'Parc national des Écrins'
export const DEMO_PARTNER = 'LPO Auvergne-Rhône-Alpes'
export const DEMO_AGENTS_GROUP = 'Agents du Parc national des Écrins'

/**
 * Demo organisms, users and permissions, inserted once (skipped when the demo organism exists):
 * `admin` holds every action of every module with scope 3 and the ADMIN module; `agent` gets scope 2 in every
 * module through the agents group; `observer` (partner organism) scope 1. All share DEMO_PASSWORD. The sample
 * sensitivity rules (sensitivity/data) make some demo taxa sensitive unless `sensitivity: false`.
 * Module actions must be synced first (the app does it at boot). Returns false when already seeded.
 */
export async function seedDemo(
  pool: pg.Pool,
  password: string,
  options: { sensitivity?: boolean } = {},
): Promise<boolean> {
  const passwordHash = await hashPassword(password)
  return withTransaction(pool, async (client) => {
    const existing = await client.query('SELECT 1 FROM core.organisms WHERE name = $1', [DEMO_ORGANISM])
    if (existing.rowCount) return false
    await client.query(
      `INSERT INTO core.organisms (name, address, postal_code, city, url) VALUES
         ($1, 'Domaine de Charance', '05000', 'Gap', 'https://www.ecrins-parcnational.fr'),
         ($2, NULL, NULL, 'Lyon', 'https://auvergne-rhone-alpes.lpo.fr')`,
      [DEMO_ORGANISM, DEMO_PARTNER],
    )
    await client.query(
      `INSERT INTO core.users (login, password_hash, first_name, last_name, email, organism_id)
       SELECT v.login, $1, v.first_name, v.last_name, v.email, o.id
         FROM (VALUES ('admin', 'Admin', 'Démo', 'admin@demo.invalid', $2::text),
                      ('agent', 'Agent', 'Démo', 'agent@demo.invalid', $2::text),
                      ('observer', 'Observateur', 'Démo', 'observer@demo.invalid', $3::text))
              AS v(login, first_name, last_name, email, organism)
         JOIN core.organisms o ON o.name = v.organism
       ON CONFLICT (login) DO NOTHING`,
      [passwordHash, DEMO_ORGANISM, DEMO_PARTNER],
    )
    await client.query(
      `WITH g AS (INSERT INTO core.groups (name, description) VALUES ($1, 'Agents de terrain et chargés de mission')
                  ON CONFLICT (name) DO UPDATE SET name = excluded.name RETURNING id)
       INSERT INTO core.user_groups (user_id, group_id)
       SELECT u.id, g.id FROM g, core.users u WHERE u.login = 'agent' ON CONFLICT DO NOTHING`,
      [DEMO_AGENTS_GROUP],
    )
    await client.query(
      `INSERT INTO core.permissions (user_id, group_id, module_code, action, scope)
       SELECT u.id, NULL, a.module_code, a.action, 3
         FROM core.module_actions a, core.users u WHERE u.login = 'admin'
       UNION ALL
       SELECT NULL, g.id, a.module_code, a.action, 2
         FROM core.module_actions a, core.groups g WHERE g.name = $1 AND a.module_code <> 'ADMIN'
       UNION ALL
       SELECT u.id, NULL, a.module_code, a.action, 1
         FROM core.module_actions a, core.users u WHERE u.login = 'observer' AND a.module_code <> 'ADMIN'`,
      [DEMO_AGENTS_GROUP],
    )
    await seedDemoTaxa(client)
    await seedDemoMetadata(client)
    await seedDemoAreas(client)
    if (options.sensitivity ?? true) await seedDemoSensitivity(client)
    return true
  })
}
