// The tiles measure needs the endpoint's own tile function (synthese-tiles.ts, written in parallel with this bench):
// the bench calls it once per tile with a recording pool to get the exact SQL the endpoint runs. Null while the
// module or the function is missing.
import type { createDatabase } from '../../../packages/core/src/db/database.ts'
import type { ObservationCaller } from '../../../packages/core/src/sensitivity/observation-source.ts'
import type { ObservationSearch } from '../../../packages/core/src/synthese/synthese-queries.ts'

type Pool = ReturnType<typeof createDatabase>['pool']
export type TileFunction = (
  pool: Pool,
  caller: ObservationCaller,
  filters: ObservationSearch,
  tile: { z: number; x: number; y: number },
) => Promise<unknown>

export async function findTileFunction(): Promise<TileFunction | null> {
  // A variable specifier: the module may not exist yet, and typecheck must not depend on it.
  const path = '../../../packages/core/src/synthese/synthese-tiles.ts'
  try {
    const module = (await import(path)) as { syntheseTile?: unknown }
    return typeof module.syntheseTile === 'function' ? (module.syntheseTile as TileFunction) : null
  } catch {
    return null
  }
}
