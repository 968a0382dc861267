import type pg from 'pg'
import { withTransaction } from '../db/transaction.ts'
import { badRequest, notFound } from '../http/app-error.ts'
import { type Queryable, resolveNomenclatureCodes } from '../nomenclature/nomenclature-service.ts'
import type { RuleFilter, RuleInput, SensitivityRule } from './sensitivity-schemas.ts'

/**
 * The sensitivity referential (gn_sensitivity.rules with their areas and criteria, ADR 15) and the recomputation of
 * the synthese rows a change affects. Every change runs in one transaction: write the rules, rebuild rule_taxa, then
 * re-run the synthese row trigger on the rows whose level changes (set-based, one UPDATE).
 */

/** Serialises the writers of the referential and the refreshes (refresh_rule_taxa rewrites the whole table). */
const LOCK = [20261204, 1]

const DAYS_IN_MONTH = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]

/**
 * A day of the year as `MMDD`, from `MMDD`, `MM-DD`, `--MM-DD`, `DD/MM` (French), or a full date `YYYY-MM-DD` /
 * `DD/MM/YYYY` (the INPN file gives dates whose year does not matter). Empty → null; anything else → undefined.
 */
export function normalizeMonthDay(value: string | null | undefined): string | null | undefined {
  const text = value?.trim() ?? ''
  if (text === '') return null
  const patterns: [RegExp, 'md' | 'dm'][] = [
    [/^(\d{2})(\d{2})$/, 'md'],
    [/^-{0,2}(\d{2})-(\d{2})$/, 'md'],
    [/^\d{4}-(\d{2})-(\d{2})(?:[T ].*)?$/, 'md'],
    [/^(\d{1,2})\/(\d{1,2})(?:\/\d{4})?$/, 'dm'],
  ]
  for (const [pattern, order] of patterns) {
    const m = pattern.exec(text)
    if (!m) continue
    const [a, b] = [Number(m[1]), Number(m[2])]
    const [month, day] = order === 'md' ? [a, b] : [b, a]
    if (month < 1 || month > 12 || day < 1 || day > DAYS_IN_MONTH[month - 1]!) return undefined
    return `${String(month).padStart(2, '0')}${String(day).padStart(2, '0')}`
  }
  return undefined
}

type FieldError = { field: string; message: string }

/** The period of a rule, checked: both ends or none, each a real day of the year. */
export function checkPeriod(
  start: string | null | undefined,
  end: string | null | undefined,
): { period: [string, string] | null; errors: FieldError[] } {
  const s = normalizeMonthDay(start)
  const e = normalizeMonthDay(end)
  const errors: FieldError[] = []
  if (s === undefined)
    errors.push({ field: 'periodStart', message: `"${start}" is not a day of the year (MMDD)` })
  if (e === undefined)
    errors.push({ field: 'periodEnd', message: `"${end}" is not a day of the year (MMDD)` })
  if (errors.length) return { period: null, errors }
  if ((s === null) !== (e === null)) {
    const missing = s === null ? 'periodStart' : 'periodEnd'
    return {
      period: null,
      errors: [{ field: missing, message: 'a period needs both its start and its end' }],
    }
  }
  return { period: s && e ? [s, e] : null, errors: [] }
}

const RULE_SELECT = `
SELECT r.id, r.cd_nom, r.nom_cite, t.lb_nom, t.nom_vern, t.rang, r.level, COALESCE(ln.label_fr, r.level::text) AS level_label,
       r.duration_years, r.period_start, r.period_end, r.active, r.source, r.comment, r.created_at, r.updated_at,
       COALESCE((SELECT json_agg(json_build_object('id', a.id, 'type', at.code, 'code', a.area_code, 'name', a.area_name)
                                 ORDER BY at.code, a.area_code)
                   FROM gn_sensitivity.rule_areas ra JOIN ref_geo.areas a ON a.id = ra.area_id
                   JOIN ref_geo.area_types at ON at.id = a.type_id
                  WHERE ra.rule_id = r.id), '[]') AS areas,
       COALESCE((SELECT json_agg(json_build_object('type', ty.mnemonique, 'code', n.cd_nomenclature, 'label', n.label_fr)
                                 ORDER BY ty.mnemonique, n.cd_nomenclature)
                   FROM gn_sensitivity.rule_criteria rc JOIN ref_nomenclatures.nomenclatures n ON n.id = rc.id_nomenclature
                   JOIN ref_nomenclatures.types ty ON ty.id = n.type_id
                  WHERE rc.rule_id = r.id), '[]') AS criteria
  FROM gn_sensitivity.rules r
  JOIN taxonomie.taxref t ON t.cd_nom = r.cd_nom
  LEFT JOIN gn_sensitivity.levels l ON l.level = r.level
  LEFT JOIN ref_nomenclatures.nomenclatures ln ON ln.id = l.id_nomenclature`

interface RuleRow {
  id: number
  cd_nom: number
  nom_cite: string | null
  lb_nom: string
  nom_vern: string | null
  rang: string
  level: number
  level_label: string
  duration_years: number | null
  period_start: string | null
  period_end: string | null
  active: boolean
  source: string | null
  comment: string | null
  created_at: Date
  updated_at: Date
  areas: SensitivityRule['areas']
  criteria: SensitivityRule['criteria']
}

const toRule = (r: RuleRow): SensitivityRule => ({
  id: r.id,
  cdNom: r.cd_nom,
  nomCite: r.nom_cite,
  taxon: { lbNom: r.lb_nom, nomVern: r.nom_vern, rang: r.rang },
  level: r.level,
  levelLabel: r.level_label,
  durationYears: r.duration_years,
  periodStart: r.period_start,
  periodEnd: r.period_end,
  active: r.active,
  source: r.source,
  comment: r.comment,
  areas: r.areas,
  criteria: r.criteria,
  createdAt: r.created_at.toISOString(),
  updatedAt: r.updated_at.toISOString(),
})

/** A page of rules (by taxon name, then highest level first), filtered by taxon (and below), level, active, source. */
export async function listRules(
  db: Queryable,
  filter: Partial<RuleFilter>,
): Promise<{ items: SensitivityRule[]; total: number; limit: number; offset: number }> {
  const conditions: string[] = []
  const params: unknown[] = []
  const param = (value: unknown) => {
    params.push(value)
    return `$${params.length}`
  }
  if (filter.cdNom !== undefined)
    conditions.push(
      `r.cd_nom IN (SELECT cd_nom FROM taxonomie.taxon_subtree(${param(filter.cdNom)}::integer))`,
    )
  if (filter.level !== undefined) conditions.push(`r.level = ${param(filter.level)}::smallint`)
  if (filter.active !== undefined) conditions.push(`r.active = ${param(filter.active)}::boolean`)
  if (filter.source !== undefined) conditions.push(`r.source = ${param(filter.source)}::text`)
  const where = conditions.length ? `WHERE ${conditions.join(' AND ')}` : ''
  const limit = filter.limit ?? 50
  const offset = filter.offset ?? 0
  const [{ rows }, count] = await Promise.all([
    db.query<RuleRow>(
      `${RULE_SELECT} ${where} ORDER BY t.lb_nom, r.level DESC, r.id LIMIT ${param(limit)} OFFSET ${param(offset)}`,
      params,
    ),
    db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM gn_sensitivity.rules r ${where}`,
      params.slice(0, conditions.length),
    ),
  ])
  return { items: rows.map(toRule), total: count.rows[0]!.n, limit, offset }
}

/** One rule; 404 RULE_NOT_FOUND. */
export async function getRule(db: Queryable, id: number): Promise<SensitivityRule> {
  const { rows } = await db.query<RuleRow>(`${RULE_SELECT} WHERE r.id = $1`, [id])
  if (!rows[0]) throw notFound('RULE_NOT_FOUND', `Sensitivity rule ${id} does not exist`)
  return toRule(rows[0])
}

interface CheckedRule {
  period: [string, string] | null
  areaIds: number[]
  criterionIds: number[]
}

/**
 * Checks a rule against the referentials, each kind of problem as one 400 naming its fields: UNKNOWN_TAXON (cdNom),
 * INVALID_PERIOD (periodStart / periodEnd), UNKNOWN_AREA (areaIds.i), UNKNOWN_NOMENCLATURE (criteria.i).
 */
async function checkRule(db: Queryable, input: RuleInput): Promise<CheckedRule> {
  const taxon = await db.query('SELECT 1 FROM taxonomie.taxref WHERE cd_nom = $1', [input.cdNom])
  if (!taxon.rowCount) {
    const message = `cd_nom ${input.cdNom} is not in TAXREF`
    throw badRequest('UNKNOWN_TAXON', `cdNom: ${message}`, [{ field: 'cdNom', message }])
  }
  const { period, errors } = checkPeriod(input.periodStart, input.periodEnd)
  if (errors.length) {
    throw badRequest('INVALID_PERIOD', errors.map((e) => `${e.field}: ${e.message}`).join('; '), errors)
  }
  const areaIds = input.areaIds ?? []
  if (areaIds.length) {
    const { rows } = await db.query<{ id: number }>(
      'SELECT id FROM ref_geo.areas WHERE id = ANY($1::integer[])',
      [areaIds],
    )
    const known = new Set(rows.map((r) => r.id))
    const missing = areaIds.flatMap((id, i) =>
      known.has(id) ? [] : [{ field: `areaIds.${i}`, message: `area ${id} does not exist` }],
    )
    if (missing.length) {
      throw badRequest('UNKNOWN_AREA', missing.map((e) => `${e.field}: ${e.message}`).join('; '), missing)
    }
  }
  const criterionIds = await resolveNomenclatureCodes(
    db,
    (input.criteria ?? []).map((c, i) => ({ type: c.type, code: c.code, field: `criteria.${i}` })),
  )
  return { period, areaIds, criterionIds }
}

/** What a change of the referential needs to recompute: the rules written and the taxa of the rules replaced. */
export interface RuleChangeScope {
  /** Rules created or updated: the rows of their (new) taxa's subtree are candidates. */
  ruleIds: number[]
  /** Taxa of the rules as they were before (updated or deleted): the rows of their subtree are candidates. */
  previousCdNoms: number[]
}

/**
 * A change of the referential inside the caller's transaction, serialised with other changes and refreshes: `write`
 * writes the rules and says what it touched; then rule_taxa is rebuilt and the affected synthese rows recomputed.
 * Resolves with the number of observations whose level changed.
 */
export async function applyRuleChange(
  client: pg.ClientBase,
  write: () => Promise<RuleChangeScope>,
): Promise<number> {
  await client.query('SELECT pg_advisory_xact_lock($1, $2)', LOCK)
  const scope = await write()
  await client.query('SELECT gn_sensitivity.refresh_rule_taxa()')
  return recomputeLevels(
    client,
    `(s.cd_nom IN (SELECT rt.cd_nom FROM gn_sensitivity.rule_taxa rt WHERE rt.rule_id = ANY($1::integer[]))
      OR s.cd_nom IN (SELECT t.cd_nom FROM unnest($2::integer[]) o(cd_nom)
                       CROSS JOIN LATERAL taxonomie.taxon_subtree(o.cd_nom) t))`,
    [scope.ruleIds, [...new Set(scope.previousCdNoms)]],
  )
}

/** `applyRuleChange` in its own transaction; `fn` gives its result and what it touched. */
export async function withRuleChange<T>(
  pool: pg.Pool,
  fn: (client: pg.PoolClient) => Promise<{ result: T; scope: RuleChangeScope }>,
): Promise<{ result: T; recomputed: number }> {
  return withTransaction(pool, async (client) => {
    let result: T | undefined
    const recomputed = await applyRuleChange(client, async () => {
      const done = await fn(client)
      result = done.result
      return done.scope
    })
    return { result: result as T, recomputed }
  })
}

/**
 * Re-runs the synthese row trigger on the candidate rows (`condition` on alias `s`) whose level from the rules differs
 * from the stored one, experts' overrides excepted. The ids are gathered first: when none changes, no UPDATE runs
 * (an empty UPDATE would still bump the synthese data version that tiles use as their ETag).
 */
async function recomputeLevels(client: pg.ClientBase, condition: string, params: unknown[]): Promise<number> {
  return rewriteRows(
    client,
    `NOT s.sensitivity_manual AND ${condition}
     AND s.sensitivity_level <> gn_sensitivity.rules_level(s.cd_nom, s.the_geom_local, s.date_min,
                                                           s.id_nomenclature_bio_status, s.id_nomenclature_behaviour)`,
    params,
    'sensitivity_level = s.sensitivity_level',
  )
}

async function rewriteRows(
  client: pg.ClientBase,
  condition: string,
  params: unknown[],
  set: string,
): Promise<number> {
  const staged = await client.query(
    `CREATE TEMP TABLE sensitivity_rewrite ON COMMIT DROP AS
     SELECT s.id FROM gn_synthese.synthese s WHERE ${condition}`,
    params,
  )
  let n = 0
  if (staged.rowCount) {
    const updated = await client.query(
      `UPDATE gn_synthese.synthese s SET ${set} FROM sensitivity_rewrite w WHERE s.id = w.id`,
    )
    n = updated.rowCount ?? 0
  }
  await client.query('DROP TABLE sensitivity_rewrite')
  return n
}

async function insertRuleLinks(client: pg.ClientBase, ruleId: number, checked: CheckedRule): Promise<void> {
  if (checked.areaIds.length) {
    await client.query(
      `INSERT INTO gn_sensitivity.rule_areas (rule_id, area_id) SELECT $1, unnest($2::integer[]) ON CONFLICT DO NOTHING`,
      [ruleId, checked.areaIds],
    )
  }
  if (checked.criterionIds.length) {
    await client.query(
      `INSERT INTO gn_sensitivity.rule_criteria (rule_id, id_nomenclature) SELECT $1, unnest($2::integer[])
       ON CONFLICT DO NOTHING`,
      [ruleId, checked.criterionIds],
    )
  }
}

const ruleValues = (input: RuleInput, checked: CheckedRule) => [
  input.cdNom,
  input.nomCite ?? null,
  input.level,
  input.durationYears ?? null,
  checked.period?.[0] ?? null,
  checked.period?.[1] ?? null,
  input.active ?? true,
  input.source ?? null,
  input.comment ?? null,
]

export interface RuleChangeResult {
  rule: SensitivityRule
  /** Observations whose sensitivity level changed. */
  recomputed: number
}

/** Creates a rule (400 on unknown taxon, area, criterion or a bad period), then recomputes the rows it covers. */
export async function createRule(pool: pg.Pool, input: RuleInput): Promise<RuleChangeResult> {
  const { result, recomputed } = await withRuleChange(pool, async (client) => {
    const checked = await checkRule(client, input)
    const { rows } = await client.query<{ id: number }>(
      `INSERT INTO gn_sensitivity.rules (cd_nom, nom_cite, level, duration_years, period_start, period_end, active,
                                         source, comment)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id`,
      ruleValues(input, checked),
    )
    const id = rows[0]!.id
    await insertRuleLinks(client, id, checked)
    return { result: id, scope: { ruleIds: [id], previousCdNoms: [] } }
  })
  return { rule: await getRule(pool, result), recomputed }
}

/** Replaces a rule (404 RULE_NOT_FOUND), then recomputes the rows of its former and new taxon. */
export async function updateRule(pool: pg.Pool, id: number, input: RuleInput): Promise<RuleChangeResult> {
  const { recomputed } = await withRuleChange(pool, async (client) => {
    const { rows } = await client.query<{ cd_nom: number }>(
      'SELECT cd_nom FROM gn_sensitivity.rules WHERE id = $1 FOR UPDATE',
      [id],
    )
    if (!rows[0]) throw notFound('RULE_NOT_FOUND', `Sensitivity rule ${id} does not exist`)
    const checked = await checkRule(client, input)
    await client.query(
      `UPDATE gn_sensitivity.rules SET cd_nom = $1, nom_cite = $2, level = $3, duration_years = $4, period_start = $5,
              period_end = $6, active = $7, source = $8, comment = $9, updated_at = now()
        WHERE id = $10`,
      [...ruleValues(input, checked), id],
    )
    await client.query('DELETE FROM gn_sensitivity.rule_areas WHERE rule_id = $1', [id])
    await client.query('DELETE FROM gn_sensitivity.rule_criteria WHERE rule_id = $1', [id])
    await insertRuleLinks(client, id, checked)
    return { result: id, scope: { ruleIds: [id], previousCdNoms: [rows[0].cd_nom] } }
  })
  return { rule: await getRule(pool, id), recomputed }
}

/** Deletes a rule (404 RULE_NOT_FOUND), then recomputes the rows of its taxon. */
export async function deleteRule(pool: pg.Pool, id: number): Promise<{ id: number; recomputed: number }> {
  const { recomputed } = await withRuleChange(pool, async (client) => {
    const { rows } = await client.query<{ cd_nom: number }>(
      'DELETE FROM gn_sensitivity.rules WHERE id = $1 RETURNING cd_nom',
      [id],
    )
    if (!rows[0]) throw notFound('RULE_NOT_FOUND', `Sensitivity rule ${id} does not exist`)
    return { result: id, scope: { ruleIds: [], previousCdNoms: [rows[0].cd_nom] } }
  })
  return { id, recomputed }
}

export interface RefreshOptions {
  /** Only the observations of these names (exactly these cd_nom, not their subtrees). */
  cdNoms?: number[]
  /**
   * Only the sensitive observations that a rule with a duration may no longer cover because they grew older than it
   * (what time changes; the periodic refresh).
   */
  expired?: boolean
  /** Rebuild rule_taxa first (after a TAXREF import). Default: true for a full refresh, false otherwise. */
  refreshTaxa?: boolean
  /** Give up (skipped: true) instead of waiting when another change or refresh holds the lock. */
  skipIfBusy?: boolean
}

export interface RefreshResult {
  /** Observations whose level changed. */
  recomputed: number
  /** Sensitive observations given a new blurred area (full refresh only: an area deleted, disabled or added). */
  reblurred: number
  skipped: boolean
}

/**
 * Recomputes the sensitivity of the synthese from the rules, set-based, in one transaction: by default every row that
 * matches a rule or has a level above 0 (and the blurred area of sensitive rows whose area changed); with `cdNoms`
 * only those names' rows; with `expired` only rows a duration may have stopped covering. Experts' overrides are kept.
 */
export async function refreshSensitivity(
  pool: pg.Pool,
  options: RefreshOptions = {},
): Promise<RefreshResult> {
  const full = options.cdNoms === undefined && !options.expired
  return withTransaction(pool, async (client) => {
    if (options.skipIfBusy) {
      const { rows } = await client.query<{ locked: boolean }>(
        'SELECT pg_try_advisory_xact_lock($1, $2) AS locked',
        LOCK,
      )
      if (!rows[0]!.locked) return { recomputed: 0, reblurred: 0, skipped: true }
    } else {
      await client.query('SELECT pg_advisory_xact_lock($1, $2)', LOCK)
    }
    if (options.refreshTaxa ?? full) await client.query('SELECT gn_sensitivity.refresh_rule_taxa()')
    let recomputed = 0
    if (options.cdNoms !== undefined) {
      if (options.cdNoms.length)
        recomputed = await recomputeLevels(client, 's.cd_nom = ANY($1::integer[])', [options.cdNoms])
    } else if (options.expired) {
      recomputed = await recomputeLevels(
        client,
        `s.sensitivity_level > 0 AND EXISTS (
           SELECT 1 FROM gn_sensitivity.rule_taxa rt JOIN gn_sensitivity.rules r ON r.id = rt.rule_id
            WHERE rt.cd_nom = s.cd_nom AND r.active AND r.duration_years IS NOT NULL
              AND s.date_min < now() - make_interval(years => r.duration_years))`,
        [],
      )
    } else {
      recomputed = await recomputeLevels(
        client,
        '(s.cd_nom IN (SELECT cd_nom FROM gn_sensitivity.rule_taxa) OR s.sensitivity_level > 0)',
        [],
      )
    }
    // Sensitive rows whose blurred area is no longer the one the blur would pick (deleted, disabled, or a finer
    // area imported since): clearing it makes the row trigger blur them again (overrides included).
    const reblurred = full
      ? await rewriteRows(
          client,
          `s.sensitivity_level BETWEEN 1 AND 3 AND s.id_area_blurred IS DISTINCT FROM
             (SELECT b.id FROM gn_sensitivity.blur_area(s.sensitivity_level, s.the_geom_point) b)`,
          [],
          'id_area_blurred = NULL',
        )
      : 0
    return { recomputed, reblurred, skipped: false }
  })
}
