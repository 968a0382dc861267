import { createReadStream, existsSync } from 'node:fs'
import { open } from 'node:fs/promises'
import { basename } from 'node:path'
import { pipeline } from 'node:stream/promises'
import { CsvError, parse } from 'csv-parse'
import iconv from 'iconv-lite'
import type pg from 'pg'
import { withTransaction } from '../db/transaction.ts'
import { applyRuleChange, normalizeMonthDay } from './sensitivity-rules.ts'

/**
 * The national sensitivity referential (INPN CSV, the layout GeoNature's migration 7dfd0a813f86 reads): one rule per
 * line, `cd_nom, nom_cite, duree, perimetre, cd_sig, codage, autre, date_min, date_max, cd_occ_statut_biologique`.
 * - `codage`: the SINP level 0–4; `duree`: years (empty: no limit); `date_min`/`date_max`: the period of the year
 *   (full dates whose year is ignored, or MMDD, MM-DD, DD/MM);
 * - `cd_sig`: the territory: empty, TERFXFR or `perimetre` "France métropolitaine" → everywhere; INSEED05 or
 *   INSEEDEP/05 → the département, INSEER93 / INSEEREG/93 → the region, INSEEC05061 / INSEECOM/05061 → the commune;
 *   `TYPE/CODE` → the ref_geo area of that type and code (an extension for hand-made files, e.g. M10/10kmL93E097N643);
 * - `cd_occ_statut_biologique`: a criterion, as GeoNature reads it: a STATUT_BIO code, else one of the codes that
 *   moved to OCC_COMPORTEMENT (6, 7, 8, 10, 11, 12); `TYPE:code` (e.g. OCC_COMPORTEMENT:4) names the type;
 * - `autre`: free text, kept as the rule's comment (as GeoNature does).
 */

export const SENSITIVITY_COLUMNS = [
  'cd_nom',
  'nom_cite',
  'duree',
  'perimetre',
  'cd_sig',
  'codage',
  'autre',
  'date_min',
  'date_max',
  'cd_occ_statut_biologique',
] as const
type Column = (typeof SENSITIVITY_COLUMNS)[number]
const REQUIRED: Column[] = ['cd_nom', 'codage']

/** Codes GeoNature maps from the file's biological status column to OCC_COMPORTEMENT (frozen nomenclatures). */
const BEHAVIOUR_CODES = new Set(['6', '7', '8', '10', '11', '12'])

export interface LineError {
  /** The file's line (header = 1). */
  line: number
  column: string
  code:
    | 'MISSING_COLUMN'
    | 'INVALID_CSV'
    | 'UNKNOWN_TAXON'
    | 'INVALID_LEVEL'
    | 'INVALID_DURATION'
    | 'INVALID_PERIOD'
    | 'UNKNOWN_AREA'
    | 'UNKNOWN_NOMENCLATURE'
  message: string
}

export class SensitivityFileError extends Error {
  override name = 'SensitivityFileError'
  constructor(
    readonly file: string,
    readonly errors: LineError[],
  ) {
    const shown = errors.slice(0, 50).map((e) => `  line ${e.line}, ${e.column}: ${e.message}`)
    if (errors.length > shown.length) shown.push(`  … and ${errors.length - shown.length} more`)
    super(`${basename(file)}: ${errors.length} error(s), nothing imported:\n${shown.join('\n')}`)
  }
}

export interface SensitivityImportOptions {
  /** Recorded in rules.source; the rules of that source are replaced. Default: the file's name. */
  source?: string
  /** Field separator; default: detected from the header (`,` `;` tab `|`). */
  separator?: string
  /** Default: UTF-8 when the file is valid UTF-8 (BOM or not), else windows-1252 (a superset of ISO-8859-1/15). */
  encoding?: string
  /** Only the rules valid everywhere (no territory) are active, as GeoNature does by default; others inactive. */
  nationalOnly?: boolean
  /** A territory absent from ref_geo makes its rule inactive (reported) instead of an error. */
  inactiveUnknownAreas?: boolean
}

export interface SensitivityImportReport {
  source: string
  encoding: string
  separator: string
  /** Rules read (one per data line). */
  rules: number
  /** Rules of the source before the import (deleted). */
  replaced: number
  /** Rules imported inactive (nationalOnly, inactiveUnknownAreas). */
  inactive: number
  /** Observations whose level changed. */
  recomputed: number
  seconds: number
}

interface ParsedLine {
  line: number
  cdNom: number
  nomCite: string | null
  level: number
  duration: number | null
  period: [string, string] | null
  /** null: everywhere; type '' when cd_sig cannot be read. */
  territory: { type: string; code: string; raw: string } | null
  criterion: { type: string; code: string } | null
  comment: string | null
}

/** Valid UTF-8 (allowing a character cut at the end of the head) → utf-8, else windows-1252. */
async function detectEncoding(file: string): Promise<string> {
  const handle = await open(file, 'r')
  try {
    const buffer = Buffer.alloc(65536)
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0)
    const head = buffer.subarray(0, bytesRead)
    for (let cut = 0; cut <= 3 && cut <= head.length; cut++) {
      try {
        new TextDecoder('utf-8', { fatal: true }).decode(head.subarray(0, head.length - cut))
        return 'utf-8'
      } catch {
        // maybe a multi-byte character cut by the head's end
      }
    }
    return 'windows-1252'
  } finally {
    await handle.close()
  }
}

/** The candidate whose split of the header line gives the most known columns. */
async function detectSeparator(file: string, encoding: string): Promise<string> {
  const handle = await open(file, 'r')
  try {
    const buffer = Buffer.alloc(8192)
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0)
    const header = iconv.decode(buffer.subarray(0, bytesRead), encoding).split(/\r?\n/)[0] ?? ''
    let best = { separator: ',', known: -1 }
    for (const separator of [',', ';', '\t', '|']) {
      const names = header.split(separator).map(columnName)
      const known = names.filter((n) => (SENSITIVITY_COLUMNS as readonly string[]).includes(n)).length
      if (known > best.known) best = { separator, known }
    }
    return best.separator
  } finally {
    await handle.close()
  }
}

const columnName = (raw: string) =>
  raw
    .replace(/^\uFEFF/, '')
    .trim()
    .replace(/^"|"$/g, '')
    .toLowerCase()

const lineBreaks = (values: readonly string[]): number => {
  let n = 0
  for (const v of values) n += v.match(/\r\n|\r|\n/g)?.length ?? 0
  return n
}

const NATIONAL = /^(TERFXFR|FR|FXX)?$/i
const fold = (s: string) => s.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase().trim()

/** The area a `cd_sig` names, null for the whole territory, undefined when it cannot be read. */
export function parseTerritory(
  cdSig: string,
  perimetre: string,
): { type: string; code: string } | null | undefined {
  const text = cdSig.trim()
  if (
    NATIONAL.test(text) &&
    (text !== '' || fold(perimetre) === '' || fold(perimetre) === 'france metropolitaine')
  )
    return null
  const insee = /^INSEE(C|D|R)(?:OM|EP|EG)?\s*\/?\s*([0-9][0-9AB]*)$/i.exec(text)
  if (insee) {
    const type = { C: 'COM', D: 'DEP', R: 'REG' }[insee[1]!.toUpperCase() as 'C' | 'D' | 'R']
    const code = insee[2]!.toUpperCase()
    // GeoNature pads one-digit département codes (INSEED5 → 05).
    return { type, code: type === 'DEP' && /^\d$/.test(code) ? `0${code}` : code }
  }
  const typed = /^([A-Z][A-Z0-9_]*)\s*\/\s*(\S.*)$/i.exec(text)
  if (typed) return { type: typed[1]!.toUpperCase(), code: typed[2]!.trim() }
  return undefined
}

/**
 * Reads and checks a referential file without writing: every line is checked (syntax here, taxa, areas and
 * nomenclatures against the database), and all the errors are thrown together as a SensitivityFileError.
 */
async function readReferential(
  client: pg.ClientBase,
  file: string,
  encoding: string,
  separator: string,
): Promise<{
  lines: ParsedLine[]
  areaIds: Map<string, number>
  criterionIds: Map<string, number>
  errors: LineError[]
}> {
  const errors: LineError[] = []
  const err = (line: number, column: string, code: LineError['code'], message: string) =>
    errors.push({ line, column, code, message })

  // The two criterion types' codes, to tell a STATUT_BIO code from a behaviour code as GeoNature does.
  const { rows: nomenclatures } = await client.query<{ type: string; code: string; id: number }>(
    `SELECT t.mnemonique AS type, n.cd_nomenclature AS code, n.id FROM ref_nomenclatures.nomenclatures n
       JOIN ref_nomenclatures.types t ON t.id = n.type_id
      WHERE t.mnemonique IN ('STATUT_BIO', 'OCC_COMPORTEMENT')`,
  )
  const criterionIds = new Map(nomenclatures.map((n) => [`${n.type}:${n.code}`, n.id]))

  const source = createReadStream(file)
  const parser = parse({ delimiter: separator, relax_column_count: true, relax_quotes: true, trim: true })
  const piped = pipeline(source, iconv.decodeStream(encoding), parser).catch(() => undefined)
  const lines: ParsedLine[] = []
  let index: Partial<Record<Column, number>> | null = null
  let line = 0
  try {
    for await (const record of parser as AsyncIterable<string[]>) {
      const start = line + 1
      line = start + lineBreaks(record)
      if (record.every((v) => v.trim() === '')) continue
      if (!index) {
        const names = record.map(columnName)
        index = Object.fromEntries(
          SENSITIVITY_COLUMNS.flatMap((c) => (names.includes(c) ? [[c, names.indexOf(c)]] : [])),
        )
        const missing = REQUIRED.filter((c) => index![c] === undefined)
        for (const c of missing) err(start, c, 'MISSING_COLUMN', `the header has no column "${c}"`)
        if (missing.length) break
        continue
      }
      const at = index
      const value = (c: Column) => (at[c] === undefined ? '' : (record[at[c]] ?? '').trim())

      const cdNomText = value('cd_nom')
      const cdNom = /^\d{1,9}$/.test(cdNomText) ? Number(cdNomText) : Number.NaN
      if (Number.isNaN(cdNom)) err(start, 'cd_nom', 'UNKNOWN_TAXON', `"${cdNomText}" is not a cd_nom`)
      const levelText = value('codage')
      const level = /^[0-4]$/.test(levelText) ? Number(levelText) : Number.NaN
      if (Number.isNaN(level))
        err(start, 'codage', 'INVALID_LEVEL', `"${levelText}" is not a sensitivity level (0 to 4)`)
      const durationText = value('duree')
      let duration: number | null = null
      if (durationText !== '') {
        duration = /^\d{1,5}$/.test(durationText) ? Number(durationText) : Number.NaN
        if (Number.isNaN(duration) || duration < 1 || duration > 10000) {
          err(start, 'duree', 'INVALID_DURATION', `"${durationText}" is not a number of years (1 or more)`)
        }
        // GeoNature writes 10000 for "no limit": keep it as no limit.
        if (duration === 10000) duration = null
      }
      const [minText, maxText] = [value('date_min'), value('date_max')]
      const [periodStart, periodEnd] = [normalizeMonthDay(minText), normalizeMonthDay(maxText)]
      let period: [string, string] | null = null
      if (periodStart === undefined) err(start, 'date_min', 'INVALID_PERIOD', `"${minText}" is not a date`)
      if (periodEnd === undefined) err(start, 'date_max', 'INVALID_PERIOD', `"${maxText}" is not a date`)
      if (periodStart !== undefined && periodEnd !== undefined) {
        if ((periodStart === null) !== (periodEnd === null)) {
          err(
            start,
            periodStart === null ? 'date_min' : 'date_max',
            'INVALID_PERIOD',
            'a period needs both date_min and date_max',
          )
        } else if (periodStart && periodEnd) period = [periodStart, periodEnd]
      }
      const cdSig = value('cd_sig')
      const perimetre = value('perimetre')
      const parsed = parseTerritory(cdSig, perimetre)
      const territory =
        parsed === undefined
          ? { type: '', code: '', raw: [cdSig, perimetre].filter(Boolean).join(' ') }
          : parsed && { ...parsed, raw: cdSig }
      const criterionText = value('cd_occ_statut_biologique')
      let criterion: { type: string; code: string } | null = null
      if (criterionText !== '') {
        const typed = /^(STATUT_BIO|OCC_COMPORTEMENT)\s*:\s*(\S+)$/i.exec(criterionText)
        const candidate = typed
          ? { type: typed[1]!.toUpperCase(), code: typed[2]! }
          : criterionIds.has(`STATUT_BIO:${criterionText}`)
            ? { type: 'STATUT_BIO', code: criterionText }
            : BEHAVIOUR_CODES.has(criterionText)
              ? { type: 'OCC_COMPORTEMENT', code: criterionText }
              : null
        if (candidate && criterionIds.has(`${candidate.type}:${candidate.code}`)) criterion = candidate
        else
          err(
            start,
            'cd_occ_statut_biologique',
            'UNKNOWN_NOMENCLATURE',
            `"${criterionText}" is not a biological status (STATUT_BIO) nor a behaviour code (OCC_COMPORTEMENT)`,
          )
      }
      lines.push({
        line: start,
        cdNom,
        nomCite: value('nom_cite') || null,
        level,
        duration,
        period,
        territory,
        criterion,
        comment: value('autre') || null,
      })
    }
  } catch (error) {
    if (error instanceof CsvError) err(line + 1, '(file)', 'INVALID_CSV', error.message)
    else throw error
  } finally {
    source.destroy()
    await piped
  }
  if (!index && errors.length === 0) err(1, '(file)', 'MISSING_COLUMN', 'the file is empty')

  // Taxa and areas, each in one query over the distinct values.
  const cdNoms = [...new Set(lines.map((l) => l.cdNom).filter((n) => !Number.isNaN(n)))]
  const { rows: taxa } = await client.query<{ cd_nom: number }>(
    'SELECT cd_nom FROM taxonomie.taxref WHERE cd_nom = ANY($1::integer[])',
    [cdNoms],
  )
  const knownTaxa = new Set(taxa.map((t) => t.cd_nom))
  const territories = [
    ...new Map(
      lines.flatMap((l) =>
        l.territory?.type ? [[`${l.territory.type}/${l.territory.code}`, l.territory]] : [],
      ),
    ).values(),
  ]
  const { rows: areas } = await client.query<{ key: string; id: number }>(
    `SELECT t.code || '/' || a.area_code AS key, a.id
       FROM unnest($1::text[], $2::text[]) q(type, code)
       JOIN ref_geo.area_types t ON t.code = q.type
       JOIN ref_geo.areas a ON a.type_id = t.id AND a.area_code = q.code`,
    [territories.map((t) => t.type), territories.map((t) => t.code)],
  )
  const areaIds = new Map(areas.map((a) => [a.key, a.id]))
  for (const l of lines) {
    if (!Number.isNaN(l.cdNom) && !knownTaxa.has(l.cdNom))
      err(l.line, 'cd_nom', 'UNKNOWN_TAXON', `cd_nom ${l.cdNom} is not in TAXREF`)
  }
  return { lines, areaIds, criterionIds, errors }
}

/**
 * Loads a referential file inside the caller's transaction: every line checked first (SensitivityFileError with all
 * the line-numbered errors, nothing written), then the rules of the source replaced, rule_taxa rebuilt and the
 * affected synthese rows recomputed.
 */
export async function loadSensitivityRules(
  client: pg.PoolClient,
  file: string,
  options: SensitivityImportOptions = {},
): Promise<SensitivityImportReport> {
  if (!existsSync(file)) throw new Error(`${file}: no such file`)
  const started = performance.now()
  const encoding = options.encoding ?? (await detectEncoding(file))
  if (!iconv.encodingExists(encoding)) throw new Error(`Unknown encoding "${encoding}"`)
  const separator = options.separator ?? (await detectSeparator(file, encoding))
  const source = options.source ?? basename(file)

  let summary = { rules: 0, replaced: 0, inactive: 0 }
  const recomputed = await applyRuleChange(client, async () => {
    const { lines, areaIds, criterionIds, errors } = await readReferential(client, file, encoding, separator)
    const inactive = new Set<number>()
    lines.forEach((l, i) => {
      if (!l.territory) return
      if (options.nationalOnly) inactive.add(i)
      if (!areaIds.has(`${l.territory.type}/${l.territory.code}`)) {
        if (options.inactiveUnknownAreas) {
          // Kept inactive, its territory said in the comment: activating it by hand must not make it national.
          inactive.add(i)
          l.comment = [l.comment, `territory not in ref_geo: ${l.territory.raw || '(none)'}`]
            .filter(Boolean)
            .join(' — ')
        } else
          errors.push({
            line: l.line,
            column: 'cd_sig',
            code: 'UNKNOWN_AREA',
            message: l.territory.type
              ? `no ${l.territory.type} area "${l.territory.code}" in ref_geo (${l.territory.raw}); import the areas first`
              : `"${l.territory.raw}" is not an area code (INSEED05, INSEEC05061, INSEER93, TYPE/CODE or empty)`,
          })
      }
    })
    if (errors.length) {
      errors.sort((a, b) => a.line - b.line)
      throw new SensitivityFileError(file, errors)
    }

    const { rows: previous } = await client.query<{ cd_nom: number }>(
      'DELETE FROM gn_sensitivity.rules WHERE source = $1 RETURNING cd_nom',
      [source],
    )
    const { rows: ids } = await client.query<{ id: number }>(
      `SELECT nextval(pg_get_serial_sequence('gn_sensitivity.rules', 'id'))::integer AS id
         FROM generate_series(1, $1::integer)`,
      [lines.length],
    )
    const ruleIds = ids.map((r) => r.id)
    await client.query(
      `INSERT INTO gn_sensitivity.rules (id, cd_nom, nom_cite, level, duration_years, period_start, period_end, active,
                                         source, comment)
       SELECT r.id, r.cd_nom, r.nom_cite, r.level, r.duration, r.period_start, r.period_end, r.active, $10, r.comment
         FROM unnest($1::integer[], $2::integer[], $3::text[], $4::smallint[], $5::integer[], $6::text[], $7::text[],
                     $8::boolean[], $9::text[])
              AS r(id, cd_nom, nom_cite, level, duration, period_start, period_end, active, comment)`,
      [
        ruleIds,
        lines.map((l) => l.cdNom),
        lines.map((l) => l.nomCite),
        lines.map((l) => l.level),
        lines.map((l) => l.duration),
        lines.map((l) => l.period?.[0] ?? null),
        lines.map((l) => l.period?.[1] ?? null),
        lines.map((_, i) => !inactive.has(i)),
        lines.map((l) => l.comment),
        source,
      ],
    )
    const areaLinks = lines.flatMap((l, i) => {
      const id = l.territory ? areaIds.get(`${l.territory.type}/${l.territory.code}`) : undefined
      return id === undefined ? [] : [[ruleIds[i]!, id] as const]
    })
    if (areaLinks.length) {
      await client.query(
        `INSERT INTO gn_sensitivity.rule_areas (rule_id, area_id)
         SELECT * FROM unnest($1::integer[], $2::integer[]) ON CONFLICT DO NOTHING`,
        [areaLinks.map((a) => a[0]), areaLinks.map((a) => a[1])],
      )
    }
    const criterionLinks = lines.flatMap((l, i) =>
      l.criterion
        ? [[ruleIds[i]!, criterionIds.get(`${l.criterion.type}:${l.criterion.code}`)!] as const]
        : [],
    )
    if (criterionLinks.length) {
      await client.query(
        `INSERT INTO gn_sensitivity.rule_criteria (rule_id, id_nomenclature)
         SELECT * FROM unnest($1::integer[], $2::integer[]) ON CONFLICT DO NOTHING`,
        [criterionLinks.map((c) => c[0]), criterionLinks.map((c) => c[1])],
      )
    }
    summary = { rules: lines.length, replaced: previous.length, inactive: inactive.size }
    return { ruleIds, previousCdNoms: previous.map((p) => p.cd_nom) }
  })
  return {
    source,
    encoding,
    separator,
    ...summary,
    recomputed,
    seconds: (performance.now() - started) / 1000,
  }
}

/** `loadSensitivityRules` in its own transaction (the CLI's `sensitivity:import`). */
export async function importSensitivityFile(
  pool: pg.Pool,
  file: string,
  options: SensitivityImportOptions = {},
): Promise<SensitivityImportReport> {
  if (!existsSync(file)) throw new Error(`${file}: no such file`)
  return withTransaction(pool, (client) => loadSensitivityRules(client, file, options))
}
