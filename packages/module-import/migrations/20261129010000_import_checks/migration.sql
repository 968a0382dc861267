-- Safe parsers for the set-based checks of an import (issue 5): each returns NULL for a value it cannot read
-- instead of raising, so that one statement checks every line of a file. They avoid what is slow in PostgreSQL's
-- regular expressions (bounded repetitions {m,n}, captures, case-insensitive matching): a plain pattern decides,
-- string functions take the value apart. Only the geometry functions catch exceptions (a subtransaction each, about
-- 5 µs, which makes them PARALLEL UNSAFE). plpgsql ones are STRICT: a NULL costs no call. PostgreSQL 15, PGlite.

-- An integer written as digits (optionally "12.0" as spreadsheets write it), within int4.
CREATE FUNCTION import.parse_integer(v text) RETURNS integer
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  AS $$ SELECT CASE WHEN v ~ '^\s*[+-]?[0-9]+(\.0*)?\s*$' AND length(v) < 40 THEN
              CASE WHEN split_part(btrim(v), '.', 1)::numeric BETWEEN -2147483648 AND 2147483647
                   THEN split_part(btrim(v), '.', 1)::integer END END $$;

-- A decimal number, with a point or a comma.
CREATE FUNCTION import.parse_number(v text) RETURNS double precision
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  AS $$ SELECT CASE WHEN v ~ '^\s*[+-]?([0-9]+([.,][0-9]*)?|[.,][0-9]+)([eE][+-]?[0-9][0-9]?)?\s*$'
              THEN replace(btrim(v), ',', '.')::double precision END $$;

CREATE FUNCTION import.parse_uuid(v text) RETURNS uuid
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  AS $$ SELECT CASE WHEN length(btrim(v)) = 36 AND substr(btrim(v), 9, 1) = '-' AND substr(btrim(v), 14, 1) = '-'
                     AND substr(btrim(v), 19, 1) = '-' AND substr(btrim(v), 24, 1) = '-'
                     AND btrim(v) ~ '^[0-9a-fA-F]+-[0-9a-fA-F]+-[0-9a-fA-F]+-[0-9a-fA-F]+-[0-9a-fA-F]+$'
              THEN btrim(v)::uuid END $$;

-- A time of day: 14:05, 14:05:30, 14h05.
CREATE FUNCTION import.parse_time(v text) RETURNS time
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  AS $$ SELECT CASE WHEN v ~ '^\s*([01]?[0-9]|2[0-3])[:hH][0-5][0-9](:[0-5][0-9](\.[0-9]+)?)?\s*$'
              THEN translate(btrim(v), 'hH', '::')::time END $$;

-- A date or timestamp: 2024-05-12, 12/05/2024 (day first), optionally followed by a time (T or space) and an
-- ISO offset or Z; without an offset, in the session's time zone.
CREATE FUNCTION import.parse_timestamp(v text) RETURNS timestamptz
  LANGUAGE plpgsql STABLE STRICT PARALLEL SAFE
  AS $$
DECLARE
  s text := btrim(v);
  d text;
  t text;
  p int;
  parts text[];
  y int; mo int; dd int; days int;
BEGIN
  IF s IS NULL OR length(s) > 40 THEN RETURN NULL; END IF;
  p := position(' ' IN s);
  IF p = 0 THEN p := position('T' IN s); END IF;
  IF p > 0 THEN d := left(s, p - 1); t := ltrim(substr(s, p + 1)); ELSE d := s; END IF;
  IF d ~ '^[0-9]+-[0-9]+-[0-9]+$' THEN
    parts := string_to_array(d, '-');
    IF length(parts[1]) <> 4 OR length(parts[2]) > 2 OR length(parts[3]) > 2 THEN RETURN NULL; END IF;
    y := parts[1]; mo := parts[2]; dd := parts[3];
  ELSIF d ~ '^[0-9]+/[0-9]+/[0-9]+$' THEN
    parts := string_to_array(d, '/');
    IF length(parts[3]) <> 4 OR length(parts[2]) > 2 OR length(parts[1]) > 2 THEN RETURN NULL; END IF;
    y := parts[3]; mo := parts[2]; dd := parts[1];
  ELSE
    RETURN NULL;
  END IF;
  days := CASE WHEN mo IN (4, 6, 9, 11) THEN 30
               WHEN mo = 2 THEN CASE WHEN (y % 4 = 0 AND y % 100 <> 0) OR y % 400 = 0 THEN 29 ELSE 28 END
               ELSE 31 END;
  IF y < 1 OR mo NOT BETWEEN 1 AND 12 OR dd < 1 OR dd > days THEN RETURN NULL; END IF;
  IF t IS NULL THEN RETURN make_timestamptz(y, mo, dd, 0, 0, 0); END IF;
  IF t !~ '^([01]?[0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9](\.[0-9]+)?)?\s*(Z|[+-]([01][0-9]|2[0-3])(:?[0-5][0-9])?)?$' THEN
    RETURN NULL;
  END IF;
  RETURN (lpad(y::text, 4, '0') || '-' || mo || '-' || dd || ' ' || t)::timestamptz;
END $$;

-- A geometry from WKT (or GeoJSON text, for GeoJSON files), 2D, in `srid`; NULL when it cannot be read.
CREATE FUNCTION import.parse_geometry(v text, srid integer) RETURNS geometry
  LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL UNSAFE
  AS $$
BEGIN
  IF v IS NULL OR btrim(v) = '' THEN RETURN NULL; END IF;
  IF left(ltrim(v), 1) = '{' THEN RETURN ST_SetSRID(ST_Force2D(ST_GeomFromGeoJSON(v)), srid); END IF;
  RETURN ST_SetSRID(ST_Force2D(ST_GeomFromText(v)), srid);
EXCEPTION WHEN OTHERS THEN
  RETURN NULL;
END $$;

-- ST_Transform that answers NULL for coordinates the projection cannot take.
CREATE FUNCTION import.try_transform(g geometry, srid integer) RETURNS geometry
  LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL UNSAFE
  AS $$
BEGIN
  IF g IS NULL OR ST_SRID(g) = srid THEN RETURN g; END IF;
  BEGIN
    RETURN ST_Transform(g, srid);
  EXCEPTION WHEN OTHERS THEN
    RETURN NULL;
  END;
END $$;

-- The invalid-rows download reads a check's errors line by line.
CREATE INDEX import_errors_line_idx ON import.import_errors (import_id, line);
