-- unmapped_connections: enterprise connections of side `at_side` that map to no workspace
-- (no metadata.workspace_id, no organization with one, no match of the name pattern in force).
-- Connections a config rule ignores are not listed.
-- grain: one row per connection, by name.
-- columns:
--   connection_id  VARCHAR
--   name           VARCHAR
--   strategy       VARCHAR
--   vendor         VARCHAR
-- Reads idp_connections, which every report on IdPs materializes already: its rows without a
-- workspace are these connections (joining the tables again cost 50-100 ms at 224k).
SELECT DISTINCT i.connection_id, c.name, i.strategy, i.vendor
FROM idp_connections(at_side) i
JOIN auth0_connections c ON c.connection_id = i.connection_id
JOIN selection s ON s.snapshot_id = c.snapshot_id AND s.source = 'auth0' AND s.side = at_side
WHERE i.workspace_id IS NULL
ORDER BY c.name, i.connection_id
