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
-- idp_connections leaves out the name and vendor_rule (see there): they are joined here.
WITH conns AS (
    SELECT c.connection_id, c.name, c.strategy, coalesce(c.vendor, v.vendor) AS vendor,
           coalesce(c.vendor_rule, v.vendor_rule) AS vendor_rule, coalesce(v.ignored, false) AS ignored
    FROM auth0_connections c
    JOIN selection s ON s.snapshot_id = c.snapshot_id AND s.source = 'auth0' AND s.side = at_side
    LEFT JOIN auth0_verdicts v ON v.snapshot_id = c.snapshot_id AND v.connection_id = c.connection_id
)
SELECT i.connection_id, c.name, i.strategy, i.vendor, c.vendor_rule, false AS ignored, i.workspace_id, i.mapped_by
FROM idp_connections(at_side) i
JOIN conns c ON c.connection_id = i.connection_id
UNION ALL
SELECT connection_id, name, strategy, vendor, vendor_rule, true AS ignored, NULL AS workspace_id, NULL AS mapped_by
FROM conns
WHERE ignored
ORDER BY connection_id, workspace_id
