// Sensitive rows for the benchmarks (issue 11, `--sensitive PCT` of bench:synthese and bench:import): SINP
// sensitivity rules (source 'bench') on the most frequent taxa of the rows to cover, until about PCT % of them are,
// levels spread over 1, 2, 3 and a few 4. The rows are recomputed by the synthese's own row trigger (ADR 15), so
// the blurred geometries are the ones a real rule change gives.
import type { createDatabase } from '../../packages/core/src/db/database.ts'

type Pool = ReturnType<typeof createDatabase>['pool']
type Log = (message: string) => void

export const BENCH_RULE_SOURCE = 'bench'
/** The referential's lock (packages/core/src/sensitivity/sensitivity-rules.ts): serialised with rule changes. */
const RULES_LOCK = [20261204, 1]
/** Share of the covered rows wanted at each level: mostly 1–3, a few hidden (4). */
const LEVEL_SHARES: [number, number][] = [
  [1, 0.3],
  [2, 0.3],
  [3, 0.3],
  [4, 0.1],
]
/** No single taxon takes more than this share of the target (so that the levels can be spread). */
const MAX_TAXON_SHARE = 1 / 8
/** Taxa looked at, most frequent first. */
const CANDIDATES = 2000

export interface ChosenRule {
  cdNom: number
  level: number
  /** Rows of the counted set its subtree covers (names not already covered by a rule chosen before it). */
  rows: number
}

export interface SensitivityPlan {
  percent: number
  target: number
  total: number
  rules: ChosenRule[]
  /** Rows covered by the chosen rules, of `total`. */
  covered: number
}

/**
 * The bench rules for `percent` % of the rows counted in `counts` (cd_nom → rows): the most frequent taxa first, each
 * taken with its whole subtree (a rule covers the taxon and everything below it), skipped when it would overshoot the
 * target or take more than an eighth of it; levels given so that the covered rows spread 30/30/30/10 % over 1/2/3/4.
 */
export async function planBenchSensitivity(
  pool: Pool,
  counts: Map<number, number>,
  percent: number,
): Promise<SensitivityPlan> {
  const total = [...counts.values()].reduce((a, b) => a + b, 0)
  const target = Math.round((total * percent) / 100)
  const plan: SensitivityPlan = { percent, target, total, rules: [], covered: 0 }
  if (target <= 0) return plan
  const candidates = [...counts.entries()]
    .sort(([a, na], [b, nb]) => nb - na || a - b)
    .slice(0, CANDIDATES)
    .map(([cdNom]) => cdNom)
  const { rows } = await pool.query<{ cd_nom: number; names: number[] }>(
    `SELECT c.cd_nom, array_agg(t.cd_nom) AS names
       FROM unnest($1::integer[]) WITH ORDINALITY c(cd_nom, rank)
      CROSS JOIN LATERAL taxonomie.taxon_subtree(c.cd_nom) t
      GROUP BY c.cd_nom, c.rank ORDER BY c.rank`,
    [candidates],
  )
  const covered = new Set<number>()
  const byLevel = new Map(LEVEL_SHARES.map(([level]) => [level, 0]))
  for (const { cd_nom, names } of rows) {
    if (plan.covered >= target * 0.98) break
    const fresh = [...new Set([cd_nom, ...names])].filter((n) => !covered.has(n))
    const added = fresh.reduce((a, n) => a + (counts.get(n) ?? 0), 0)
    if (added === 0 || plan.covered + added > target * 1.02 || added > target * MAX_TAXON_SHARE) continue
    for (const n of fresh) covered.add(n)
    plan.covered += added
    // The level furthest below its share of what is covered once this taxon is added.
    const after = plan.covered
    const [level] = LEVEL_SHARES.map(([l, share]) => [l, share * after - byLevel.get(l)!] as const).sort(
      (a, b) => b[1] - a[1],
    )[0]!
    byLevel.set(level, byLevel.get(level)! + added)
    plan.rules.push({ cdNom: cd_nom, level, rows: added })
  }
  return plan
}

export interface InstallResult {
  rulesRemoved: number
  rulesAdded: number
  /** Synthese rows whose level the trigger changed (rows of previous bench rules reset to 0 included). */
  rowsRecomputed: number
  seconds: number
}

/**
 * Replaces the bench's rules (source 'bench') by the plan's, rebuilds rule_taxa, and re-runs the row trigger
 * (`UPDATE … SET sensitivity_level = sensitivity_level`) on the synthese rows of the rules' taxa and on the sensitive
 * rows, those whose level changes only (a rerun with the same rules rewrites nothing). One transaction, under the
 * referential's lock; VACUUM ANALYZE of the synthese after a rewrite. Experts' overrides are left alone.
 */
export async function installBenchSensitivity(
  pool: Pool,
  plan: Pick<SensitivityPlan, 'rules'>,
  log: Log,
): Promise<InstallResult> {
  const t0 = performance.now()
  const client = await pool.connect()
  let result: Omit<InstallResult, 'seconds'>
  try {
    await client.query('BEGIN')
    await client.query('SELECT pg_advisory_xact_lock($1, $2)', RULES_LOCK)
    const removed = await client.query('DELETE FROM gn_sensitivity.rules WHERE source = $1', [
      BENCH_RULE_SOURCE,
    ])
    if (plan.rules.length)
      await client.query(
        `INSERT INTO gn_sensitivity.rules (cd_nom, level, source, comment)
         SELECT r.cd_nom, r.level, $3, 'Benchmark rule (pnpm bench:* --sensitive)'
           FROM unnest($1::integer[], $2::smallint[]) r(cd_nom, level)`,
        [plan.rules.map((r) => r.cdNom), plan.rules.map((r) => r.level), BENCH_RULE_SOURCE],
      )
    await client.query('SELECT gn_sensitivity.refresh_rule_taxa()')
    log(
      `Sensitivity: ${removed.rowCount} bench rule(s) removed, ${plan.rules.length} added; recomputing rows …`,
    )
    const updated = await client.query(
      `UPDATE gn_synthese.synthese s SET sensitivity_level = s.sensitivity_level
        WHERE NOT s.sensitivity_manual
          AND (s.cd_nom IN (SELECT rt.cd_nom FROM gn_sensitivity.rule_taxa rt) OR s.sensitivity_level > 0)
          AND s.sensitivity_level <> gn_sensitivity.rules_level(s.cd_nom, s.the_geom_local, s.date_min,
                                         s.id_nomenclature_bio_status, s.id_nomenclature_behaviour)`,
    )
    await client.query('COMMIT')
    result = {
      rulesRemoved: removed.rowCount ?? 0,
      rulesAdded: plan.rules.length,
      rowsRecomputed: updated.rowCount ?? 0,
    }
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined)
    throw error
  } finally {
    client.release()
  }
  if (result.rowsRecomputed > 0) {
    log(`Sensitivity: ${result.rowsRecomputed} rows recomputed; VACUUM ANALYZE gn_synthese.synthese …`)
    await pool.query('VACUUM ANALYZE gn_synthese.synthese')
    await pool.query('VACUUM ANALYZE gn_synthese.grid_counts')
  }
  return { ...result, seconds: (performance.now() - t0) / 1000 }
}

export interface SensitivityCensus {
  rows: number
  /** Rows per level 0–4. */
  byLevel: Record<number, number>
  /** Rows of level 1–3 per level and type of the area they are blurred to ('none': hidden, no area). */
  blurTypes: { level: number; type: string; rows: number }[]
}

/** What the synthese rows matching `where` (on alias s) look like now: rows per level, blurred to which area type. */
export async function sensitivityCensus(
  pool: Pool,
  where = 'true',
  params: unknown[] = [],
): Promise<SensitivityCensus> {
  const { rows } = await pool.query<{ level: number; type: string | null; n: string }>(
    `SELECT s.sensitivity_level::int AS level, at.code AS type, count(*)::text AS n
       FROM gn_synthese.synthese s
       LEFT JOIN ref_geo.areas a ON a.id = s.id_area_blurred
       LEFT JOIN ref_geo.area_types at ON at.id = a.type_id
      WHERE ${where}
      GROUP BY 1, 2 ORDER BY 1, 2`,
    params,
  )
  const census: SensitivityCensus = { rows: 0, byLevel: { 0: 0, 1: 0, 2: 0, 3: 0, 4: 0 }, blurTypes: [] }
  for (const r of rows) {
    const n = Number(r.n)
    census.rows += n
    census.byLevel[r.level] = (census.byLevel[r.level] ?? 0) + n
    if (r.level >= 1 && r.level <= 3)
      census.blurTypes.push({ level: r.level, type: r.type ?? 'none', rows: n })
  }
  return census
}

const pct = (n: number, total: number) => `${((100 * n) / Math.max(1, total)).toFixed(2)} %`

/** One sentence for the report: rules, real percentage, rows per level and what they are blurred to. */
export function describeSensitivity(
  plan: SensitivityPlan,
  census: SensitivityCensus,
  install: InstallResult | null,
): string {
  const sensitive = census.rows - census.byLevel[0]!
  const levels = [1, 2, 3, 4].map((l) => `${l}: ${census.byLevel[l]}`).join(', ')
  const blur = census.blurTypes.map((b) => `${b.level} → ${b.type} ${b.rows}`).join(', ')
  return (
    `Sensitivity \`--sensitive ${plan.percent}\`: ${plan.rules.length} bench rule(s) on the most frequent taxa ` +
    `(levels ${[1, 2, 3, 4].map((l) => `${l}×${plan.rules.filter((r) => r.level === l).length}`).join(' ')}), ` +
    `covering ${plan.covered} of ${plan.total} rows (${pct(plan.covered, plan.total)}, target ${plan.percent} %); ` +
    `rows now sensitive: ${sensitive} of ${census.rows} (**${pct(sensitive, census.rows)}**; by level ${levels}` +
    `${blur ? `; blurred to ${blur}` : ''})` +
    (install
      ? `; installed in ${install.seconds.toFixed(1)} s (${install.rulesRemoved} old bench rule(s) removed, ` +
        `${install.rowsRecomputed} rows recomputed by the trigger${install.rowsRecomputed ? ', then VACUUM ANALYZE' : ''}).`
      : '.')
  )
}
