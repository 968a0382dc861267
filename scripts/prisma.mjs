// Runs the Prisma CLI offline: Prisma wants to download its schema engine even for `generate`,
// which only needs the (JS) generator. A stub engine binary keeps it from reaching the network.
import { spawnSync } from 'node:child_process'
import { chmodSync, existsSync, mkdirSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

const stubDir = join(tmpdir(), 'biodiv-prisma-stub')
const stub = join(stubDir, 'schema-engine')
if (!existsSync(stub)) {
  mkdirSync(stubDir, { recursive: true })
  writeFileSync(
    stub,
    '#!/bin/sh\necho "schema engine unavailable offline: see docs/adr/0002-sql-migrations.md" >&2\nexit 1\n',
  )
  chmodSync(stub, 0o755)
}
const env = {
  ...process.env,
  PRISMA_SCHEMA_ENGINE_BINARY: process.env.PRISMA_SCHEMA_ENGINE_BINARY ?? stub,
  CHECKPOINT_DISABLE: '1',
  PRISMA_HIDE_UPDATE_MESSAGE: '1',
}
const result = spawnSync('prisma', process.argv.slice(2), { stdio: 'inherit', env, shell: false })
process.exit(result.status ?? 1)
