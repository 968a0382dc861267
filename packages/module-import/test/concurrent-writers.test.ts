import { upsertSyntheseFromStaging, withTransaction } from '@biodiv/core'
import { createTestApp, createUser, DEMO_ORGANISM, loginAs, type TestApp } from '@biodiv/core/testing'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { stagingTableName } from '../src/check/staging-table.ts'
import { importSourceName } from '../src/finalize/finalize-import.ts'
import { demoDatasetId, insertImport, stageRows } from './jobs-helpers.ts'

/** Fails instead of hanging when `work` waits on a lock held by an open finalize. */
const within = <T>(ms: number, what: string, work: Promise<T>): Promise<T> =>
  Promise.race([
    work,
    new Promise<never>((_, reject) =>
      setTimeout(() => reject(new Error(`${what} waited over ${ms} ms`)), ms),
    ),
  ])

describe('an import finalizing does not block Occtax entry nor another import', () => {
  let t: TestApp
  let cookie: string
  let datasetId: number
  const commits: (() => Promise<void>)[] = []

  beforeAll(async () => {
    t = await createTestApp({ env: { LOGIN_RATE_LIMIT: '1000' } })
    await createUser(t.app.db.pool, {
      login: 'naturalist',
      organism: DEMO_ORGANISM,
      grants: (['C', 'R'] as const).map((action) => ({ module: 'OCCTAX', action, scope: 3 as const })),
    })
    await createUser(t.app.db.pool, { login: 'manager', organism: DEMO_ORGANISM })
    cookie = await loginAs(t.app, 'naturalist')
    datasetId = await demoDatasetId(t.app.db.pool)
  })
  afterAll(async () => {
    for (const commit of commits) await commit().catch(() => undefined)
    await t.close()
  })

  /**
   * A staged import finalized inside a transaction left open, as the finalize job holds it for minutes; `commit`
   * ends it.
   */
  async function openFinalize(lines: number): Promise<{ importId: number; commit: () => Promise<void> }> {
    const pool = t.app.db.pool
    const importId = await insertImport(pool, 'manager', 'importing', { datasetId })
    await stageRows(
      pool,
      importId,
      1,
      Array.from({ length: lines }, (_, i) => ({ line: i + 2, datasetId })),
    )
    let release!: () => void
    const held = new Promise<void>((resolve) => (release = resolve))
    let written!: (inserted: number) => void
    const inserted = new Promise<number>((resolve) => (written = resolve))
    const transaction = withTransaction(pool, async (client) => {
      const result = await upsertSyntheseFromStaging(
        client,
        { name: importSourceName(importId), moduleCode: 'IMPORT' },
        `(SELECT * FROM ${stagingTableName(importId)} WHERE valid)`,
        { updateExisting: false },
      )
      written(result.inserted)
      await held
    })
    expect(await Promise.race([inserted, transaction.then(() => -1)])).toBe(lines)
    const commit = () => {
      release()
      return transaction
    }
    commits.push(commit)
    return { importId, commit }
  }

  it('lets a naturalist save a relevé at the same place, and a second import write, while a finalize is open', async () => {
    const first = await openFinalize(200)
    const saved = await within(
      10_000,
      'the Occtax POST',
      t.app.inject({
        method: 'POST',
        url: '/api/occtax/releves',
        headers: { cookie },
        payload: {
          datasetId,
          observersText: 'J. Dupont',
          dateMin: '2026-05-01',
          geometry: { type: 'Point', coordinates: [6.2, 44.8] },
          occurrences: [{ cdNom: 60612, countings: [{ countMin: 1 }] }],
        },
      }),
    )
    expect(saved.statusCode, saved.body).toBe(201)
    const second = await within(10_000, 'a second finalize', openFinalize(50))
    await within(10_000, 'the second commit', second.commit())

    const count = async (source: string) =>
      Number(
        (
          await t.app.db.pool.query(
            `SELECT count(*) FROM gn_synthese.synthese s JOIN gn_synthese.sources src ON src.id = s.id_source
              WHERE src.name = $1`,
            [source],
          )
        ).rows[0].count,
      )
    // Others see the relevé and the second import, not the first one until it commits.
    expect(await count('OCCTAX')).toBe(1)
    expect(await count(importSourceName(second.importId))).toBe(50)
    expect(await count(importSourceName(first.importId))).toBe(0)
    await first.commit()
    expect(await count(importSourceName(first.importId))).toBe(200)
  })
})
