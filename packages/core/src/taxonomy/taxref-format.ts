import { createReadStream } from 'node:fs'
import { createInterface } from 'node:readline'
import type { Readable } from 'node:stream'
import iconv from 'iconv-lite'

/** A TAXREF file that cannot be imported; `line` is 1-based (the header is line 1). */
export class TaxrefFormatError extends Error {
  override name = 'TaxrefFormatError'
  constructor(
    readonly line: number,
    message: string,
  ) {
    super(`line ${line}: ${message}`)
  }
}

type ColumnKind = 'int' | 'text'

/**
 * The TAXREF columns the platform keeps, in the staging table's order: file header name → column and type.
 * Other columns of the file (CD_BA, statuses per territory other than FR, URL_INPN, …) are ignored.
 */
export const TAXREF_COLUMNS = [
  ['CD_NOM', 'cd_nom', 'int'],
  ['CD_REF', 'cd_ref', 'int'],
  ['CD_SUP', 'cd_sup', 'int'],
  ['CD_TAXSUP', 'cd_taxsup', 'int'],
  ['RANG', 'rang', 'text'],
  ['REGNE', 'regne', 'text'],
  ['PHYLUM', 'phylum', 'text'],
  ['CLASSE', 'classe', 'text'],
  ['ORDRE', 'ordre', 'text'],
  ['FAMILLE', 'famille', 'text'],
  ['SOUS_FAMILLE', 'sous_famille', 'text'],
  ['TRIBU', 'tribu', 'text'],
  ['GROUP1_INPN', 'group1_inpn', 'text'],
  ['GROUP2_INPN', 'group2_inpn', 'text'],
  ['GROUP3_INPN', 'group3_inpn', 'text'],
  ['LB_NOM', 'lb_nom', 'text'],
  ['LB_AUTEUR', 'lb_auteur', 'text'],
  ['NOM_COMPLET', 'nom_complet', 'text'],
  ['NOM_COMPLET_HTML', 'nom_complet_html', 'text'],
  ['NOM_VALIDE', 'nom_valide', 'text'],
  ['NOM_VERN', 'nom_vern', 'text'],
  ['NOM_VERN_ENG', 'nom_vern_eng', 'text'],
  ['HABITAT', 'habitat', 'int'],
  ['FR', 'fr', 'text'],
  ['URL', 'url', 'text'],
] as const satisfies readonly (readonly [string, string, ColumnKind])[]

export const TAXREF_DB_COLUMNS = TAXREF_COLUMNS.map(([, column]) => column)
/** Headers a file must have; every row must give CD_NOM, CD_REF, RANG and LB_NOM. */
export const REQUIRED_HEADERS = ['CD_NOM', 'CD_REF', 'RANG', 'LB_NOM', 'REGNE'] as const
const REQUIRED_VALUES = new Set(['CD_NOM', 'CD_REF', 'RANG', 'LB_NOM'])
/** The header of the files this platform writes (demo extract, synthetic files), in the official order. */
export const TAXREF_HEADER = [
  'REGNE',
  'PHYLUM',
  'CLASSE',
  'ORDRE',
  'FAMILLE',
  'SOUS_FAMILLE',
  'TRIBU',
  'GROUP1_INPN',
  'GROUP2_INPN',
  'GROUP3_INPN',
  'CD_NOM',
  'CD_TAXSUP',
  'CD_SUP',
  'CD_REF',
  'RANG',
  'LB_NOM',
  'LB_AUTEUR',
  'NOM_COMPLET',
  'NOM_COMPLET_HTML',
  'NOM_VALIDE',
  'NOM_VERN',
  'NOM_VERN_ENG',
  'HABITAT',
  'FR',
  'URL',
]

const INT = /^-?\d{1,10}$/
const MAX_INT = 2_147_483_647

/** COPY text format: backslash is the only character to escape once tabs and line ends are impossible. */
const copyValue = (value: string | null) => (value === null ? '\\N' : value.replaceAll('\\', '\\\\'))

export interface TaxrefSourceOptions {
  /** Character set of the file: utf8 (TAXREF since v12) or e.g. latin1 / win1252 for older versions. */
  encoding?: string
}

/** A file (or any byte stream) as lines of text, decoded. */
export function taxrefLines(
  input: string | Readable,
  options: TaxrefSourceOptions = {},
): AsyncIterable<string> {
  const bytes = typeof input === 'string' ? createReadStream(input) : input
  const encoding = (options.encoding ?? 'utf8').toLowerCase()
  const text =
    encoding === 'utf8' || encoding === 'utf-8'
      ? bytes.setEncoding('utf8')
      : bytes.pipe(iconv.decodeStream(encoding))
  return createInterface({ input: text, crlfDelay: Number.POSITIVE_INFINITY })
}

export interface ParsedTaxref {
  /** Rows so far (updated while the chunks are consumed). */
  rows: number
}

/**
 * Reads a TAXREF text file (tab-separated, header line) and yields its rows as COPY text-format chunks in
 * TAXREF_COLUMNS order followed by the line number. Columns are found by header name (any order, unknown ones
 * ignored). Throws TaxrefFormatError with the line number on a missing header, a wrong number of columns, a missing
 * required value, a non-integer CD_NOM/CD_REF/CD_SUP/CD_TAXSUP/HABITAT or a CD_NOM given twice.
 */
export async function* taxrefCopyChunks(
  lines: AsyncIterable<string>,
  progress: ParsedTaxref = { rows: 0 },
): AsyncGenerator<string> {
  let lineNumber = 0
  let headerLength = 0
  let positions: number[] = []
  const seen = new Map<number, number>()
  let chunk = ''
  for await (const rawLine of lines) {
    lineNumber++
    if (lineNumber === 1) {
      const header = rawLine
        .replace(/^\uFEFF/, '')
        .split('\t')
        .map((h) => h.trim().toUpperCase())
      headerLength = header.length
      const missing = REQUIRED_HEADERS.filter((h) => !header.includes(h))
      if (missing.length) {
        throw new TaxrefFormatError(1, `missing required column(s) ${missing.join(', ')} in the header`)
      }
      positions = TAXREF_COLUMNS.map(([name]) => header.indexOf(name))
      continue
    }
    if (rawLine === '') continue
    const fields = rawLine.split('\t')
    if (fields.length !== headerLength) {
      throw new TaxrefFormatError(lineNumber, `${fields.length} columns, the header has ${headerLength}`)
    }
    const values: string[] = []
    for (let i = 0; i < TAXREF_COLUMNS.length; i++) {
      const [name, , kind] = TAXREF_COLUMNS[i]!
      const position = positions[i]!
      const value = position < 0 ? '' : fields[position]!.trim()
      if (value === '') {
        if (REQUIRED_VALUES.has(name)) throw new TaxrefFormatError(lineNumber, `${name} is empty`)
        values.push('\\N')
        continue
      }
      if (kind === 'int' && (!INT.test(value) || Math.abs(Number(value)) > MAX_INT)) {
        throw new TaxrefFormatError(lineNumber, `${name} "${value.slice(0, 40)}" is not an integer`)
      }
      values.push(copyValue(value))
    }
    const cdNom = Number(values[0])
    const previous = seen.get(cdNom)
    if (previous !== undefined) {
      throw new TaxrefFormatError(lineNumber, `CD_NOM ${cdNom} already given on line ${previous}`)
    }
    seen.set(cdNom, lineNumber)
    values.push(String(lineNumber))
    chunk += `${values.join('\t')}\n`
    progress.rows++
    if (chunk.length > 65_536) {
      yield chunk
      chunk = ''
    }
  }
  if (lineNumber === 0) throw new TaxrefFormatError(1, 'the file is empty (no header)')
  if (chunk) yield chunk
}
