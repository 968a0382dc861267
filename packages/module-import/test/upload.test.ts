import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  createTestApp,
  createUser,
  DEMO_ORGANISM,
  type GrantSpec,
  loginAs,
  type TestApp,
} from '@biodiv/core/testing'
import iconv from 'iconv-lite'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { delimited, type FilePart, multipartBody } from './helpers.ts'

const grants = (scope: 1 | 2 | 3): GrantSpec[] =>
  (['C', 'R', 'U', 'D'] as const).map((action) => ({ module: 'IMPORT', action, scope }))

const HEADER = ['date_debut', 'cd_nom', 'nom_cite', 'observateurs', 'commentaire']
const ROWS = [
  ['2024-05-12', '60612', 'Lynx lynx', 'Dupont J., Martin P.', 'vu 2x; entendu | traces'],
  ['2024-05-13', '351', 'Rana temporaria', 'Durand L.', 'têtards\tnombreux'],
  ['2024-05-14', '67111', 'Alburnus alburnus', 'Garnier H.', 'Durance, "seuil" aval'],
]
const ACCENTED = delimited(
  [
    ['nom_cite', 'commentaire', 'cd_nom'],
    ['Écureuil roux', 'œuf à 5 € près, déjà éclos', '61153'],
    ['Mésange charbonnière', 'près du lac, côté été', '534742'],
    ['Œdicnème criard', 'entendu à l’aube — très tôt', '3120'],
  ],
  ';',
)

describe('import upload and decoding', () => {
  let t: TestApp
  let uploadDir: string
  const cookies: Record<string, string> = {}

  beforeAll(async () => {
    uploadDir = await mkdtemp(join(tmpdir(), 'biodiv-import-test-'))
    t = await createTestApp({ env: { UPLOAD_DIR: uploadDir, LOGIN_RATE_LIMIT: '1000' } })
    const pool = t.app.db.pool
    await createUser(pool, { login: 'importer', organism: DEMO_ORGANISM, grants: grants(3) })
    await createUser(pool, { login: 'mine', organism: DEMO_ORGANISM, grants: grants(1) })
    cookies.importer = await loginAs(t.app, 'importer')
    cookies.mine = await loginAs(t.app, 'mine')
  })
  afterAll(async () => {
    await t?.close()
    await rm(uploadDir, { recursive: true, force: true })
  })

  const upload = (file: FilePart | null, fields: Record<string, string> = {}, who = 'importer') => {
    const { payload, headers } = multipartBody(file, fields)
    return t.app.inject({
      method: 'POST',
      url: '/api/import/imports',
      headers: { ...headers, cookie: cookies[who]! },
      payload,
    })
  }
  const put = (url: string, payload: object, who = 'importer') =>
    t.app.inject({ method: 'PUT', url: `/api/import${url}`, headers: { cookie: cookies[who]! }, payload })
  const storedFiles = async () => readdir(join(uploadDir, 'import')).catch(() => [] as string[])
  const importCount = async () =>
    Number((await t.app.db.pool.query('SELECT count(*) FROM import.imports')).rows[0].count)

  it.each([
    [',', 'observations.csv', '\n'],
    [';', 'observations.csv', '\r\n'],
    ['\t', 'observations.tsv', '\n'],
    ['|', 'observations.txt', '\r\n'],
  ])('detects the separator %j, reads the header and a sample', async (separator, filename, eol) => {
    const response = await upload({ filename, content: delimited([HEADER, ...ROWS], separator, eol) })
    expect(response.statusCode, response.body).toBe(201)
    const body = response.json()
    expect(body).toMatchObject({
      status: 'uploaded',
      format: 'csv',
      separator,
      encoding: 'utf-8',
      srid: 4326,
      fileName: filename,
      detected: { format: 'csv', encoding: 'utf-8', separator, bom: false },
      columns: HEADER,
    })
    expect(body.sample).toEqual(ROWS)
    expect(body.id).toBeGreaterThan(0)
    const { rows } = await t.app.db.pool.query('SELECT file_path FROM import.imports WHERE id = $1', [
      body.id,
    ])
    expect(await storedFiles()).toContain(rows[0].file_path)
  })

  it('reads UTF-8, UTF-8 with BOM and Windows-1252 files (é, œ, €)', async () => {
    const utf8 = await upload({ filename: 'utf8.csv', content: Buffer.from(ACCENTED, 'utf8') })
    const bom = await upload({ filename: 'bom.csv', content: Buffer.from(`\uFEFF${ACCENTED}`, 'utf8') })
    const cp1252 = await upload({
      filename: 'cp1252.csv',
      content: iconv.encode(ACCENTED.replace('’', "'").replace('—', '-'), 'windows-1252'),
    })
    for (const [response, encoding, bom_] of [
      [utf8, 'utf-8', false],
      [bom, 'utf-8', true],
      [cp1252, 'windows-1252', false],
    ] as const) {
      expect(response.statusCode, response.body).toBe(201)
      const body = response.json()
      expect(body.detected).toMatchObject({ encoding, bom: bom_, separator: ';' })
      expect(body.columns).toEqual(['nom_cite', 'commentaire', 'cd_nom'])
      expect(body.sample[0]).toEqual(['Écureuil roux', 'œuf à 5 € près, déjà éclos', '61153'])
      expect(body.sample[2][0]).toBe('Œdicnème criard')
    }
  })

  it('reads a GeoJSON FeatureCollection: properties and the geometry as columns', async () => {
    const collection = {
      type: 'FeatureCollection',
      features: [
        {
          type: 'Feature',
          geometry: { type: 'Point', coordinates: [6.47, 44.85] },
          properties: { cd_nom: 60612, nom_cite: 'Lynx lynx', date_debut: '2024-05-12' },
        },
        {
          type: 'Feature',
          geometry: { type: 'Point', coordinates: [6.55, 45.02] },
          properties: { cd_nom: 351, nom_cite: 'Rana temporaria', date_debut: '2024-05-13', nombre: 12 },
        },
      ],
    }
    const response = await upload({
      filename: 'obs.geojson',
      content: JSON.stringify(collection),
      contentType: 'application/geo+json',
    })
    expect(response.statusCode, response.body).toBe(201)
    const body = response.json()
    expect(body).toMatchObject({
      format: 'geojson',
      separator: null,
      encoding: 'utf-8',
      detected: { format: 'geojson' },
    })
    expect(body.columns).toEqual(['cd_nom', 'nom_cite', 'date_debut', 'nombre', 'geometry'])
    expect(body.sample[0]).toEqual([
      '60612',
      'Lynx lynx',
      '2024-05-12',
      null,
      '{"type":"Point","coordinates":[6.47,44.85]}',
    ])
    expect(body.sample[1][3]).toBe('12')
  })

  it('refuses an empty file (EMPTY_FILE), a header without rows too, and keeps neither row nor file', async () => {
    const before = { imports: await importCount(), files: (await storedFiles()).length }
    for (const content of ['', '\uFEFF', '  \n\n', 'date_debut;cd_nom;nom_cite\n']) {
      const response = await upload({ filename: 'empty.csv', content })
      expect(response.statusCode, JSON.stringify(content)).toBe(400)
      expect(response.json().error.code).toBe('EMPTY_FILE')
    }
    const geojson = await upload({
      filename: 'empty.geojson',
      content: '{"type":"FeatureCollection","features":[]}',
    })
    expect(geojson.json().error.code).toBe('EMPTY_FILE')
    expect(await importCount()).toBe(before.imports)
    expect((await storedFiles()).length).toBe(before.files)
  })

  it('refuses a header with twice the same column (HEADER_SAME_COLUMN_NAME) and keeps nothing', async () => {
    const before = { imports: await importCount(), files: (await storedFiles()).length }
    const response = await upload({
      filename: 'dup.csv',
      content: 'date_debut;cd_nom;nom_cite;cd_nom\n2024-05-12;60612;Lynx lynx;60612\n',
    })
    expect(response.statusCode).toBe(400)
    expect(response.json().error).toMatchObject({
      code: 'HEADER_SAME_COLUMN_NAME',
      details: { columns: ['cd_nom'] },
    })
    expect(await importCount()).toBe(before.imports)
    expect((await storedFiles()).length).toBe(before.files)
    // Trailing separators give empty names, which never clash.
    const trailing = await upload({
      filename: 'excel.csv',
      content: 'cd_nom;nom_cite;;\n60612;Lynx lynx;;\n',
    })
    expect(trailing.statusCode, trailing.body).toBe(201)
    expect(trailing.json().columns).toEqual(['cd_nom', 'nom_cite', '', ''])
  })

  it('requires a file part and multipart, and checks the dataset', async () => {
    expect((await upload(null, { datasetId: '1' })).json().error.code).toBe('NO_FILE')
    const json = await t.app.inject({
      method: 'POST',
      url: '/api/import/imports',
      headers: { cookie: cookies.importer! },
      payload: { file: 'x' },
    })
    expect(json.statusCode).toBe(415)
    const file = { filename: 'a.csv', content: delimited([HEADER, ...ROWS], ';') }
    expect((await upload(file, { datasetId: '999999' })).json().error.code).toBe('DATASET_NOT_FOUND')
    expect((await upload(file, { datasetId: 'abc' })).json().error.code).toBe('VALIDATION_ERROR')
    const pool = t.app.db.pool
    const { rows } = await pool.query('SELECT id FROM gn_meta.datasets ORDER BY id LIMIT 2')
    // 'mine' (scope 1) is neither digitiser nor actor of the demo datasets.
    const notMine = await upload(file, { datasetId: String(rows[0].id) }, 'mine')
    expect(notMine.json().error.code).toBe('DATASET_NOT_AUTHORIZED')
    await pool.query('UPDATE gn_meta.datasets SET active = false WHERE id = $1', [rows[1].id])
    expect((await upload(file, { datasetId: String(rows[1].id) })).json().error.code).toBe(
      'DATASET_NOT_ACTIVE',
    )
    const ok = await upload(file, { datasetId: String(rows[0].id) })
    expect(ok.statusCode, ok.body).toBe(201)
    expect(ok.json().datasetId).toBe(rows[0].id)
  })

  it('decode: confirms encoding, separator and SRID (known to PostGIS) and reads the header again', async () => {
    const created = (await upload({ filename: 'a.csv', content: delimited([HEADER, ...ROWS], ';') })).json()
    const badSrid = await put(`/imports/${created.id}/decode`, {
      encoding: 'utf-8',
      separator: ';',
      srid: 999999,
    })
    expect(badSrid.statusCode).toBe(400)
    expect(badSrid.json().error.code).toBe('UNKNOWN_SRID')
    const badEncoding = await put(`/imports/${created.id}/decode`, {
      encoding: 'klingon',
      separator: ';',
      srid: 4326,
    })
    expect(badEncoding.json().error.code).toBe('UNKNOWN_ENCODING')
    // Nothing changed by the refused requests.
    const unchanged = await t.app.inject({
      method: 'GET',
      url: `/api/import/imports/${created.id}`,
      headers: { cookie: cookies.importer! },
    })
    expect(unchanged.json()).toMatchObject({ status: 'uploaded', srid: 4326, separator: ';' })

    const comma = await put(`/imports/${created.id}/decode`, {
      encoding: 'utf-8',
      separator: ',',
      srid: 2154,
    })
    expect(comma.statusCode, comma.body).toBe(200)
    expect(comma.json()).toMatchObject({ status: 'decoded', separator: ',', srid: 2154 })
    expect(comma.json().columns).toEqual(['date_debut;cd_nom;nom_cite;observateurs;commentaire'])
    const quote = await put(`/imports/${created.id}/decode`, {
      encoding: 'utf-8',
      separator: '"',
      srid: 4326,
    })
    expect(quote.json().error.code).toBe('INVALID_SEPARATOR')
    const back = await put(`/imports/${created.id}/decode`, {
      encoding: 'latin1',
      separator: ';',
      srid: 27572,
    })
    expect(back.json()).toMatchObject({ encoding: 'latin1', separator: ';', srid: 27572, columns: HEADER })
    expect(back.json().detected).toMatchObject({ encoding: 'utf-8', separator: ';' })

    const { rows } = await t.app.db.pool.query(
      'SELECT id FROM gn_meta.datasets WHERE active ORDER BY id LIMIT 1',
    )
    const missing = await put(`/imports/${created.id}/decode`, {
      encoding: 'utf-8',
      srid: 4326,
      datasetId: 999999,
    })
    expect(missing.json().error.code).toBe('DATASET_NOT_FOUND')
    const withDataset = await put(`/imports/${created.id}/decode`, {
      encoding: 'utf-8',
      srid: 4326,
      datasetId: rows[0].id,
    })
    expect(withDataset.json()).toMatchObject({ datasetId: rows[0].id, separator: ';', srid: 4326 })
    const kept = await put(`/imports/${created.id}/decode`, { encoding: 'utf-8', srid: 4326 })
    expect(kept.json().datasetId).toBe(rows[0].id)
    const cleared = await put(`/imports/${created.id}/decode`, {
      encoding: 'utf-8',
      srid: 4326,
      datasetId: null,
    })
    expect(cleared.json().datasetId).toBeNull()

    const other = await put(
      `/imports/${created.id}/decode`,
      { encoding: 'utf-8', separator: ';', srid: 4326 },
      'mine',
    )
    expect(other.statusCode).toBe(404)
  })

  it('streams a large upload to disk: memory does not grow with the file', async () => {
    const { createHash } = await import('node:crypto')
    const { request } = await import('node:http')
    const { Readable } = await import('node:stream')
    await t.app.listen({ host: '127.0.0.1', port: 0 })
    const address = t.app.server.address()
    const port = typeof address === 'object' && address ? address.port : 0
    const boundary = '----biodivlargeupload'
    const target = 200 * 1024 * 1024
    const hash = createHash('sha256')
    let fileBytes = 0
    let line = 0
    const header = 'uuid_perm_sinp;date_debut;cd_nom;nom_cite;observateurs;geometrie_wkt_4326\n'
    function* body() {
      yield Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="big.csv"\r\n` +
          'Content-Type: text/csv\r\n\r\n',
      )
      let chunk = header
      while (fileBytes < target) {
        while (chunk.length < 1 << 20) {
          line++
          chunk += `00000000-0000-4000-8000-${String(line).padStart(12, '0')};2024-05-${String((line % 28) + 1).padStart(2, '0')};60612;Lynx lynx;Observateur ${line % 97};POINT(6.${line % 1000} 44.${line % 997})\n`
        }
        const buffer = Buffer.from(chunk, 'utf8')
        hash.update(buffer)
        fileBytes += buffer.length
        chunk = ''
        yield buffer
      }
      yield Buffer.from(`\r\n--${boundary}--\r\n`)
    }
    const rssBefore = process.memoryUsage().rss
    let rssPeak = rssBefore
    const sampler = setInterval(() => {
      rssPeak = Math.max(rssPeak, process.memoryUsage().rss)
    }, 20)
    const response = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = request(
        {
          host: '127.0.0.1',
          port,
          method: 'POST',
          path: '/api/import/imports',
          headers: { 'content-type': `multipart/form-data; boundary=${boundary}`, cookie: cookies.importer! },
        },
        (res) => {
          let text = ''
          res.setEncoding('utf8')
          res.on('data', (d: string) => {
            text += d
          })
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }))
        },
      )
      req.on('error', reject)
      Readable.from(body()).pipe(req)
    })
    clearInterval(sampler)
    expect(response.status, response.body).toBe(201)
    const created = JSON.parse(response.body)
    expect(created.fileSize).toBe(fileBytes)
    expect(created.columns).toEqual(header.trim().split(';'))
    expect(created.sample).toHaveLength(10)
    const { rows } = await t.app.db.pool.query('SELECT file_sha256 FROM import.imports WHERE id = $1', [
      created.id,
    ])
    expect(rows[0].file_sha256).toBe(hash.digest('hex'))
    // A server that buffered the file would grow by its size (200 MiB); streaming stays far below.
    expect(rssPeak - rssBefore).toBeLessThan(120 * 1024 * 1024)
  }, 180_000)
})

describe('import upload size limit (module config maxUploadBytes)', () => {
  let t: TestApp
  let dir: string

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'biodiv-import-limit-'))
    const configFile = join(dir, 'modules.json')
    await writeFile(configFile, JSON.stringify({ IMPORT: { maxUploadBytes: 4096 } }))
    t = await createTestApp({ env: { UPLOAD_DIR: join(dir, 'uploads'), MODULES_CONFIG_FILE: configFile } })
    await createUser(t.app.db.pool, { login: 'importer', organism: DEMO_ORGANISM, grants: grants(3) })
  })
  afterAll(async () => {
    await t?.close()
    await rm(dir, { recursive: true, force: true })
  })

  it('answers 413 FILE_TOO_LARGE and keeps no partial file', async () => {
    const cookie = await loginAs(t.app, 'importer')
    const big = delimited([HEADER, ...Array.from({ length: 200 }, () => ROWS[0]!)], ';')
    const { payload, headers } = multipartBody({ filename: 'big.csv', content: big })
    const response = await t.app.inject({
      method: 'POST',
      url: '/api/import/imports',
      headers: { ...headers, cookie },
      payload,
    })
    expect(response.statusCode).toBe(413)
    expect(response.json().error.code).toBe('FILE_TOO_LARGE')
    expect(await readdir(join(dir, 'uploads', 'import')).catch(() => [])).toEqual([])
    const small = multipartBody({ filename: 'small.csv', content: delimited([HEADER, ...ROWS], ';') })
    const ok = await t.app.inject({
      method: 'POST',
      url: '/api/import/imports',
      headers: { ...small.headers, cookie },
      payload: small.payload,
    })
    expect(ok.statusCode, ok.body).toBe(201)
  })
})
