-- unmapped_connections: enterprise connections of side `at_side` that map to no workspace
-- (no metadata.workspace_id, no organization with one, no name-pattern match).
-- grain: one row per connection, by name.
-- columns:
--   connection_id  VARCHAR
--   name           VARCHAR
--   strategy       VARCHAR
--   vendor         VARCHAR
SELECT DISTINCT connection_id, name, strategy, vendor
FROM idp_connections(at_side)
WHERE workspace_id IS NULL
ORDER BY name, connection_id
