-- Core schema: organisms, users, groups, modules and their permission actions, permissions, sessions.
CREATE EXTENSION IF NOT EXISTS postgis;
CREATE SCHEMA IF NOT EXISTS core;

CREATE TABLE core.organisms (
  id serial PRIMARY KEY,
  uuid uuid NOT NULL DEFAULT gen_random_uuid() UNIQUE,
  name text NOT NULL UNIQUE,
  address text,
  postal_code text,
  city text,
  phone text,
  email text,
  url text,
  created_at timestamptz(6) NOT NULL DEFAULT now(),
  updated_at timestamptz(6) NOT NULL DEFAULT now()
);

CREATE TABLE core.users (
  id serial PRIMARY KEY,
  uuid uuid NOT NULL DEFAULT gen_random_uuid() UNIQUE,
  login text NOT NULL UNIQUE CHECK (login ~ '^[A-Za-z0-9._@-]{2,64}$'),
  password_hash text,
  first_name text,
  last_name text,
  email text,
  organism_id integer REFERENCES core.organisms (id) ON DELETE SET NULL,
  active boolean NOT NULL DEFAULT true,
  created_at timestamptz(6) NOT NULL DEFAULT now(),
  updated_at timestamptz(6) NOT NULL DEFAULT now()
);
CREATE INDEX users_organism_id_idx ON core.users (organism_id);
-- Logins are matched case-insensitively at login, so they must be unique case-insensitively too.
CREATE UNIQUE INDEX users_login_lower_key ON core.users (lower(login));

CREATE TABLE core.groups (
  id serial PRIMARY KEY,
  name text NOT NULL UNIQUE,
  description text,
  created_at timestamptz(6) NOT NULL DEFAULT now(),
  updated_at timestamptz(6) NOT NULL DEFAULT now()
);

CREATE TABLE core.user_groups (
  user_id integer NOT NULL REFERENCES core.users (id) ON DELETE CASCADE,
  group_id integer NOT NULL REFERENCES core.groups (id) ON DELETE CASCADE,
  PRIMARY KEY (user_id, group_id)
);
CREATE INDEX user_groups_group_id_idx ON core.user_groups (group_id);

-- Installed modules (first-party, partner, and the core's own pseudo-modules such as ADMIN).
CREATE TABLE core.modules (
  code text PRIMARY KEY CHECK (code ~ '^[A-Z][A-Z0-9_]{1,29}$'),
  name text NOT NULL,
  version text NOT NULL,
  package_name text NOT NULL,
  enabled boolean NOT NULL DEFAULT true,
  installed_at timestamptz(6) NOT NULL DEFAULT now(),
  updated_at timestamptz(6) NOT NULL DEFAULT now()
);

-- The CRUVED actions each module declares in its manifest, synced at boot.
CREATE TABLE core.module_actions (
  module_code text NOT NULL REFERENCES core.modules (code) ON DELETE CASCADE,
  action char(1) NOT NULL CHECK (action IN ('C', 'R', 'U', 'V', 'E', 'D')),
  PRIMARY KEY (module_code, action)
);

-- A permission row grants one action of one module to a user or a group, with a scope:
-- 1 = my data, 2 = my organism's data, 3 = all. Rows are OR-ed; the effective scope is the max.
CREATE TABLE core.permissions (
  id serial PRIMARY KEY,
  user_id integer REFERENCES core.users (id) ON DELETE CASCADE,
  group_id integer REFERENCES core.groups (id) ON DELETE CASCADE,
  module_code text NOT NULL,
  action char(1) NOT NULL,
  scope smallint NOT NULL CHECK (scope BETWEEN 1 AND 3),
  created_at timestamptz(6) NOT NULL DEFAULT now(),
  CHECK ((user_id IS NULL) <> (group_id IS NULL)),
  FOREIGN KEY (module_code, action) REFERENCES core.module_actions (module_code, action) ON DELETE CASCADE
);
CREATE INDEX permissions_user_id_idx ON core.permissions (user_id);
CREATE INDEX permissions_group_id_idx ON core.permissions (group_id);

-- Sessions live in the database so any API instance can serve any request. id = sha256(token).
CREATE TABLE core.sessions (
  id text PRIMARY KEY,
  user_id integer NOT NULL REFERENCES core.users (id) ON DELETE CASCADE,
  created_at timestamptz(6) NOT NULL DEFAULT now(),
  expires_at timestamptz(6) NOT NULL,
  last_seen_at timestamptz(6) NOT NULL DEFAULT now(),
  ip text,
  user_agent text
);
CREATE INDEX sessions_user_id_idx ON core.sessions (user_id);
CREATE INDEX sessions_expires_at_idx ON core.sessions (expires_at);

-- Fixed-window counters shared by all API instances (login throttling).
CREATE TABLE core.rate_limits (
  key text PRIMARY KEY,
  window_start timestamptz(6) NOT NULL,
  hits integer NOT NULL
);
