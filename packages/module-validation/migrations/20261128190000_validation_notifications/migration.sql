-- The notification kind this module sends (core.notification_kinds, core migration 20261128170000_notifications):
-- the digitiser and the observers (users) of an observation are told when its validation status changes.
INSERT INTO core.notification_kinds (kind, label, module_code)
VALUES ('validation.status', 'Changement du statut de validation de mes observations', 'VALIDATION')
ON CONFLICT (kind) DO NOTHING;
