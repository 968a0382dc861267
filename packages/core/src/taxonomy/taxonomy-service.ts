import type pg from 'pg'
import type { QueryRunner } from '../db/query-runner.ts'

/**
 * SQL condition "the taxon in `column` is `ancestorParam` or below it" (by the parent chain, or by the
 * classification columns when the ancestor is a kingdom … tribe), for other modules' queries, e.g.
 * `WHERE ${taxonSubtreeSql('o.cd_nom', '$1')}`. Synonyms count as their valid name.
 */
export const taxonSubtreeSql = (column: string, ancestorParam: string) =>
  // An array computed once, not `IN (SELECT …)`: with a LIMIT the planner turned the semi-join into a nested loop over
  // the subtree for every synthese row (2 s for a class at 1M rows; 0.2 s as an indexed `= ANY`).
  `${column} = ANY(ARRAY(SELECT cd_nom FROM taxonomie.taxon_subtree(${ancestorParam})))`

/**
 * TAXREF names as a FROM item for other modules' SQL (alias it): `cd_nom`, `cd_ref` (the valid name), `lb_nom`,
 * `nom_vern`, `rang`, `regne`, `group2_inpn`. E.g. `LEFT JOIN ${taxaSql()} tx ON tx.cd_nom = r.cd_nom`.
 */
export const taxaSql = () =>
  '(SELECT t.cd_nom, t.cd_ref, t.lb_nom, t.nom_vern, t.rang, t.regne, t.group2_inpn FROM taxonomie.taxref t)'

/** Whether `cdNom` is `ancestor` or below it. */
export async function isInSubtree(pool: pg.Pool, cdNom: number, ancestor: number): Promise<boolean> {
  const { rows } = await pool.query(
    `SELECT 1 FROM taxonomie.taxref t WHERE t.cd_nom = $1 AND ${taxonSubtreeSql('t.cd_nom', '$2')}`,
    [cdNom, ancestor],
  )
  return rows.length > 0
}

export interface TaxonRef {
  cdNom: number
  cdRef: number
  lbNom: string
  nomVern: string | null
  rang: string
  regne: string | null
  group2Inpn: string | null
}

/** Existence check in bulk: the taxa found (one query) and the cd_nom that do not exist. */
export async function findTaxa(
  pool: QueryRunner,
  cdNoms: readonly number[],
): Promise<{ found: Map<number, TaxonRef>; missing: number[] }> {
  const unique = [...new Set(cdNoms)]
  const { rows } = await pool.query<TaxonRef>(
    `SELECT cd_nom AS "cdNom", cd_ref AS "cdRef", lb_nom AS "lbNom", nom_vern AS "nomVern", rang, regne,
            group2_inpn AS "group2Inpn"
       FROM taxonomie.taxref WHERE cd_nom = ANY($1::integer[])`,
    [unique],
  )
  const found = new Map(rows.map((r) => [r.cdNom, r]))
  return { found, missing: unique.filter((c) => !found.has(c)).sort((a, b) => a - b) }
}

export const TAXON_COLUMNS = `t.cd_nom, t.cd_ref, t.cd_sup, t.cd_taxsup, t.rang, t.regne, t.phylum, t.classe, t.ordre,
  t.famille, t.sous_famille, t.tribu, t.group1_inpn, t.group2_inpn, t.group3_inpn, t.lb_nom, t.lb_auteur,
  t.nom_complet, t.nom_complet_html, t.nom_valide, t.nom_vern, t.nom_vern_eng, t.habitat, t.fr, t.url,
  t.parent_cd_nom, t.cd_nom = t.cd_ref AS "isValid"`

export const TAXON_SUMMARY_COLUMNS = `t.cd_nom, t.cd_ref, t.lb_nom, t.lb_auteur, t.nom_vern, t.rang, t.regne,
  t.group2_inpn, t.cd_nom = t.cd_ref AS "isValid"`

/** One taxon with its parent chain (from the top down to its valid name's parent). */
export async function getTaxon(pool: pg.Pool, cdNom: number) {
  const { rows } = await pool.query(
    `SELECT ${TAXON_COLUMNS},
            COALESCE((SELECT json_agg(json_build_object('cd_nom', p.cd_nom, 'lb_nom', p.lb_nom, 'lb_auteur', p.lb_auteur,
                                                        'nom_vern', p.nom_vern, 'rang', p.rang) ORDER BY nlevel(p.path))
                        FROM taxonomie.taxref p
                       WHERE p.cd_nom = ANY(string_to_array(ltree2text(subpath(v.path, 0, nlevel(v.path) - 1)), '.')::integer[])),
                     '[]'::json) AS parents
       FROM taxonomie.taxref t JOIN taxonomie.taxref v ON v.cd_nom = t.cd_ref
      WHERE t.cd_nom = $1`,
    [cdNom],
  )
  return rows[0] ?? null
}

/** The valid taxa directly below a taxon (its valid name) in the parent chain. */
export async function getChildren(pool: pg.Pool, cdNom: number) {
  const { rows } = await pool.query(
    `SELECT ${TAXON_SUMMARY_COLUMNS}
       FROM taxonomie.taxref t
      WHERE t.parent_cd_nom = (SELECT cd_ref FROM taxonomie.taxref WHERE cd_nom = $1) AND t.cd_nom = t.cd_ref
      ORDER BY t.lb_nom`,
    [cdNom],
  )
  return rows
}
