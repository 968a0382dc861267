import {
  areaGeometryByCodeSql,
  datasetAccessSql,
  nomenclatureValuesSql,
  SYNTHESE_NOMENCLATURES,
  type SyntheseNomenclatureField,
  taxaSql,
} from '@biodiv/core'
import type { FieldMapping } from '../import-schemas.ts'
import { TARGET_FIELDS, type TargetFieldType } from '../target-fields.ts'
import type { CheckErrorCode } from './error-codes.ts'
import { nomenclatureColumn, sourceColumnName } from './staging-table.ts'

/** { <nomenclature field>: { <source value>: <SINP code> } } */
export type ContentMapping = Record<string, Record<string, string>>

export interface BuildInput {
  importId: number
  columns: readonly string[]
  fieldMapping: FieldMapping
  srid: number
  /** The import's own dataset: its id and the error that forbids it (null: usable), or null when none. */
  importDataset: { id: number; error: CheckErrorCode | null } | null
  /** Default nomenclature id of each nomenclature field (null: no default). */
  defaults: Partial<Record<SyntheseNomenclatureField, number | null>>
  /** The box (lon/lat) geometries must fall within. */
  bbox: readonly [number, number, number, number]
}

/** Separates a code from its column in the per-row error list. */
export const SEP = '\u001f'

const literal = (s: string) => `'${s.replace(/\0/g, '').replaceAll("'", "''")}'`
const ident = (s: string) => `"${s.replaceAll('"', '""')}"`
const v = (field: string) => ident(`v_${field}`)
const p = (field: string) => ident(`p_${field}`)

const NOMENCLATURE_FIELDS = Object.keys(SYNTHESE_NOMENCLATURES) as SyntheseNomenclatureField[]
const TYPE_OF = new Map<string, TargetFieldType>(TARGET_FIELDS.map((f) => [f.name, f.type]))

const PARSER: Partial<Record<TargetFieldType, string>> = {
  integer: 'import.parse_integer',
  number: 'import.parse_number',
  uuid: 'import.parse_uuid',
  date: 'import.parse_timestamp',
  time: 'import.parse_time',
}
const SQL_TYPE: Partial<Record<TargetFieldType, string>> = {
  integer: 'integer',
  number: 'double precision',
  uuid: 'uuid',
  date: 'timestamptz',
  time: 'time',
}
/** A plain 2D point, which ST_GeomFromText reads without fail: no subtransaction needed (most big files). */
const NUMBER = '[+-]?([0-9]+([.][0-9]*)?|[.][0-9]+)([eE][+-]?[0-9][0-9]?)?'
const POINT_WKT = `^\\s*[Pp][Oo][Ii][Nn][Tt]\\s*[(]\\s*${NUMBER}\\s+${NUMBER}\\s*[)]\\s*$`
const INVALID: Partial<Record<TargetFieldType, CheckErrorCode>> = {
  integer: 'INVALID_INTEGER',
  uuid: 'INVALID_UUID',
  date: 'INVALID_DATE',
  time: 'INVALID_DATE',
}
const ATTACHMENTS = ['communeCode', 'gridCode', 'departementCode']
/** Integers the synthese requires non-negative. */
const NON_NEGATIVE = new Set(['countMin', 'countMax', 'precision'])

/**
 * The query giving the rows of `import.rows_<id>` from a raw table `raw` in one pass: every value normalised (trimmed,
 * empty = NULL), parsed by the safe parsers of the `import` schema, resolved (taxon, nomenclatures through the
 * content mapping, dataset, geometry), and the row's errors listed in `errs` (`CODE<SEP>column`). Parameters:
 * $1 owner id, $2 owner organism id, $3 owner's IMPORT C scope (0: none), $4 the content mapping (jsonb).
 * Each level ends with OFFSET 0 so that a parsed value is computed once, not once per reference.
 */
export function buildStagingSelect(input: BuildInput, raw: string): string {
  const { fieldMapping: mapping, columns } = input
  const mapped = (field: string) => field in mapping
  /** The raw SQL expression of a field's source (column or constant); NULL when unmapped. */
  const source = (field: string, alias = 'r'): string => {
    const s = mapping[field]
    if (!s) return 'NULL::text'
    if ('constant' in s) return `${literal(String(s.constant))}::text`
    const index = columns.indexOf(s.column)
    return index < 0 ? 'NULL::text' : `${alias}.${sourceColumnName(index)}`
  }
  /** The column named in an error: the source column, or the target field for a constant or unmapped field. */
  const columnOf = (field: string): string => {
    const s = mapping[field]
    return s && 'column' in s ? s.column : field
  }
  const err = (code: CheckErrorCode, field: string | null, condition: string) =>
    `CASE WHEN ${condition} THEN ${literal(`${code}${SEP}${field === null ? '' : columnOf(field)}`)} END`

  const fields = TARGET_FIELDS.map((f) => f.name)
  const nomenclatures = NOMENCLATURE_FIELDS.filter(mapped)

  // Level 1: normalised source values.
  const normalised = fields.map((f) => `NULLIF(btrim(${source(f)}), '') AS ${v(f)}`)

  // Level 2: parsed values and lookups.
  const parsed: string[] = []
  for (const f of fields) {
    const type = TYPE_OF.get(f)!
    const parser = PARSER[type]
    // Unmapped fields cost nothing: a typed NULL.
    if (parser)
      parsed.push(mapped(f) ? `${parser}(s.${v(f)}) AS ${p(f)}` : `NULL::${SQL_TYPE[type]} AS ${p(f)}`)
  }
  parsed.push(
    mapped('wkt')
      ? `CASE WHEN s.${v('wkt')} ~ '${POINT_WKT}' THEN ST_SetSRID(ST_GeomFromText(s.${v('wkt')}), ${input.srid})
              ELSE import.parse_geometry(s.${v('wkt')}, ${input.srid}) END AS g_wkt`
      : 'NULL::geometry AS g_wkt',
  )
  const attach = (types: string[], field: string, alias: string) =>
    mapped(field)
      ? `CASE WHEN s.${v(field)} IS NOT NULL THEN ${areaGeometryByCodeSql(types, `s.${v(field)}`)} END AS ${alias}`
      : `NULL::geometry AS ${alias}`
  parsed.push(
    attach(['COM'], 'communeCode', 'g_com'),
    attach(['M1', 'M5', 'M10'], 'gridCode', 'g_grid'),
    attach(['DEP'], 'departementCode', 'g_dep'),
  )
  const importDataset = input.importDataset
    ? `${literal(JSON.stringify([input.importDataset.id, input.importDataset.error]))}::jsonb`
    : 'NULL::jsonb'
  parsed.push(
    `CASE WHEN s.${v('datasetUuid')} IS NOT NULL THEN lk.ds -> (import.parse_uuid(s.${v('datasetUuid')})::text)
          ELSE ${importDataset} END AS ds`,
  )
  for (const f of nomenclatures) {
    const fallback = input.defaults[f] ?? null
    parsed.push(
      `CASE WHEN s.${v(f)} IS NULL THEN ${fallback === null ? 'NULL' : fallback}::integer
            ELSE (lk.nom ->> (${literal(f + SEP)} || s.${v(f)}))::integer END AS ${p(f)}`,
    )
  }

  // Level 3: the geometry, from the first source the row fills.
  const filled = (...f: string[]) => f.map((x) => `s.${v(x)} IS NOT NULL`).join(' OR ')
  const attachments = `((s.${v('communeCode')} IS NOT NULL)::int + (s.${v('gridCode')} IS NOT NULL)::int
                        + (s.${v('departementCode')} IS NOT NULL)::int)`
  const geometry = [
    `CASE WHEN ${filled('wkt')} THEN 'wkt' WHEN ${filled('x', 'y')} THEN 'xy'
          WHEN ${attachments} > 1 THEN 'multiple' WHEN ${attachments} = 1 THEN 'area' END AS geo_kind`,
    `CASE WHEN ${filled('wkt')} THEN s.g_wkt
          WHEN ${filled('x', 'y')} THEN ST_SetSRID(ST_MakePoint(s.${p('x')}, s.${p('y')}), ${input.srid})
          WHEN ${attachments} = 1 THEN COALESCE(s.g_com, s.g_grid, s.g_dep) END AS g_src`,
  ]
  // Level 4: in 4326, valid, within the box.
  const [xmin, ymin, xmax, ymax] = input.bbox.map(Number)
  const checkedGeometry = [
    input.srid === 4326
      ? 's.g_src AS g_4326'
      : `CASE WHEN s.geo_kind = 'area' THEN s.g_src ELSE import.try_transform(s.g_src, 4326) END AS g_4326`,
    // A point is valid unless empty (non-finite coordinates fall out of the box): ST_IsValid costs 2-3 µs a row.
    `CASE WHEN s.g_src IS NULL THEN NULL WHEN ST_IsEmpty(s.g_src) THEN true
          WHEN GeometryType(s.g_src) = 'POINT' THEN false ELSE NOT ST_IsValid(s.g_src) END AS g_invalid`,
  ]
  const box = `ST_MakeEnvelope(${xmin}, ${ymin}, ${xmax}, ${ymax}, 4326)`

  // Level 5: typed values and errors.
  const combine = (date: string, time: string) =>
    `CASE WHEN ${time} IS NULL THEN ${date} ELSE (((${date})::date + ${time})::timestamptz) END`
  const dateMin = combine(`s.${p('dateMin')}`, `s.${p('hourMin')}`)
  const dateMax = `CASE WHEN s.${v('dateMax')} IS NOT NULL THEN ${combine(`s.${p('dateMax')}`, `s.${p('hourMax')}`)}
    WHEN s.${p('hourMax')} IS NOT NULL THEN ${combine(`s.${p('dateMin')}`, `s.${p('hourMax')}`)}
    ELSE ${dateMin} END`
  const integer = (f: string) => `s.${p(f)}`
  const countMin = `COALESCE(${integer('countMin')}, CASE WHEN s.${v('countMin')} IS NULL THEN ${integer('countMax')} END)`
  const countMax = `COALESCE(${integer('countMax')}, CASE WHEN s.${v('countMax')} IS NULL THEN ${integer('countMin')} END)`
  const geometryOk = `s.g_4326 IS NOT NULL AND NOT s.g_invalid AND s.g_4326 @ ${box}`

  const typed: [string, string][] = [
    [
      'unique_id_sinp',
      `CASE WHEN s.${v('uniqueIdSinp')} IS NULL THEN gen_random_uuid() ELSE s.${p('uniqueIdSinp')} END`,
    ],
    ['unique_id_sinp_grp', `s.${p('uniqueIdSinpGrp')}`],
    ['entity_source_pk_value', `s.${v('entitySourcePkValue')}`],
    ['id_dataset', `CASE WHEN s.ds ->> 1 IS NULL THEN (s.ds ->> 0)::integer END`],
    ['cd_nom', 's.cd_nom_found'],
    ['nom_cite', `s.${v('nomCite')}`],
    ['count_min', `CASE WHEN ${countMin} >= 0 THEN ${countMin} END`],
    ['count_max', `CASE WHEN ${countMax} >= 0 THEN ${countMax} END`],
    ['date_min', dateMin],
    ['date_max', dateMax],
    ['observers', `s.${v('observers')}`],
    ['determiner', `s.${v('determiner')}`],
    ['the_geom_4326', `CASE WHEN ${geometryOk} THEN s.g_4326 END::geometry(Geometry,4326)`],
    ['precision', `CASE WHEN s.${p('precision')} >= 0 THEN s.${p('precision')} END`],
    ['altitude_min', integer('altitudeMin')],
    ['altitude_max', integer('altitudeMax')],
    ['depth_min', integer('depthMin')],
    ['depth_max', integer('depthMax')],
    ['place_name', `s.${v('placeName')}`],
    ['comment_context', `s.${v('commentContext')}`],
    ['comment_description', `s.${v('commentDescription')}`],
    ['validator', `s.${v('validator')}`],
    ['validation_date', `s.${p('validationDate')}`],
    ['validation_comment', `s.${v('validationComment')}`],
    [
      'additional_data',
      `NULLIF(jsonb_strip_nulls(jsonb_build_object('preuve_numerique_url', s.${v('digitalProof')},
         'preuve_non_numerique', s.${v('nonDigitalProof')})), '{}'::jsonb)`,
    ],
    ...NOMENCLATURE_FIELDS.map((f): [string, string] => [
      nomenclatureColumn(f),
      mapped(f) ? `s.${p(f)}` : `${input.defaults[f] ?? 'NULL'}::integer`,
    ]),
  ]

  const errors: string[] = [
    err('ROW_HAVE_TOO_MUCH_COLUMN', null, `s.field_count > ${columns.length}`),
    err('ROW_HAVE_LESS_COLUMN', null, `s.field_count < ${columns.length}`),
  ]
  for (const f of ['cdNom', 'nomCite', 'dateMin']) errors.push(err('MISSING_VALUE', f, `s.${v(f)} IS NULL`))
  for (const f of fields) {
    const type = TYPE_OF.get(f)!
    const code = INVALID[type]
    if (!code || !mapped(f) || f === 'x' || f === 'y') continue
    const bad = NON_NEGATIVE.has(f) ? ` OR s.${p(f)} < 0` : ''
    errors.push(err(code, f, `s.${v(f)} IS NOT NULL AND (s.${p(f)} IS NULL${bad})`))
  }
  errors.push(
    err('CD_NOM_NOT_FOUND', 'cdNom', `s.${p('cdNom')} IS NOT NULL AND s.cd_nom_found IS NULL`),
    err('DATE_MIN_SUP_DATE_MAX', 'dateMin', `(${dateMin}) > (${dateMax})`),
    err('DATE_MAX_TOO_HIGH', mapped('dateMax') ? 'dateMax' : 'dateMin', `(${dateMax}) > now()`),
    err('COUNT_MIN_SUP_COUNT_MAX', 'countMin', `${countMin} > ${countMax}`),
    err('ALTI_MIN_SUP_ALTI_MAX', 'altitudeMin', `s.${p('altitudeMin')} > s.${p('altitudeMax')}`),
    err('DEPTH_MIN_SUP_DEPTH_MAX', 'depthMin', `s.${p('depthMin')} > s.${p('depthMax')}`),
    err(
      'INVALID_URL_PROOF',
      'digitalProof',
      `s.${v('digitalProof')} IS NOT NULL AND s.${v('digitalProof')} !~* '^https?://[^\\s/?#]+[^\\s]*$'`,
    ),
  )
  for (const f of nomenclatures)
    errors.push(err('INVALID_NOMENCLATURE', f, `s.${v(f)} IS NOT NULL AND s.${p(f)} IS NULL`))
  // Dataset: the row's datasetUuid, else the import's.
  errors.push(
    input.importDataset ? 'NULL' : err('MISSING_VALUE', 'datasetUuid', `s.${v('datasetUuid')} IS NULL`),
    err(
      'DATASET_NOT_FOUND',
      'datasetUuid',
      `s.${v('datasetUuid')} IS NOT NULL AND s.${p('datasetUuid')} IS NOT NULL AND s.ds IS NULL`,
    ),
    err('DATASET_NOT_AUTHORIZED', 'datasetUuid', `s.ds ->> 1 = 'DATASET_NOT_AUTHORIZED'`),
    err('DATASET_NOT_ACTIVE', 'datasetUuid', `s.ds ->> 1 = 'DATASET_NOT_ACTIVE'`),
  )
  // Geometry.
  const xyColumn = mapped('x') ? 'x' : 'y'
  errors.push(
    err('MISSING_GEOM', null, 's.geo_kind IS NULL'),
    err('MULTIPLE_ATTACHMENT_TYPE_CODE', null, `s.geo_kind = 'multiple'`),
    err('INVALID_WKT', 'wkt', `s.geo_kind = 'wkt' AND s.g_src IS NULL`),
    err('INVALID_GEOMETRY', xyColumn, `s.geo_kind = 'xy' AND (s.${p('x')} IS NULL OR s.${p('y')} IS NULL)`),
    `CASE WHEN s.geo_kind = 'area' AND s.g_src IS NULL THEN ${literal(`INVALID_ATTACHMENT_CODE${SEP}`)} || CASE
       ${ATTACHMENTS.map((f) => `WHEN s.${v(f)} IS NOT NULL THEN ${literal(columnOf(f))}`).join(' ')} END END`,
    err('INVALID_GEOMETRY', mapped('wkt') ? 'wkt' : xyColumn, 's.g_invalid'),
    err(
      'GEOMETRY_OUT_OF_BOX',
      mapped('wkt') ? 'wkt' : xyColumn,
      `s.g_src IS NOT NULL AND NOT s.g_invalid AND (s.g_4326 IS NULL OR NOT s.g_4326 @ ${box})`,
    ),
  )

  const rawColumns = columns.map((_, i) => `r.${sourceColumnName(i)}`)
  const nomenclatureLookup =
    nomenclatures.length === 0
      ? `'{}'::jsonb`
      : `(SELECT COALESCE(jsonb_object_agg(x.k, x.id), '{}'::jsonb) FROM (
          SELECT DISTINCT ON (d.field, d.value) d.field || ${literal(SEP)} || d.value AS k, n.id
            FROM (SELECT DISTINCT f.field, f.value FROM ${raw} r
                   CROSS JOIN LATERAL (VALUES ${nomenclatures
                     .map((f) => `(${literal(f)}, NULLIF(btrim(${source(f)}), ''))`)
                     .join(', ')}) f(field, value)
                  WHERE f.value IS NOT NULL) d
            JOIN (VALUES ${nomenclatures
              .map((f) => `(${literal(f)}, ${literal(SYNTHESE_NOMENCLATURES[f][1])})`)
              .join(', ')}) ft(field, type) ON ft.field = d.field
            JOIN ${nomenclatureValuesSql()} n ON n.type = ft.type
           CROSS JOIN LATERAL (SELECT $4::jsonb -> d.field ->> d.value AS code) m
           WHERE n.code = COALESCE(m.code, d.value)
              OR (m.code IS NULL AND n.label_key = ref_geo.search_key(d.value))
           ORDER BY d.field, d.value, (n.code = COALESCE(m.code, d.value)) DESC, n.id) x)`
  const datasetLookup = mapped('datasetUuid')
    ? `(SELECT COALESCE(jsonb_object_agg(d.uuid::text, jsonb_build_array(d.id,
          CASE WHEN NOT d.visible THEN 'DATASET_NOT_AUTHORIZED'
               WHEN NOT d.active THEN 'DATASET_NOT_ACTIVE' END)), '{}'::jsonb)
         FROM ${datasetAccessSql()} d
        WHERE d.uuid IN (SELECT import.parse_uuid(${source('datasetUuid')}) FROM ${raw} r))`
    : `'{}'::jsonb`

  return `WITH lk AS MATERIALIZED (SELECT ${nomenclatureLookup} AS nom, ${datasetLookup} AS ds, $1::int AS owner,
                                $2::int AS organism, $3::int AS scope, $4::jsonb AS content)
SELECT s.line, s.field_count, ${columns.map((_, i) => `s.${sourceColumnName(i)}`).join(', ')},
       cardinality(s.errs) = 0 AS valid,
       ${typed.map(([c]) => `s.${c}`).join(', ')},
       s.errs
  FROM (
SELECT s.line, s.field_count, ${columns.map((_, i) => `s.${sourceColumnName(i)}`).join(', ')},
       ${typed.map(([c, e]) => `${e} AS ${c}`).join(',\n       ')},
       array_remove(ARRAY[${errors.join(',\n         ')}]::text[], NULL) AS errs
  FROM (
SELECT s.*, ${checkedGeometry.join(', ')} FROM (
SELECT s.*, ${geometry.join(', ')} FROM (
SELECT s.*, ${parsed.join(',\n       ')}, tx.cd_nom AS cd_nom_found
  FROM (SELECT r.line, r.field_count, ${rawColumns.map((c, i) => `${c} AS ${sourceColumnName(i)}`).join(', ')},
               ${normalised.join(',\n               ')}
          FROM ${raw} r OFFSET 0) s
 CROSS JOIN lk
  LEFT JOIN ${taxaSql()} tx ON tx.cd_nom = import.parse_integer(s.${v('cdNom')})
 OFFSET 0) s OFFSET 0) s OFFSET 0) s OFFSET 0) s`
}
