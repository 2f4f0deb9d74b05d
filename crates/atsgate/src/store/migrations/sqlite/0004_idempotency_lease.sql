-- Idempotency claims carry their owner (a process instance) and a lease it renews while the
-- request runs, so a claim left by a dead process is taken over as soon as the lease runs out.
-- `evidence` is what an upload attempt recorded before it started (the target's files beforehand),
-- so whoever runs the key next can check the ATS before uploading again.
ALTER TABLE idempotency_keys ADD COLUMN owner TEXT;
ALTER TABLE idempotency_keys ADD COLUMN lease_until TEXT;
ALTER TABLE idempotency_keys ADD COLUMN evidence TEXT;
