// Validation benchmark (issue 6): a bulk status change of N observations selected by a filter, through the HTTP API
// (POST /api/validation/statuses, logged in as the demo admin: VALIDATION V scope 3), next to the same
// INSERT … SELECT into the history + UPDATE of the synthese run directly with pg in one transaction (the limit).
//
//   pnpm bench:validation [--observations 100000] [--db NAME] [--runs 5]
//
// Database: biodiv_bench_validation_<N> on the server of BENCH_DATABASE_URL, else DATABASE_URL, else
// postgres://postgres@127.0.0.1:5432/postgres: created (migrations, demo seed, `data:generate` of N observations,
// VACUUM ANALYZE) on the first run and marked with a COMMENT, then reused. `--db NAME` uses an existing database as
// it is (its GENERATED observations get statuses and history rows: use a scratch database). The filter selects the
// source GENERATED (every generated observation). Runs alternate API and SQL, each giving the other status than the
// previous run (so every row changes and the notifications are computed), after a VACUUM of the synthese so that
// both sides see the same table. Progress goes to stderr; the markdown report goes to stdout.
import os from 'node:os'
import { parseArgs } from 'node:util'
import { loadConfig } from '../../packages/core/src/config.ts'
import { createServer } from '../../packages/core/src/create-server.ts'
import { createDatabase } from '../../packages/core/src/db/database.ts'
import { seedDemo } from '../../packages/core/src/demo/seed-demo.ts'
import { preparePlatform } from '../../packages/core/src/platform.ts'
import { generateObservations } from '../../packages/core/src/synthese/observation-generator.ts'
import { validationWhere } from '../../packages/module-validation/src/validation-queries.ts'

const { values } = parseArgs({
  options: {
    observations: { type: 'string', default: '100000' },
    db: { type: 'string' },
    runs: { type: 'string', default: '5' },
  },
})
const OBSERVATIONS = Number(values.observations)
const RUNS = Number(values.runs)
const FILTER = { source: 'GENERATED' }
const MARK = 'pnpm bench:validation'
const log = (message: string) => process.stderr.write(`${message}\n`)
const serverUrl =
  process.env.BENCH_DATABASE_URL ?? process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres'
const withDatabase = (url: string, name: string) => {
  const u = new URL(url)
  u.pathname = `/${name}`
  return u.toString()
}
const silent = { info: () => undefined, warn: log }

async function adminQuery<T>(sql: string): Promise<T[]> {
  const db = createDatabase(withDatabase(serverUrl, 'postgres'), 1)
  try {
    return (await db.pool.query(sql)).rows as T[]
  } finally {
    await db.close()
  }
}

/** The bench's own database (created and filled once, then reused), or the one given with --db. */
async function prepareDatabase(): Promise<string> {
  if (values.db) return withDatabase(serverUrl, values.db)
  const name = `biodiv_bench_validation_${OBSERVATIONS}`
  const ready = `${MARK}: ready, ${OBSERVATIONS} observations`
  const [row] = await adminQuery<{ comment: string }>(
    `SELECT coalesce(shobj_description(oid, 'pg_database'), '') AS comment FROM pg_database WHERE datname = '${name}'`,
  )
  if (row && !row.comment.startsWith(MARK))
    throw new Error(
      `database ${name} exists and was not created by ${MARK}: not touching it (pass --db to use one)`,
    )
  if (row?.comment === ready) {
    log(`Reusing ${name}`)
    return withDatabase(serverUrl, name)
  }
  if (row) await adminQuery(`DROP DATABASE ${name} WITH (FORCE)`) // ours, but its filling did not finish
  log(`Creating ${name}: migrations, demo seed, ${OBSERVATIONS} generated observations …`)
  await adminQuery(`CREATE DATABASE ${name}`)
  await adminQuery(`COMMENT ON DATABASE ${name} IS '${MARK}: filling'`)
  const url = withDatabase(serverUrl, name)
  const config = loadConfig({ ...process.env, DATABASE_URL: url, LOG_LEVEL: 'silent', NODE_ENV: 'test' })
  const platform = await preparePlatform(config, silent)
  const app = await createServer(platform)
  try {
    await app.ready() // module permissions synced before the demo grants
    await seedDemo(platform.database.pool, config.DEMO_PASSWORD)
    await generateObservations(platform.database.pool, {
      count: OBSERVATIONS,
      seed: 1,
      onProgress: (p) => log(`  ${p.done}/${p.total} observations, ${p.seconds.toFixed(0)} s`),
    })
    await platform.database.pool.query('VACUUM ANALYZE')
  } finally {
    await app.close()
    await platform.stopEmbedded()
  }
  await adminQuery(`COMMENT ON DATABASE ${name} IS '${ready}'`)
  return url
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b)
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2
}

async function main() {
  const url = await prepareDatabase()
  const config = loadConfig({
    ...process.env,
    DATABASE_URL: url,
    LOG_LEVEL: 'silent',
    NODE_ENV: 'production',
    SESSION_SECRET: 'bench-validation-session-secret-0123456789',
    SEED_DEMO: 'false',
  })
  const platform = await preparePlatform(config, silent)
  const app = await createServer(platform)
  await app.listen({ port: 0, host: '127.0.0.1' })
  const address = app.server.address()
  const base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`
  const pool = platform.database.pool
  try {
    const login = await fetch(`${base}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ login: 'admin', password: config.DEMO_PASSWORD }),
    })
    if (!login.ok) throw new Error(`login failed: ${login.status} ${await login.text()}`)
    const cookie = login.headers
      .getSetCookie()
      .map((c) => c.split(';')[0])
      .join('; ')
    const { rows: admin } = await pool.query<{ id: number; organism_id: number | null }>(
      `SELECT id, organism_id FROM core.users WHERE login = 'admin'`,
    )
    const { rows: statuses } = await pool.query<{ code: string; id: number }>(
      `SELECT n.cd_nomenclature AS code, n.id FROM ref_nomenclatures.nomenclatures n
         JOIN ref_nomenclatures.types t ON t.id = n.type_id
        WHERE t.mnemonique = 'STATUT_VALID' AND n.cd_nomenclature IN ('1', '2')`,
    )
    const statusId = new Map(statuses.map((s) => [s.code, s.id]))

    // The SQL side: the same selection (the module's own WHERE for this validator and filter), one INSERT … SELECT
    // into the history and one UPDATE of the synthese, in one transaction.
    const validator = {
      userId: admin[0]!.id,
      organismId: admin[0]!.organism_id,
      permissions: [{ scope: 3 as const, taxon: null, area: null }],
      preciseScope: 3 as const, // the demo admin holds an ADMIN grant: sees sensitive rows precisely (ADR 15)
    }
    const direct = async (code: string) => {
      const { where, params, p } = await validationWhere(pool, validator, FILTER)
      const status = p(statusId.get(code))
      const user = p(validator.userId)
      const client = await pool.connect()
      try {
        await client.query('BEGIN')
        await client.query(
          `INSERT INTO gn_synthese.validation_history (unique_id_sinp, id_nomenclature_valid_status, id_validator, comment)
           SELECT s.unique_id_sinp, ${status}::integer, ${user}::integer, 'bench' FROM gn_synthese.synthese s
            WHERE ${where.join(' AND ')}`,
          params,
        )
        const { rowCount } = await client.query(
          `UPDATE gn_synthese.synthese s SET id_nomenclature_valid_status = ${status}::integer,
                  validator = (SELECT login FROM core.users WHERE id = ${user}::integer),
                  validation_date = now(), validation_comment = 'bench'
            WHERE ${where.join(' AND ')}`,
          params,
        )
        await client.query('COMMIT')
        return rowCount ?? 0
      } catch (error) {
        await client.query('ROLLBACK')
        throw error
      } finally {
        client.release()
      }
    }
    const api = async (code: string) => {
      const response = await fetch(`${base}/api/validation/statuses`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', cookie },
        body: JSON.stringify({ filter: FILTER, status: code, comment: 'bench' }),
      })
      const body = (await response.json()) as { changed?: number }
      if (!response.ok) throw new Error(`API ${response.status}: ${JSON.stringify(body)}`)
      return body.changed ?? 0
    }

    const times = { api: [] as number[], sql: [] as number[] }
    let changed = { api: 0, sql: 0 }
    let run = 0
    for (let i = 0; i < RUNS; i++) {
      for (const side of ['api', 'sql'] as const) {
        const code = run++ % 2 === 0 ? '1' : '2'
        await pool.query('VACUUM ANALYZE gn_synthese.synthese')
        const t0 = performance.now()
        const n = side === 'api' ? await api(code) : await direct(code)
        const ms = performance.now() - t0
        times[side].push(ms)
        changed = { ...changed, [side]: n }
        log(`  run ${i + 1} ${side}: ${n} rows in ${ms.toFixed(0)} ms`)
      }
    }
    const apiMedian = median(times.api)
    const sqlMedian = median(times.sql)
    const { rows: notified } = await pool.query<{ n: string }>(
      `SELECT count(*) AS n FROM core.notifications WHERE kind = 'validation.status'`,
    )
    const lines = [
      `## Validation: bulk status change (${new Date().toISOString().slice(0, 10)})`,
      '',
      `${os.cpus().length} CPU, ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB, PostgreSQL ${(await pool.query('SHOW server_version')).rows[0].server_version}; ` +
        `filter ${JSON.stringify(FILTER)}, ${RUNS} runs each, alternated, status alternating 1/2.`,
      '',
      '| path | rows changed | median (ms) | min (ms) | max (ms) |',
      '| --- | ---: | ---: | ---: | ---: |',
      `| HTTP POST /api/validation/statuses (history + synthese + notifications) | ${changed.api} | ${apiMedian.toFixed(0)} | ${Math.min(...times.api).toFixed(0)} | ${Math.max(...times.api).toFixed(0)} |`,
      `| SQL INSERT … SELECT + UPDATE, one transaction | ${changed.sql} | ${sqlMedian.toFixed(0)} | ${Math.min(...times.sql).toFixed(0)} | ${Math.max(...times.sql).toFixed(0)} |`,
      '',
      `API / SQL: ${(apiMedian / sqlMedian).toFixed(2)}× (goal ≤ 1.5×). Notifications delivered in total: ${notified[0]!.n}.`,
    ]
    process.stdout.write(`${lines.join('\n')}\n`)
  } finally {
    await app.close()
    await platform.stopEmbedded()
  }
}

main().catch((error: Error) => {
  log(error.stack ?? error.message)
  process.exitCode = 1
})
