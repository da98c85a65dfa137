-- unrecognised_endpoints: the mapped enterprise connections of side `at_side` whose endpoint no
-- rule recognised (vendor `Other SAML` or `Other OIDC`), and the customers and ARR behind them:
-- what a config rule naming their vendors would sort out.
-- grain: one row.
-- columns:
--   connections  BIGINT         such connections mapped to a workspace
--   customers    BIGINT         distinct customers owning their workspaces
--   arr          DECIMAL(38,2)  those customers' ARR, each counted once
--   arr_share    DOUBLE         arr / total attributable ARR; NULL when that is 0
WITH other AS (
    SELECT connection_id, workspace_key FROM idp_connections(at_side)
    WHERE vendor IN ('Other SAML', 'Other OIDC') AND workspace_id IS NOT NULL
),
owners AS (
    SELECT DISTINCT cw.account_key FROM other o JOIN customer_workspaces(at_side) cw ON cw.workspace_key = o.workspace_key
),
money AS (
    SELECT count(*)::BIGINT AS customers, coalesce(sum(c.arr), 0)::DECIMAL(38,2) AS arr
    FROM owners o JOIN customers(at_side) c ON c.account_key = o.account_key
),
t AS (SELECT arr FROM totals(at_side))
SELECT (SELECT count(DISTINCT connection_id) FROM other)::BIGINT AS connections,
       m.customers, m.arr,
       CASE WHEN t.arr > 0 THEN (m.arr * 100)::DOUBLE / (t.arr * 100)::DOUBLE END AS arr_share
FROM money m CROSS JOIN t
