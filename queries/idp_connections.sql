-- idp_connections: the enterprise connections of the Auth0 snapshot selected for side `at_side`,
-- with their IdP vendor, the rule that decided it, and the workspace they map to.
-- grain: one row per (connection_id, workspace_id); workspace_id is NULL for an unmapped connection.
-- columns:
--   connection_id  VARCHAR
--   name           VARCHAR
--   strategy       VARCHAR  samlp, oidc, waad, okta, ...
--   vendor         VARCHAR  IdP vendor (SPEC 2.3 names)
--   vendor_rule    VARCHAR  which rule decided the vendor
--   workspace_id   VARCHAR  mapped workspace, NULL when unmapped
--   mapped_by      VARCHAR  connection metadata | organization ... metadata | name pattern; NULL when unmapped
--   workspace_key  UINTEGER schema.sql: workspace_keys; NULL when unmapped
SELECT c.connection_id, c.name, c.strategy, c.vendor, c.vendor_rule, cw.workspace_id, cw.mapped_by, cw.workspace_key
FROM auth0_connections c
JOIN selection s ON s.snapshot_id = c.snapshot_id AND s.source = 'auth0' AND s.side = at_side
LEFT JOIN auth0_connection_workspaces cw ON cw.snapshot_id = c.snapshot_id AND cw.connection_id = c.connection_id
ORDER BY c.connection_id, cw.workspace_id
