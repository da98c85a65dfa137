-- unmapped_connections: enterprise connections of side `at_side` that map to no workspace
-- (no metadata.workspace_id, no organization with one, no match of the name pattern in force).
-- Connections a config rule ignores are not listed.
-- grain: one row per connection, by name.
-- columns:
--   connection_id  VARCHAR
--   name           VARCHAR
--   strategy       VARCHAR
--   vendor         VARCHAR
-- Reads the tables, not idp_connections, which maps and sorts every connection.
SELECT DISTINCT c.connection_id, c.name, c.strategy, coalesce(c.vendor, v.vendor) AS vendor
FROM auth0_connections c
JOIN selection s ON s.snapshot_id = c.snapshot_id AND s.source = 'auth0' AND s.side = at_side
LEFT JOIN auth0_verdicts v ON v.snapshot_id = c.snapshot_id AND v.connection_id = c.connection_id
ANTI JOIN auth0_connection_workspaces cw ON cw.snapshot_id = c.snapshot_id AND cw.connection_id = c.connection_id
ANTI JOIN auth0_name_workspaces n ON n.snapshot_id = c.snapshot_id AND n.connection_id = c.connection_id
WHERE NOT coalesce(v.ignored, false)
ORDER BY c.name, c.connection_id
