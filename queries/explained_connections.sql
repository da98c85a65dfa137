-- explained_connections: every enterprise connection of side `at_side`, ignored ones included,
-- with the vendor and the rule that decided it and the workspaces it maps to: what
-- `report idps --explain` lists.
-- grain: one row per (connection_id, workspace_id); workspace_id is NULL for an unmapped or
--        ignored connection. Ordered by connection id.
-- columns:
--   connection_id  VARCHAR
--   name           VARCHAR
--   strategy       VARCHAR
--   vendor         VARCHAR  IdP vendor; `ignore` for a connection a config rule ignores
--   vendor_rule    VARCHAR  which rule decided
--   ignored        BOOLEAN  a config rule said `ignore`: left out of every count
--   workspace_id   VARCHAR  mapped workspace, NULL when unmapped or ignored
--   mapped_by      VARCHAR  how it was mapped, NULL when unmapped or ignored
WITH ignored AS (
    SELECT c.connection_id, c.name, c.strategy, v.vendor, v.vendor_rule
    FROM auth0_connections c
    JOIN selection s ON s.snapshot_id = c.snapshot_id AND s.source = 'auth0' AND s.side = at_side
    JOIN auth0_verdicts v ON v.snapshot_id = c.snapshot_id AND v.connection_id = c.connection_id
    WHERE v.ignored
)
SELECT connection_id, name, strategy, vendor, vendor_rule, false AS ignored, workspace_id, mapped_by
FROM idp_connections(at_side)
UNION ALL
SELECT connection_id, name, strategy, vendor, vendor_rule, true AS ignored, NULL AS workspace_id, NULL AS mapped_by
FROM ignored
ORDER BY connection_id, workspace_id
