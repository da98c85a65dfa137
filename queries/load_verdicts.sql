-- load_verdicts: the verdicts decided when side `at_side`'s Auth0 snapshot was loaded, as the
-- temp tables auth0_verdicts and auth0_names take them (queries::set_auth0_verdicts copies
-- them there, in DuckDB, when load_verdict_basis matches the config in force).
-- grain: one row per enterprise connection, in no particular order.
-- columns:
--   snapshot_id        INTEGER
--   connection_id      VARCHAR
--   vendor             VARCHAR  IdP vendor; `ignore` for a connection a config rule ignores
--   vendor_rule        VARCHAR  which rule decided
--   ignored            BOOLEAN  a config rule said `ignore`
--   name_workspace_id  VARCHAR  where connection_name_pattern maps it; NULL if metadata maps it, ignored, or no match
SELECT v.snapshot_id, v.connection_id, v.vendor, v.vendor_rule, v.ignored, v.name_workspace_id
FROM auth0_load_verdicts v
JOIN selection s ON s.snapshot_id = v.snapshot_id AND s.source = 'auth0' AND s.side = at_side
