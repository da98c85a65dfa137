-- idps: customers, ARR and logins per IdP vendor for side `at_side` (SPEC 3). Only connections
-- mapped to a workspace count; a customer on two IdPs counts under both.
-- grain: one row per vendor with at least one mapped connection,
--        ordered by arr descending, then customers descending, then name.
-- columns:
--   idp          VARCHAR        vendor name
--   connections  BIGINT         its enterprise connections mapped to a workspace
--   workspaces   BIGINT         distinct mapped workspaces
--   customers    BIGINT         distinct customers owning those workspaces
--   arr          DECIMAL(38,2)  those customers' ARR, each counted once per vendor
--   arr_share    DOUBLE         arr / total attributable ARR; NULL when that is 0
--   logins       BIGINT         successful logins through its mapped connections in the log window; NULL without logs
WITH mapped AS (SELECT * FROM idp_connections(at_side) WHERE workspace_id IS NOT NULL),
has_logs AS (
    SELECT count(*) > 0 AS yes FROM auth0_log_window w
    JOIN selection s ON s.snapshot_id = w.snapshot_id AND s.source = 'auth0' AND s.side = at_side
),
per_vendor AS (
    SELECT vendor, count(DISTINCT connection_id)::BIGINT AS connections, count(DISTINCT workspace_id)::BIGINT AS workspaces
    FROM mapped GROUP BY vendor
),
vendor_customers AS (
    SELECT DISTINCT m.vendor, cw.account_key
    FROM mapped m JOIN customer_workspaces(at_side) cw ON cw.workspace_key = m.workspace_key
),
vendor_arr AS (
    SELECT vc.vendor, count(*)::BIGINT AS customers, sum(c.arr)::DECIMAL(38,2) AS arr
    FROM vendor_customers vc JOIN customers(at_side) c ON c.account_key = vc.account_key
    GROUP BY vc.vendor
),
vendor_logins AS (
    SELECT m.vendor, sum(l.logins)::BIGINT AS logins
    FROM (SELECT DISTINCT vendor, connection_id FROM mapped) m
    JOIN idp_logins(at_side) l ON l.connection_id = m.connection_id
    GROUP BY m.vendor
),
t AS (SELECT arr FROM totals(at_side))
SELECT p.vendor AS idp, p.connections, p.workspaces,
       coalesce(a.customers, 0)::BIGINT AS customers,
       coalesce(a.arr, 0)::DECIMAL(38,2) AS arr,
       CASE WHEN t.arr > 0 THEN (coalesce(a.arr, 0) * 100)::DOUBLE / (t.arr * 100)::DOUBLE END AS arr_share,
       CASE WHEN (SELECT yes FROM has_logs) THEN coalesce(vl.logins, 0) END::BIGINT AS logins
FROM per_vendor p
CROSS JOIN t
LEFT JOIN vendor_arr a ON a.vendor = p.vendor
LEFT JOIN vendor_logins vl ON vl.vendor = p.vendor
ORDER BY arr DESC, customers DESC, idp
