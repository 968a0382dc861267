// The Synthese benchmark's database: biodiv_bench_synthese_<N>, created, migrated, seeded (demo) and filled with N
// generated observations once, then reused (filling 1M rows takes ~8 min here). The bench marks the databases it
// creates with a COMMENT and only ever drops a database that carries its mark.
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { loadConfig, rootDir } from '../../../packages/core/src/config.ts'
import { createServer } from '../../../packages/core/src/create-server.ts'
import { createDatabase } from '../../../packages/core/src/db/database.ts'
import { seedDemo } from '../../../packages/core/src/demo/seed-demo.ts'
import { preparePlatform } from '../../../packages/core/src/platform.ts'
import { generateObservations } from '../../../packages/core/src/synthese/observation-generator.ts'
import { generateSyntheticTaxref } from '../../../packages/core/src/taxonomy/generate-synthetic-taxref.ts'
import { importTaxrefFile } from '../../../packages/core/src/taxonomy/taxref-import.ts'

const MARK = 'pnpm bench:synthese'
/** A synthetic TAXREF (the file of bench:taxa) so that observations spread over ~20 000 species with a full hierarchy. */
const TAXREF_NAMES = 600_000
type Log = (message: string) => void

export const benchDatabaseName = (observations: number) => `biodiv_bench_synthese_${observations}`

export function withDatabase(url: string, database: string): string {
  const u = new URL(url)
  u.pathname = `/${database}`
  return u.toString()
}

async function admin<T>(
  serverUrl: string,
  fn: (query: (sql: string) => Promise<{ rows: T[] }>) => Promise<void>,
) {
  const db = createDatabase(withDatabase(serverUrl, 'postgres'), 1)
  try {
    await fn((sql) => db.pool.query(sql) as unknown as Promise<{ rows: T[] }>)
  } finally {
    await db.close()
  }
}

/** The database's comment: null when it does not exist, '' when it has none. */
async function databaseComment(serverUrl: string, name: string): Promise<string | null> {
  let comment: string | null = null
  await admin<{ comment: string | null }>(serverUrl, async (query) => {
    const { rows } = await query(
      `SELECT coalesce(shobj_description(oid, 'pg_database'), '') AS comment FROM pg_database WHERE datname = '${name}'`,
    )
    comment = rows[0] ? (rows[0].comment ?? '') : null
  })
  return comment
}

export interface PreparedDatabase {
  url: string
  name: string
  /** Seconds spent generating the observations in this run; null when an existing database was reused. */
  generatedSeconds: number | null
}

/**
 * Returns the URL of a database holding `observations` generated observations. `explicit` (--db): use that
 * database as it is (never created, filled nor dropped). Otherwise biodiv_bench_synthese_<N>: reused when this bench
 * filled it completely, recreated when it carries the bench's mark but its filling did not finish, refused when it
 * exists without the mark (someone else's).
 */
export async function prepareBenchDatabase(
  serverUrl: string,
  observations: number,
  options: { explicit?: string; fresh?: boolean; log: Log },
): Promise<PreparedDatabase> {
  const { log } = options
  if (options.explicit)
    return { url: withDatabase(serverUrl, options.explicit), name: options.explicit, generatedSeconds: null }
  const name = benchDatabaseName(observations)
  const ready = `${MARK}: ready, ${observations} observations`
  const comment = await databaseComment(serverUrl, name)
  if (comment !== null && !comment.startsWith(MARK))
    throw new Error(
      `database ${name} exists and was not created by ${MARK}: not touching it (pass --db ${name} to use it as is)`,
    )
  if (comment === ready && !options.fresh) {
    log(`Reusing ${name} (${comment})`)
    return { url: withDatabase(serverUrl, name), name, generatedSeconds: null }
  }
  if (comment !== null) {
    log(`Dropping ${name} (${comment}${options.fresh ? ', --fresh' : ''})`)
    await admin(serverUrl, async (query) => {
      await query(`DROP DATABASE ${name} WITH (FORCE)`)
    })
  }
  log(
    `Creating ${name}: demo seed, synthetic TAXREF, ${observations} generated observations (about 450 s per million here) …`,
  )
  await admin(serverUrl, async (query) => {
    await query(`CREATE DATABASE ${name}`)
    await query(`COMMENT ON DATABASE ${name} IS '${MARK}: filling'`)
  })
  const url = withDatabase(serverUrl, name)
  const config = loadConfig({ ...process.env, DATABASE_URL: url, LOG_LEVEL: 'silent', NODE_ENV: 'test' })
  const platform = await preparePlatform(config, { info: () => undefined, warn: log })
  const app = await createServer(platform)
  const t0 = performance.now()
  try {
    await app.ready() // module permissions synced, as a real start does
    await seedDemo(platform.database.pool, config.DEMO_PASSWORD)
    const taxref = join(rootDir, `.data/bench/taxref-synthetic-${TAXREF_NAMES}.txt`)
    if (!existsSync(taxref)) {
      log(`Generating ${taxref} …`)
      await generateSyntheticTaxref(taxref, TAXREF_NAMES)
    }
    log('Importing the synthetic TAXREF …')
    await importTaxrefFile(platform.database.pool, taxref)
    await generateObservations(platform.database.pool, {
      count: observations,
      seed: 1,
      onProgress: (p) => log(`  ${p.done}/${p.total} observations, ${p.seconds.toFixed(0)} s`),
    })
    log('VACUUM ANALYZE …')
    await platform.database.pool.query('VACUUM ANALYZE')
  } finally {
    await app.close()
    await platform.stopEmbedded()
  }
  const generatedSeconds = (performance.now() - t0) / 1000
  await admin(serverUrl, async (query) => {
    await query(`COMMENT ON DATABASE ${name} IS '${ready}'`)
  })
  return { url, name, generatedSeconds }
}

/**
 * Applies the migrations added since the database was filled (a reused database may predate some), before the
 * server starts so that its startup is not a table rewrite; VACUUM ANALYZE after any, so that plans and visibility
 * maps are those of a settled database. Returns the migrations applied.
 */
export async function migrateBenchDatabase(url: string, log: Log): Promise<string[]> {
  const config = loadConfig({ ...process.env, DATABASE_URL: url, LOG_LEVEL: 'silent', NODE_ENV: 'test' })
  const applied: string[] = []
  const platform = await preparePlatform(config, {
    info: (m: string) => {
      log(`  ${m}`)
      applied.push(m.replace(/^Applied migration /, ''))
    },
    warn: log,
  })
  try {
    if (applied.length) {
      log('VACUUM ANALYZE after the migrations …')
      await platform.database.pool.query('VACUUM ANALYZE')
    }
  } finally {
    await platform.database.close()
    await platform.stopEmbedded()
  }
  return applied
}
