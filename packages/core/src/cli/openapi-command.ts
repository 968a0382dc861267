import { mkdir, writeFile } from 'node:fs/promises'
import { dirname, resolve } from 'node:path'
import { loadConfig } from '../config.ts'
import { createServer } from '../create-server.ts'
import { preparePlatform } from '../platform.ts'

const log = {
  info: (m: string) => process.stderr.write(`${m}\n`),
  warn: (m: string) => process.stderr.write(`${m}\n`),
}

/**
 * The OpenAPI 3 document that `GET /api/openapi.json` serves, for the modules of `MODULES`. The app boots as for
 * any command (its plugins read the database at boot: module records, LOCAL_SRID, job recovery), never listens,
 * and closes.
 */
export async function openapiDocument(): Promise<unknown> {
  const platform = await preparePlatform(loadConfig({ ...process.env, LOG_LEVEL: 'warn' }), log)
  try {
    const server = await createServer(platform)
    try {
      await server.ready()
      return server.swagger()
    } finally {
      await server.close()
    }
  } finally {
    await platform.stopEmbedded()
  }
}

/**
 * `pnpm cli openapi:write FILE`: writes the API's OpenAPI document as JSON (a relative FILE is taken from the
 * repository root). Like every command it uses DATABASE_URL, or the embedded database in DATA_DIR when unset;
 * the frontend's type generation points DATA_DIR at a cache folder (packages/frontend/build/api-types.mjs).
 */
export async function openapiWriteCommand(args: string[]): Promise<void> {
  const [file, ...rest] = args
  if (!file || rest.length > 0) throw new Error('Usage: pnpm cli openapi:write FILE')
  const path = resolve(file)
  const document = await openapiDocument()
  await mkdir(dirname(path), { recursive: true })
  await writeFile(path, `${JSON.stringify(document, null, 2)}\n`)
  process.stderr.write(`OpenAPI document written to ${path}\n`)
}
