import { pipeline, Transform } from 'node:stream'
import type pg from 'pg'
import QueryStream from 'pg-query-stream'
import { blurDescriptionSql } from '../sensitivity/observation-source.ts'
import { type ObservationCaller, type ObservationSearch, observationWhere } from './synthese-queries.ts'
import { SYNTHESE_NOMENCLATURES, type SyntheseNomenclatureField } from './synthese-service.ts'

/** The export column of each observation nomenclature (GeoNature's export names); values are SINP codes. */
export const EXPORT_NOMENCLATURE_COLUMNS: Record<SyntheseNomenclatureField, string> = {
  geoObjectNature: 'nature_objet_geo',
  grpTyp: 'type_regroupement',
  obsTechnique: 'technique_observation',
  bioStatus: 'statut_biologique',
  bioCondition: 'etat_biologique',
  naturalness: 'naturalite',
  existProof: 'preuve_existante',
  validStatus: 'niveau_validation',
  diffusionLevel: 'niveau_precision_diffusion',
  lifeStage: 'stade_vie',
  sex: 'sexe',
  objCount: 'objet_denombrement',
  typeCount: 'type_denombrement',
  sensitivity: 'niveau_sensibilite',
  observationStatus: 'statut_observation',
  blurring: 'floutage_dee',
  sourceStatus: 'statut_source',
  infoGeoType: 'type_info_geo',
  behaviour: 'comportement',
  biogeoStatus: 'statut_biogeographique',
  determinationMethod: 'methode_determination',
}

const isoText = (column: string) => `(to_json(${column}) #>> '{}')`

const codeOf = (column: string) =>
  `(SELECT n.cd_nomenclature FROM ref_nomenclatures.nomenclatures n WHERE n.id = s.id_nomenclature_${column})`

/**
 * Export column name → SQL on `s` (the observation source: blurred rows come blurred), `t` (taxref), `d` (dataset),
 * `src` (source). Order = file order. A blurred row says so: `floutage_dee` OUI and `generalisation_donnees`.
 */
const COLUMNS: [string, string][] = [
  ['id_synthese', 's.id'],
  ['uuid_perm_sinp', 's.unique_id_sinp'],
  ['uuid_perm_grp_sinp', 's.unique_id_sinp_grp'],
  ['id_origine', 's.entity_source_pk_value'],
  ['source', 'src.name'],
  ['jdd_id', 'd.id'],
  ['jdd_uuid', 'd.uuid'],
  ['jdd_nom', 'd.name'],
  ['cd_nom', 's.cd_nom'],
  ['cd_ref', 't.cd_ref'],
  ['nom_valide', 't.nom_valide'],
  ['nom_vernaculaire', 't.nom_vern'],
  ['nom_cite', 's.nom_cite'],
  ['nombre_min', 's.count_min'],
  ['nombre_max', 's.count_max'],
  ['date_debut', isoText('s.date_min')],
  ['date_fin', isoText('s.date_max')],
  ['observateurs', 's.observers'],
  ['determinateur', 's.determiner'],
  ['altitude_min', 's.altitude_min'],
  ['altitude_max', 's.altitude_max'],
  ['profondeur_min', 's.depth_min'],
  ['profondeur_max', 's.depth_max'],
  ['lieu_dit', 's.place_name'],
  ['comment_releve', 's.comment_context'],
  ['comment_occurrence', 's.comment_description'],
  ['precision', 's.precision'],
  ['geometrie_wkt_4326', 'ST_AsText(s.the_geom_4326)'],
  ['x_centroid_4326', 'ST_X(s.the_geom_point)'],
  ['y_centroid_4326', 'ST_Y(s.the_geom_point)'],
  ...Object.entries(SYNTHESE_NOMENCLATURES).map(([field, [column]]): [string, string] => [
    EXPORT_NOMENCLATURE_COLUMNS[field as SyntheseNomenclatureField],
    field === 'blurring' ? `CASE WHEN s.blurred THEN 'OUI' ELSE ${codeOf(column)} END` : codeOf(column),
  ]),
  ['validateur', 's.validator'],
  ['date_validation', isoText('s.validation_date')],
  ['comment_validation', 's.validation_comment'],
  ['champs_additionnels', 's.additional_data'],
  ['date_creation', isoText('s.meta_create_date')],
  ['date_modification', isoText('s.meta_update_date')],
  ['generalisation_donnees', blurDescriptionSql('s')],
]

/** The columns of both export formats (CSV header, GeoJSON properties), in order. */
export const EXPORT_COLUMNS = COLUMNS.map(([name]) => name)

export type ExportFormat = 'csv' | 'geojson'

export interface ExportOptions {
  format: ExportFormat
  /** CSV field separator. */
  separator?: ';' | ','
  /** Start the CSV with a UTF-8 byte order mark (spreadsheets then read UTF-8). */
  bom?: boolean
}

/** One CSV field, RFC 4180: quoted when it holds the separator, a quote, CR or LF; quotes doubled. */
export function csvField(value: unknown, separator: string): string {
  if (value === null || value === undefined) return ''
  const text = typeof value === 'object' ? JSON.stringify(value) : String(value)
  return text.includes(separator) || /["\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text
}

/** How many rows each round trip to the database fetches from the cursor. */
const BATCH_SIZE = 1000

/**
 * The export query of the observations visible to the caller that match the filters, oldest first. Builds (and
 * checks) the filters before anything is read: bad filters throw their 400 here.
 */
export async function exportQuery(
  pool: pg.Pool,
  caller: ObservationCaller,
  filters: ObservationSearch,
  format: ExportFormat,
) {
  const { from, where, params } = await observationWhere(pool, caller, filters)
  const select =
    format === 'csv'
      ? 'e.*'
      : `'{"type":"Feature","id":' || s.id || ',"geometry":' || ST_AsGeoJSON(s.the_geom_4326, 6)
           || ',"properties":' || row_to_json(e)::text || '}' AS feature`
  const text = `SELECT ${select}
       FROM ${from} s
       JOIN taxonomie.taxref t ON t.cd_nom = s.cd_nom
       JOIN gn_meta.datasets d ON d.id = s.id_dataset
       JOIN gn_synthese.sources src ON src.id = s.id_source
       CROSS JOIN LATERAL (SELECT ${COLUMNS.map(([name, sql]) => `${sql} AS ${name}`).join(', ')}) e
      WHERE ${where.join('\n        AND ')}
      ORDER BY s.id`
  return { text, params }
}

/**
 * Streams the export from a server-side cursor (pg-query-stream, BATCH_SIZE rows per round trip) on a dedicated
 * pooled client, formatted on the fly: memory stays constant whatever the row count. The client goes back to the
 * pool when the stream ends, and is discarded on an error or when the consumer destroys the stream (client abort).
 * Nothing is emitted before the first row (or the end) arrives, so an error of the query's start can still be
 * answered as JSON; a later error destroys the returned stream (the response is then aborted, never complete-looking).
 */
export async function streamExport(
  pool: pg.Pool,
  query: { text: string; params: unknown[] },
  options: ExportOptions,
): Promise<Transform> {
  const client = await pool.connect()
  const rows = client.query(
    new QueryStream(query.text, query.params, {
      batchSize: BATCH_SIZE,
      rowMode: options.format === 'csv' ? 'array' : undefined,
    }),
  )
  // A connection lost between two batches reaches the client, not the idle cursor (whose own destroy would then
  // wait forever for the server): discard the client and fail the output (an unhandled client error would also take
  // the process down).
  const onClientError = (error: Error) => {
    release(error)
    formatter.destroy(error)
  }
  client.on('error', onClientError)
  let released = false
  const release = (error?: Error | null) => {
    if (released) return
    released = true
    client.removeListener('error', onClientError)
    // On an error or an abort the connection is discarded (its late errors ignored), never reused mid-cursor.
    if (error) client.on('error', () => undefined)
    client.release(error ?? undefined)
  }
  const sep = options.separator ?? ';'
  let first = true
  const head =
    options.format === 'csv'
      ? `${options.bom ? '\uFEFF' : ''}${EXPORT_COLUMNS.map((c) => csvField(c, sep)).join(sep)}\r\n`
      : '{"type":"FeatureCollection","features":[\n'
  const formatter = new Transform({
    writableObjectMode: true,
    transform(row: unknown[] | { feature: string }, _encoding, callback) {
      let line: string
      if (options.format === 'csv') line = `${(row as unknown[]).map((v) => csvField(v, sep)).join(sep)}\r\n`
      else line = `${first ? '' : ',\n'}${(row as { feature: string }).feature}`
      callback(null, first ? head + line : line)
      first = false
    },
    flush(callback) {
      callback(null, `${first ? head : ''}${options.format === 'csv' ? '' : '\n]}\n'}`)
    },
  })
  pipeline(rows, formatter, (error) => release(error ? new Error(error.message) : null))
  return formatter
}
