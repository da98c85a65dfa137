-- integration_candidates: for each IdP vendor, the customers that reach it only through
-- generic SAML or OIDC connections (no native connection of that vendor), and their ARR:
-- what a native integration for that vendor would serve. Side `at_side`. Named vendors only:
-- `Other SAML` and `Other OIDC` (endpoints no rule recognised) are in unrecognised_endpoints.
-- grain: one row per vendor with at least one such customer, ordered by arr descending,
--        then customers descending, then name.
-- columns:
--   idp             VARCHAR        vendor name
--   customers       BIGINT         customers on the vendor through generic connections only
--   arr             DECIMAL(38,2)  their ARR
--   arr_share       DOUBLE         arr / total attributable ARR
--   connections     BIGINT         the generic connections concerned
--   native_customers BIGINT        customers already on a native connection of the vendor
WITH mapped AS (
    SELECT m.*, cw.account_key,
           m.strategy IN ('samlp', 'oidc') AS generic
    FROM idp_connections(at_side) m
    JOIN customer_workspaces(at_side) cw ON cw.workspace_key = m.workspace_key
    WHERE m.vendor NOT IN ('Other SAML', 'Other OIDC')
),
per_customer AS (
    SELECT vendor, account_key, bool_and(generic) AS generic_only, bool_or(NOT generic) AS has_native
    FROM mapped GROUP BY vendor, account_key
),
generic_connections AS (
    SELECT vendor, count(DISTINCT connection_id)::BIGINT AS connections FROM mapped WHERE generic GROUP BY vendor
),
t AS (SELECT arr FROM totals(at_side))
SELECT pc.vendor AS idp,
       count(*) FILTER (WHERE pc.generic_only)::BIGINT AS customers,
       coalesce(sum(c.arr) FILTER (WHERE pc.generic_only), 0)::DECIMAL(38,2) AS arr,
       CASE WHEN t.arr > 0 THEN (coalesce(sum(c.arr) FILTER (WHERE pc.generic_only), 0) * 100)::DOUBLE / (t.arr * 100)::DOUBLE END AS arr_share,
       any_value(coalesce(g.connections, 0))::BIGINT AS connections,
       count(*) FILTER (WHERE pc.has_native)::BIGINT AS native_customers
FROM per_customer pc
JOIN customers(at_side) c ON c.account_key = pc.account_key
LEFT JOIN generic_connections g ON g.vendor = pc.vendor
CROSS JOIN t
GROUP BY pc.vendor, t.arr
HAVING count(*) FILTER (WHERE pc.generic_only) > 0
ORDER BY arr DESC, customers DESC, idp
