-- unmatched_config_rules: the config rules ([[auth0.vendor_rules]]) that decided no connection
-- of side `at_side`'s Auth0 snapshot, from the verdicts stored at its load (load_verdicts; read
-- only when they are reused). None when the snapshot has no connection: as when the verdicts
-- are decided at report time, a rule is only called unmatched against some connections.
-- grain: one row per rule, in config order.
-- columns:
--   rule  VARCHAR  config rule N (host ..., name ...), as reports name it
SELECT r.label AS rule
FROM auth0_load_rules r
JOIN selection s ON s.snapshot_id = r.snapshot_id AND s.source = 'auth0' AND s.side = at_side
WHERE EXISTS (SELECT 1 FROM auth0_load_verdicts v WHERE v.snapshot_id = r.snapshot_id)
  AND NOT EXISTS (
      SELECT 1 FROM auth0_load_verdicts v WHERE v.snapshot_id = r.snapshot_id AND v.config_rule = r.position
  )
ORDER BY r.position
