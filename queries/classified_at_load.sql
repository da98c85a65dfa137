-- classified_at_load: side `at_side`'s Auth0 snapshot when it was loaded by a featurearr
-- before schema version 4, which decided vendors and name-pattern mappings at load time:
-- its verdicts are kept, and reports ask for a reload to apply the current rules.
-- grain: zero or one row.
-- columns:
--   as_of  DATE  the snapshot's date
SELECT s.as_of
FROM selection s
WHERE s.source = 'auth0' AND s.side = at_side
  AND EXISTS (SELECT 1 FROM auth0_connections c WHERE c.snapshot_id = s.snapshot_id AND c.vendor IS NOT NULL)
