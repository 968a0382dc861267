import { PrismaPg } from '@prisma/adapter-pg'
import pg from 'pg'
import { PrismaClient } from '../generated/prisma/client.ts'

export interface Database {
  pool: pg.Pool
  prisma: PrismaClient
  close(): Promise<void>
}

/**
 * One pool shared by raw SQL and Prisma. On the embedded database it must hold exactly one connection
 * (pglite-socket serves a single session: see docs/adr/0003-embedded-database.md).
 */
export function createDatabase(url: string, poolSize: number): Database {
  // The API's queries are short: JIT compilation (on by default) cost 1.3 s of a 4 s scoped tile query, with no gain.
  // Set at connection start-up, so no query waits for it.
  const pool = new pg.Pool({ connectionString: url, max: poolSize, options: '-c jit=off' })
  // A client losing its connection (database restart, embedded socket drop) must not crash the process: idle
  // clients report on the pool, checked-out ones on themselves; the query in flight still rejects.
  pool.on('error', () => undefined)
  pool.on('connect', (client) => client.on('error', () => undefined))
  const prisma = new PrismaClient({ adapter: new PrismaPg(pool) })
  return {
    pool,
    prisma,
    async close() {
      await prisma.$disconnect()
      await pool.end()
    },
  }
}
