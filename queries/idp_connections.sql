-- idp_connections: the enterprise connections of the Auth0 snapshot selected for side `at_side`,
-- with their IdP vendor and the workspace they map to. Vendors and name-pattern mappings are
-- decided for the report with the config in force (temp view auth0_verdicts and table
-- auth0_name_workspaces: compose::auth0); a snapshot loaded before schema version 4 keeps the
-- vendor and mappings decided when it was loaded. Connections a config rule ignores are left out.
-- grain: one row per (connection_id, workspace_id); workspace_id is NULL for an unmapped connection;
--        unordered: an intermediate block read by others, so it skips the sort of 200k+ rows
--        (explained_connections orders what it lists).
-- Narrow on purpose: it is materialized for every report on IdPs, and the connection's name
-- and vendor_rule, which only `--explain` lists, doubled its cost at 224k connections
-- (explained_connections joins them).
-- columns:
--   connection_id  VARCHAR
--   strategy       VARCHAR  samlp, oidc, waad, okta, ...
--   vendor         VARCHAR  IdP vendor (SPEC 2.3 names, or a config rule's)
--   workspace_id   VARCHAR  mapped workspace, NULL when unmapped
--   mapped_by      VARCHAR  connection metadata | organization ... metadata | name pattern; NULL when unmapped
--   workspace_key  UINTEGER schema.sql: workspace_keys; NULL when unmapped or unknown to the store
WITH conns AS (
    SELECT c.snapshot_id, c.connection_id, c.strategy, coalesce(c.vendor, v.vendor) AS vendor
    FROM auth0_connections c
    JOIN selection s ON s.snapshot_id = c.snapshot_id AND s.source = 'auth0' AND s.side = at_side
    LEFT JOIN auth0_verdicts v ON v.snapshot_id = c.snapshot_id AND v.connection_id = c.connection_id
    WHERE NOT coalesce(v.ignored, false)
),
links AS (
    SELECT cw.snapshot_id, cw.connection_id, cw.workspace_id, cw.mapped_by, cw.workspace_key
    FROM auth0_connection_workspaces cw
    JOIN selection s ON s.snapshot_id = cw.snapshot_id AND s.source = 'auth0' AND s.side = at_side
    UNION ALL
    SELECT n.snapshot_id, n.connection_id, n.workspace_id, 'name pattern' AS mapped_by, n.workspace_key
    FROM auth0_name_workspaces n
    JOIN selection s ON s.snapshot_id = n.snapshot_id AND s.source = 'auth0' AND s.side = at_side
)
SELECT c.connection_id, c.strategy, c.vendor, l.workspace_id, l.mapped_by, l.workspace_key
FROM conns c
LEFT JOIN links l ON l.snapshot_id = c.snapshot_id AND l.connection_id = c.connection_id
