-- Safe parsers for the set-based checks of an import (issue 5): each returns NULL for a value it cannot read
-- instead of raising, so one statement checks every line of a file. Plain SQL where the function can be inlined,
-- plpgsql where a value must be taken apart; only the geometry parsers catch exceptions (a subtransaction each),
-- and a plain "POINT(x y)" skips that. Run on PostgreSQL 15 (no pg_input_is_valid) and on PGlite.

-- An integer written as digits (optionally "12.0" as spreadsheets write it), within int4.
CREATE FUNCTION import.parse_integer(v text) RETURNS integer
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  AS $$ SELECT CASE WHEN v ~ '^\s*[+-]?\d{1,10}(\.0*)?\s*$' THEN
              CASE WHEN split_part(btrim(v), '.', 1)::bigint BETWEEN -2147483648 AND 2147483647
                   THEN split_part(btrim(v), '.', 1)::integer END END $$;

-- A decimal number, with a point or a comma.
CREATE FUNCTION import.parse_number(v text) RETURNS double precision
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  AS $$ SELECT CASE WHEN v ~ '^\s*[+-]?(\d+([.,]\d*)?|[.,]\d+)([eE][+-]?\d{1,2})?\s*$'
              THEN replace(btrim(v), ',', '.')::double precision END $$;

CREATE FUNCTION import.parse_uuid(v text) RETURNS uuid
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  AS $$ SELECT CASE WHEN v ~* '^\s*[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\s*$'
              THEN btrim(v)::uuid END $$;

-- A time of day: 14:05, 14:05:30, 14h05.
CREATE FUNCTION import.parse_time(v text) RETURNS time
  LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
  AS $$
DECLARE m text[];
BEGIN
  m := regexp_match(v, '^\s*(\d{1,2})[:hH](\d{2})(?::(\d{2})(?:\.(\d{1,6}))?)?\s*$');
  IF m IS NULL OR m[1]::int > 23 OR m[2]::int > 59 OR COALESCE(m[3]::int, 0) > 59 THEN RETURN NULL; END IF;
  RETURN make_time(m[1]::int, m[2]::int, (COALESCE(m[3], '0') || '.' || COALESCE(m[4], '0'))::double precision);
END $$;

-- A date or timestamp: 2024-05-12, 12/05/2024 (day first), optionally followed by a time (T or space) and an
-- ISO offset or Z; without an offset, in the session's time zone.
CREATE FUNCTION import.parse_timestamp(v text) RETURNS timestamptz
  LANGUAGE plpgsql STABLE PARALLEL SAFE
  AS $$
DECLARE
  m text[];
  y int; mo int; d int;
BEGIN
  m := regexp_match(v, '^\s*(?:(\d{4})-(\d{1,2})-(\d{1,2})|(\d{1,2})/(\d{1,2})/(\d{4}))'
                    '(?:[T ]\s*(\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d{1,6}))?)?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?\s*$');
  IF m IS NULL THEN RETURN NULL; END IF;
  y := COALESCE(m[1], m[6])::int;
  mo := COALESCE(m[2], m[5])::int;
  d := COALESCE(m[3], m[4])::int;
  IF y < 1 OR mo NOT BETWEEN 1 AND 12 OR d < 1
     OR d > extract(day FROM make_date(y, mo, 1) + interval '1 month - 1 day')
     OR COALESCE(m[7]::int, 0) > 23 OR COALESCE(m[8]::int, 0) > 59 OR COALESCE(m[9]::int, 0) > 59 THEN
    RETURN NULL;
  END IF;
  RETURN format('%s-%s-%s %s:%s:%s.%s%s', lpad(y::text, 4, '0'), mo, d, COALESCE(m[7], '0'), COALESCE(m[8], '0'),
                COALESCE(m[9], '0'), COALESCE(m[10], '0'), COALESCE(m[11], ''))::timestamptz;
END $$;

-- A geometry from WKT (or GeoJSON text, for GeoJSON files), 2D, in `srid`; NULL when it cannot be read.
CREATE FUNCTION import.parse_geometry(v text, srid integer) RETURNS geometry
  LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
  AS $$
DECLARE m text[];
BEGIN
  IF v IS NULL OR btrim(v) = '' THEN RETURN NULL; END IF;
  m := regexp_match(v, '^\s*POINT\s*\(\s*([+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d{1,3})?)\s+'
                       '([+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d{1,3})?)\s*\)\s*$', 'i');
  IF m IS NOT NULL THEN
    RETURN ST_SetSRID(ST_MakePoint(m[1]::double precision, m[2]::double precision), srid);
  END IF;
  BEGIN
    IF left(ltrim(v), 1) = '{' THEN RETURN ST_SetSRID(ST_Force2D(ST_GeomFromGeoJSON(v)), srid); END IF;
    RETURN ST_SetSRID(ST_Force2D(ST_GeomFromText(v)), srid);
  EXCEPTION WHEN OTHERS THEN
    RETURN NULL;
  END;
END $$;

-- ST_Transform that answers NULL for coordinates the projection cannot take.
CREATE FUNCTION import.try_transform(g geometry, srid integer) RETURNS geometry
  LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
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
