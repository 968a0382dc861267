-- Background jobs of the check and finalize steps (docs/adr/0013-import-jobs.md). The job state stays in the import
-- row: status 'checking' / 'importing' = a job to run; job_id = the runner that claimed it (NULL: queued);
-- job_heartbeat_at = its last sign of life (stale: another runner restarts it from the last completed status).
-- How many times the current job was claimed: a job that keeps killing its process stops after a few attempts.
ALTER TABLE import.imports ADD COLUMN job_attempts integer NOT NULL DEFAULT 0;
-- Finalize asked with another update_existing than the check ran with: the check runs again, then the finalize.
ALTER TABLE import.imports ADD COLUMN finalize_after_check boolean NOT NULL DEFAULT false;
-- The runners' claim query looks for these few rows.
CREATE INDEX imports_jobs_idx ON import.imports (updated_at, id) WHERE status IN ('checking', 'importing');
