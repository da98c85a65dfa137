-- revenue_share: customers and ARR on each feature for side `at_side` (SPEC 3).
-- Shares divide exact integers (cents, counts), so the result is the correctly
-- rounded fraction whatever the summation order.
-- grain: one row per reported feature, in report order.
-- columns:
--   feature         VARCHAR        key
--   label           VARCHAR        display name
--   customers       BIGINT         customers with the feature on any workspace
--   customer_share  DOUBLE         customers / total customers; NULL when there are no customers
--   arr             DECIMAL(38,2)  those customers' ARR, each counted once
--   arr_share       DOUBLE         arr / total ARR; NULL when total ARR is 0
--   concentration   DOUBLE         arr_share / customer_share; NULL when customer_share is 0
--   workspaces      BIGINT         workspaces in the whole flags snapshot with the feature
--   users           BIGINT         users of those workspaces
WITH t AS (SELECT * FROM totals(at_side)),
by_customer AS (
    SELECT cf.feature,
           count(*) FILTER (WHERE cf.has)::BIGINT AS customers,
           coalesce(sum(cf.arr) FILTER (WHERE cf.has), 0)::DECIMAL(38,2) AS arr
    FROM customer_features(at_side) cf
    GROUP BY cf.feature
),
by_workspace AS (
    SELECT feature, count(*) FILTER (WHERE enabled)::BIGINT AS workspaces,
           coalesce(sum(users) FILTER (WHERE enabled), 0)::BIGINT AS users
    FROM workspace_features(at_side) GROUP BY feature
)
SELECT f.feature, f.label,
       coalesce(bc.customers, 0)::BIGINT AS customers,
       CASE WHEN t.customers > 0 THEN coalesce(bc.customers, 0)::DOUBLE / t.customers::DOUBLE END AS customer_share,
       coalesce(bc.arr, 0)::DECIMAL(38,2) AS arr,
       CASE WHEN t.arr > 0 THEN (coalesce(bc.arr, 0) * 100)::DOUBLE / (t.arr * 100)::DOUBLE END AS arr_share,
       CASE WHEN t.arr > 0 AND coalesce(bc.customers, 0) > 0
            THEN (bc.arr * 100 * t.customers)::DOUBLE / (t.arr * 100 * bc.customers)::DOUBLE END AS concentration,
       coalesce(bw.workspaces, 0)::BIGINT AS workspaces,
       coalesce(bw.users, 0)::BIGINT AS users
FROM features(at_side) f
CROSS JOIN t
LEFT JOIN by_customer bc ON bc.feature = f.feature
LEFT JOIN by_workspace bw ON bw.feature = f.feature
ORDER BY f.position
