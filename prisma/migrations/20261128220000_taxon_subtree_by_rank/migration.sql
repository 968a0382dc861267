-- taxon_subtree() matched the rank columns with one OR over seven columns, which no index serves: every call read the
-- whole taxref (1.4 s at 600k names in the Synthese's taxonTree filter). One branch per rank, each on its own index:
-- only the branch of the ancestor's rank reads anything.
CREATE INDEX taxref_regne_idx ON taxonomie.taxref (regne);
CREATE INDEX taxref_phylum_idx ON taxonomie.taxref (phylum);
CREATE INDEX taxref_classe_idx ON taxonomie.taxref (classe);

CREATE OR REPLACE FUNCTION taxonomie.taxon_subtree(ancestor integer) RETURNS TABLE (cd_nom integer)
  LANGUAGE sql STABLE PARALLEL SAFE
  AS $$
    WITH a AS (
      SELECT v.path, v.rang, v.lb_nom FROM taxonomie.taxref n JOIN taxonomie.taxref v ON v.cd_nom = n.cd_ref
       WHERE n.cd_nom = ancestor
    )
    SELECT t.cd_nom FROM taxonomie.taxref t, a WHERE t.path <@ a.path
    UNION SELECT t.cd_nom FROM taxonomie.taxref t, a WHERE a.rang = 'KD' AND t.regne = a.lb_nom
    UNION SELECT t.cd_nom FROM taxonomie.taxref t, a WHERE a.rang = 'PH' AND t.phylum = a.lb_nom
    UNION SELECT t.cd_nom FROM taxonomie.taxref t, a WHERE a.rang = 'CL' AND t.classe = a.lb_nom
    UNION SELECT t.cd_nom FROM taxonomie.taxref t, a WHERE a.rang = 'OR' AND t.ordre = a.lb_nom
    UNION SELECT t.cd_nom FROM taxonomie.taxref t, a WHERE a.rang = 'FM' AND t.famille = a.lb_nom
    UNION SELECT t.cd_nom FROM taxonomie.taxref t, a WHERE a.rang = 'SBFM' AND t.sous_famille = a.lb_nom
    UNION SELECT t.cd_nom FROM taxonomie.taxref t, a WHERE a.rang = 'TR' AND t.tribu = a.lb_nom
  $$;
