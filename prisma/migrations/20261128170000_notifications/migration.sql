-- In-app notifications, a core service any module may use (packages/core/src/notifications). Kinds are data: a module
-- registers the kinds it sends (its migration inserts them), users opt out per kind.
CREATE TABLE core.notification_kinds (
  kind text PRIMARY KEY CHECK (kind ~ '^[a-z][a-z0-9_.-]{0,63}$'),
  label text NOT NULL,
  module_code text
);

CREATE TABLE core.notifications (
  id bigserial PRIMARY KEY,
  user_id integer NOT NULL REFERENCES core.users (id) ON DELETE CASCADE,
  kind text NOT NULL REFERENCES core.notification_kinds (kind) ON DELETE CASCADE,
  title text NOT NULL,
  body text,
  url text,
  created_at timestamptz(6) NOT NULL DEFAULT now(),
  read_at timestamptz(6)
);
-- A user's list (newest first) and their unread count.
CREATE INDEX notifications_user_created_idx ON core.notifications (user_id, created_at DESC, id DESC);
CREATE INDEX notifications_user_unread_idx ON core.notifications (user_id) WHERE read_at IS NULL;

-- Opt-outs: a row with enabled = false stops the kind for that user (no row: the kind is delivered).
CREATE TABLE core.notification_preferences (
  user_id integer NOT NULL REFERENCES core.users (id) ON DELETE CASCADE,
  kind text NOT NULL REFERENCES core.notification_kinds (kind) ON DELETE CASCADE,
  enabled boolean NOT NULL,
  PRIMARY KEY (user_id, kind)
);
