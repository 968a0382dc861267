import type { Database } from '@biodiv/core'
import { conflict, deleteSyntheseSource, withTransaction } from '@biodiv/core'
import { dropStagingTables } from '../check/staging-table.ts'
import { importSourceName } from './finalize-import.ts'

/**
 * Undo: in one transaction, the import's synthese rows (source `IMPORT:<id>`, with their area and observer links),
 * the source, its staging tables, its errors and the import row. Refused (409 IMPORT_BUSY) while a job runs: the row
 * is deleted only if its status is still not a job's. Observations the import updated (re-import with
 * update_existing) belong to the import that created them and stay. The caller removes the file after the commit.
 */
export async function undoImport(
  pool: Database['pool'],
  importId: number,
): Promise<{ deletedObservations: number }> {
  return withTransaction(pool, async (client) => {
    // Lock the row first: a runner cannot claim it meanwhile, and a concurrent undo waits then finds nothing.
    const { rows } = await client.query<{ status: string }>(
      'SELECT status FROM import.imports WHERE id = $1 FOR UPDATE',
      [importId],
    )
    const status = rows[0]?.status
    if (status === 'checking' || status === 'importing')
      throw conflict('IMPORT_BUSY', `Import ${importId} is being processed (${status}): wait for it to end`)
    // The import row first: it references the source (source_id), which the core then deletes with its rows.
    await client.query('DELETE FROM import.imports WHERE id = $1', [importId])
    const deletedObservations = await deleteSyntheseSource(client, importSourceName(importId))
    await dropStagingTables(client, importId)
    return { deletedObservations }
  })
}
