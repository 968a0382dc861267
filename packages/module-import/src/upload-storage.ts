import { createHash, randomUUID } from 'node:crypto'
import { createWriteStream } from 'node:fs'
import { mkdir, rm } from 'node:fs/promises'
import { extname, join, resolve, sep } from 'node:path'
import { type Readable, Transform } from 'node:stream'
import { pipeline } from 'node:stream/promises'

/** The import module's folder under UPLOAD_DIR. */
export const importUploadDir = (uploadDir: string) => join(uploadDir, 'import')

export interface StoredFile {
  /** Relative to the import upload folder (what the database keeps). */
  name: string
  path: string
  size: number
  sha256: string
}

/** Streams an upload to a new file of the upload folder, hashing and counting on the way (constant memory). */
export async function storeUpload(dir: string, stream: Readable, originalName: string): Promise<StoredFile> {
  await mkdir(dir, { recursive: true })
  const extension = extname(originalName)
    .toLowerCase()
    .replace(/[^.a-z0-9]/g, '')
    .slice(0, 10)
  const name = `${randomUUID()}${extension}`
  const path = join(dir, name)
  const hash = createHash('sha256')
  let size = 0
  const tap = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      hash.update(chunk)
      size += chunk.length
      callback(null, chunk)
    },
  })
  try {
    await pipeline(stream, tap, createWriteStream(path, { flags: 'wx' }))
  } catch (error) {
    await rm(path, { force: true })
    throw error
  }
  return { name, path, size, sha256: hash.digest('hex') }
}

/** The absolute path of a stored file; refuses names that would leave the folder. */
export function storedPath(dir: string, name: string): string {
  const path = resolve(dir, name)
  if (!path.startsWith(resolve(dir) + sep)) throw new Error(`Invalid stored file name ${name}`)
  return path
}

export const removeStored = (path: string) => rm(path, { force: true })
