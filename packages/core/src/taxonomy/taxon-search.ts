import type pg from 'pg'

export interface TaxonSearchParams {
  q: string
  limit: number
  kingdom?: string
  group2Inpn?: string
  list?: number
}

export interface TaxonSearchRow {
  cd_nom: number
  cd_ref: number
  lb_nom: string
  lb_auteur: string | null
  nom_valide: string | null
  nom_vern: string | null
  rang: string
  regne: string | null
  group2_inpn: string | null
  matched: 'scientific' | 'vernacular'
  isValid: boolean
}

/**
 * Leading words of one or two letters ("à pieds blancs", "de Vorasil") are dropped when more words follow: search
 * terms never start at such a word inside a name, and as a prefix of the whole name they would scan every term
 * starting with that letter. The name is then found through its later words.
 */
export function searchText(q: string): string {
  const words = q
    .trim()
    .split(/[^\p{L}\p{N}]+/u)
    .filter(Boolean)
  while (words.length > 1 && words[0]!.length <= 2) words.shift()
  return words.length ? words.join(' ') : q
}

/**
 * The autocomplete query and its parameters. Each rank group of search terms (valid names first, see the
 * migration) is read with a btree prefix scan in term order that stops at the limit; the best term of each taxon
 * is kept, and the groups are concatenated in rank order. taxonomie.search_pattern() is IMMUTABLE, so the planner
 * folds it on the parameter and uses the prefix for the index.
 */
export function taxonSearchQuery(params: TaxonSearchParams): { text: string; values: unknown[] } {
  const values: unknown[] = [searchText(params.q), params.limit * 3, params.limit]
  const filters: string[] = []
  if (params.kingdom !== undefined) {
    values.push(params.kingdom)
    filters.push(`s.regne = $${values.length}`)
  }
  if (params.group2Inpn !== undefined) {
    values.push(params.group2Inpn)
    filters.push(`s.group2_inpn = $${values.length}`)
  }
  if (params.list !== undefined) {
    values.push(params.list)
    filters.push(`EXISTS (SELECT 1 FROM taxonomie.taxon_list_items li
                   WHERE li.list_id = $${values.length} AND li.cd_nom IN (s.cd_nom, s.cd_ref))`)
  }
  const where = filters.map((f) => ` AND ${f}`).join('')
  const branch = (
    grp: number,
  ) => `(SELECT s.cd_nom, s.grp, s.vernacular, s.term FROM taxonomie.taxref_search s
      WHERE s.grp = ${grp} AND s.term LIKE taxonomie.search_pattern($1)${where}
      ORDER BY s.term LIMIT $2)`
  const text = `
    WITH hits AS (${[0, 1, 2, 3].map(branch).join(' UNION ALL ')}),
    best AS (SELECT DISTINCT ON (cd_nom) cd_nom, grp, vernacular, term FROM hits ORDER BY cd_nom, grp, term)
    SELECT t.cd_nom, t.cd_ref, t.lb_nom, t.lb_auteur, t.nom_valide, t.nom_vern, t.rang, t.regne, t.group2_inpn,
           CASE WHEN b.vernacular THEN 'vernacular' ELSE 'scientific' END AS matched,
           t.cd_nom = t.cd_ref AS "isValid"
      FROM best b JOIN taxonomie.taxref t USING (cd_nom)
     ORDER BY b.grp, b.term, t.cd_nom
     LIMIT $3`
  return { text, values }
}

/** Taxa whose scientific or vernacular name matches the query (case, accents and punctuation ignored). */
export async function searchTaxa(pool: pg.Pool, params: TaxonSearchParams): Promise<TaxonSearchRow[]> {
  const { rows } = await pool.query<TaxonSearchRow>(taxonSearchQuery(params))
  return rows
}
