-- load_verdict_basis: the fingerprint of what decided the verdicts stored when side `at_side`'s
-- Auth0 snapshot was loaded (sources::auth0::verdict: the vendor rules in order, the name
-- pattern and the classifier). A report reuses those verdicts (load_verdicts) when it equals
-- the fingerprint of the config in force, and classifies the raw facts (connection_facts)
-- otherwise. No row for a snapshot loaded before schema version 7.
-- grain: zero or one row.
-- columns:
--   snapshot_id  INTEGER
--   fingerprint  VARCHAR  SHA-256 in hex
SELECT b.snapshot_id, b.fingerprint
FROM auth0_load_verdict_basis b
JOIN selection s ON s.snapshot_id = b.snapshot_id AND s.source = 'auth0' AND s.side = at_side
