-- Taxonomy (TAXREF): taxa with their hierarchy and search terms, taxon lists.
-- Runs on PostgreSQL 15 + PostGIS 3.3 and on the embedded PGlite (PostgreSQL 18), which loads these extensions.
CREATE EXTENSION IF NOT EXISTS unaccent WITH SCHEMA public;
CREATE EXTENSION IF NOT EXISTS ltree WITH SCHEMA public;
CREATE SCHEMA IF NOT EXISTS taxonomie;

-- Lower case, accents and ligatures removed (unaccent: "Écrevisse" → "ecrevisse", "œ" → "oe"), every run of other
-- characters (spaces, apostrophes, hyphens, punctuation) turned into one space. unaccent() is only STABLE (its
-- dictionary could change); naming the dictionary makes this wrapper safe to declare IMMUTABLE, so the planner folds
-- it on a query's parameter and the pattern's prefix can use a btree index.
CREATE FUNCTION taxonomie.normalize_name(name text) RETURNS text
  LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
  AS $$ SELECT btrim(regexp_replace(lower(public.unaccent('public.unaccent'::regdictionary, name)), '[^a-z0-9]+', ' ', 'g')) $$;

-- The LIKE pattern for a typed query: each word is a prefix of a successive word ("alb alb" → 'alb% alb%').
CREATE FUNCTION taxonomie.search_pattern(query text) RETURNS text
  LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
  AS $$ SELECT replace(taxonomie.normalize_name(query), ' ', '% ') || '%' $$;

-- One row per TAXREF name (valid names and synonyms), columns as in the TAXREF text file.
CREATE TABLE taxonomie.taxref (
  cd_nom integer PRIMARY KEY,
  cd_ref integer NOT NULL,
  cd_sup integer,
  cd_taxsup integer,
  rang text NOT NULL,
  regne text,
  phylum text,
  classe text,
  ordre text,
  famille text,
  sous_famille text,
  tribu text,
  group1_inpn text,
  group2_inpn text,
  group3_inpn text,
  lb_nom text NOT NULL,
  lb_auteur text,
  nom_complet text,
  nom_complet_html text,
  nom_valide text,
  nom_vern text,
  nom_vern_eng text,
  habitat integer,
  fr text,
  url text,
  -- Computed at import from the parent chain (CD_SUP, else CD_TAXSUP) of valid names: the valid parent, and the path
  -- of cd_nom from the top of the chain down to the valid name (a synonym has its valid name's path).
  parent_cd_nom integer,
  path ltree NOT NULL,
  updated_at timestamptz(6) NOT NULL DEFAULT now()
);
CREATE INDEX taxref_cd_ref_idx ON taxonomie.taxref (cd_ref);
CREATE INDEX taxref_parent_cd_nom_idx ON taxonomie.taxref (parent_cd_nom);
CREATE INDEX taxref_path_idx ON taxonomie.taxref USING gist (path);
-- "Below a family/order/…" from the classification columns, where the parent chain is missing.
CREATE INDEX taxref_ordre_idx ON taxonomie.taxref (ordre);
CREATE INDEX taxref_famille_idx ON taxonomie.taxref (famille);
CREATE INDEX taxref_sous_famille_idx ON taxonomie.taxref (sous_famille);
CREATE INDEX taxref_tribu_idx ON taxonomie.taxref (tribu);

-- Autocomplete: every normalized scientific and vernacular name of a taxon, and each of its word-suffixes, so a btree
-- prefix scan in `term` order serves "first letters" queries with LIMIT. grp ranks the terms:
-- 0 valid name from its first word, 1 valid name from a later word, 2 synonym from its first word, 3 synonym later.
-- Derived data, rebuilt by the import for the names it changes (no foreign key: millions of checks at import).
-- The key is the search index: collation "C" (terms are normalized to a-z 0-9 and spaces), so the btree both serves
-- LIKE 'prefix%' and returns terms in ORDER BY term order, and each autocomplete branch stops after its LIMIT.
CREATE TABLE taxonomie.taxref_search (
  grp smallint NOT NULL,
  term text COLLATE "C" NOT NULL,
  cd_nom integer NOT NULL,
  vernacular boolean NOT NULL,
  cd_ref integer NOT NULL,
  regne text,
  group2_inpn text,
  PRIMARY KEY (grp, term, cd_nom, vernacular)
);
CREATE INDEX taxref_search_cd_nom_idx ON taxonomie.taxref_search (cd_nom);

-- Taxa of the subtree of a taxon: its valid name and everything below it (names and synonyms), by the parent chain
-- (path) and, for a taxon of a classification rank, by the classification column of that rank (TAXREF extracts
-- without the parent rows still have regne … tribu).
CREATE FUNCTION taxonomie.taxon_subtree(ancestor integer) RETURNS TABLE (cd_nom integer)
  LANGUAGE sql STABLE PARALLEL SAFE
  AS $$
    WITH a AS (
      SELECT v.path, v.rang, v.lb_nom FROM taxonomie.taxref n JOIN taxonomie.taxref v ON v.cd_nom = n.cd_ref
       WHERE n.cd_nom = ancestor
    )
    SELECT t.cd_nom FROM taxonomie.taxref t, a WHERE t.path <@ a.path
    UNION
    SELECT t.cd_nom FROM taxonomie.taxref t, a
     WHERE (a.rang = 'KD' AND t.regne = a.lb_nom) OR (a.rang = 'PH' AND t.phylum = a.lb_nom)
        OR (a.rang = 'CL' AND t.classe = a.lb_nom) OR (a.rang = 'OR' AND t.ordre = a.lb_nom)
        OR (a.rang = 'FM' AND t.famille = a.lb_nom) OR (a.rang = 'SBFM' AND t.sous_famille = a.lb_nom)
        OR (a.rang = 'TR' AND t.tribu = a.lb_nom)
  $$;

-- A named subset of taxa a dataset or module restricts entry to (datasets reference taxon_lists.id).
CREATE TABLE taxonomie.taxon_lists (
  id serial PRIMARY KEY,
  code text NOT NULL UNIQUE CHECK (code ~ '^[A-Za-z0-9_.-]{1,50}$'),
  name text NOT NULL,
  description text,
  created_at timestamptz(6) NOT NULL DEFAULT now(),
  updated_at timestamptz(6) NOT NULL DEFAULT now()
);

CREATE TABLE taxonomie.taxon_list_items (
  list_id integer NOT NULL REFERENCES taxonomie.taxon_lists (id) ON DELETE CASCADE,
  cd_nom integer NOT NULL REFERENCES taxonomie.taxref (cd_nom) ON DELETE CASCADE,
  PRIMARY KEY (list_id, cd_nom)
);
CREATE INDEX taxon_list_items_cd_nom_idx ON taxonomie.taxon_list_items (cd_nom);
