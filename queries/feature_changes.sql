-- feature_changes: where each feature's ARR change between two sides comes from.
-- Compares side `at_side` (the later date) with side `base_side` (the earlier one).
-- Reconciles: arr = base_arr + turned_on_arr - turned_off_arr + new_arr - churned_arr + retained_change.
-- grain: one row per feature reported on `at_side`, in report order.
-- columns:
--   feature            VARCHAR
--   label              VARCHAR
--   base_customers     BIGINT         customers with the feature on base_side
--   customers          BIGINT         customers with the feature on at_side
--   base_arr           DECIMAL(38,2)  their ARR on base_side
--   arr                DECIMAL(38,2)  their ARR on at_side
--   turned_on          BIGINT         customers on both sides who did not have it and now do
--   turned_on_arr      DECIMAL(38,2)  their ARR on at_side
--   turned_off         BIGINT         customers on both sides who had it and no longer do
--   turned_off_arr     DECIMAL(38,2)  their ARR on base_side
--   new_customers      BIGINT         customers only on at_side who have it
--   new_arr            DECIMAL(38,2)  their ARR
--   churned_customers  BIGINT         customers only on base_side who had it
--   churned_arr        DECIMAL(38,2)  their ARR on base_side
--   retained_change    DECIMAL(38,2)  ARR change of customers who had it on both sides
WITH cur AS (
    SELECT cf.account_key, cf.feature, cf.has, cf.arr FROM customer_features(at_side) cf
),
base AS (
    SELECT cf.account_key, cf.feature, cf.has, cf.arr FROM customer_features(base_side) cf
),
cur_customers AS (SELECT account_key FROM customers(at_side)),
base_customers AS (SELECT account_key FROM customers(base_side)),
joined AS (
    SELECT coalesce(cur.feature, base.feature) AS feature,
           cur.has AS cur_has, base.has AS base_has, cur.arr AS cur_arr, base.arr AS base_arr,
           coalesce(cur.account_key, base.account_key) IN (SELECT account_key FROM cur_customers) AS in_cur,
           coalesce(cur.account_key, base.account_key) IN (SELECT account_key FROM base_customers) AS in_base
    FROM cur FULL JOIN base ON cur.account_key = base.account_key AND cur.feature = base.feature
),
agg AS (
    SELECT feature,
        count(*) FILTER (WHERE base_has)::BIGINT AS base_customers,
        count(*) FILTER (WHERE cur_has)::BIGINT AS customers,
        coalesce(sum(base_arr) FILTER (WHERE base_has), 0) AS base_arr,
        coalesce(sum(cur_arr) FILTER (WHERE cur_has), 0) AS arr,
        count(*) FILTER (WHERE cur_has AND in_base AND NOT coalesce(base_has, false))::BIGINT AS turned_on,
        coalesce(sum(cur_arr) FILTER (WHERE cur_has AND in_base AND NOT coalesce(base_has, false)), 0) AS turned_on_arr,
        count(*) FILTER (WHERE base_has AND in_cur AND NOT coalesce(cur_has, false))::BIGINT AS turned_off,
        coalesce(sum(base_arr) FILTER (WHERE base_has AND in_cur AND NOT coalesce(cur_has, false)), 0) AS turned_off_arr,
        count(*) FILTER (WHERE cur_has AND NOT in_base)::BIGINT AS new_customers,
        coalesce(sum(cur_arr) FILTER (WHERE cur_has AND NOT in_base), 0) AS new_arr,
        count(*) FILTER (WHERE base_has AND NOT in_cur)::BIGINT AS churned_customers,
        coalesce(sum(base_arr) FILTER (WHERE base_has AND NOT in_cur), 0) AS churned_arr,
        coalesce(sum(cur_arr - base_arr) FILTER (WHERE cur_has AND base_has), 0) AS retained_change
    FROM joined GROUP BY feature
)
SELECT f.feature, f.label,
       coalesce(a.base_customers, 0)::BIGINT AS base_customers, coalesce(a.customers, 0)::BIGINT AS customers,
       coalesce(a.base_arr, 0)::DECIMAL(38,2) AS base_arr, coalesce(a.arr, 0)::DECIMAL(38,2) AS arr,
       coalesce(a.turned_on, 0)::BIGINT AS turned_on, coalesce(a.turned_on_arr, 0)::DECIMAL(38,2) AS turned_on_arr,
       coalesce(a.turned_off, 0)::BIGINT AS turned_off, coalesce(a.turned_off_arr, 0)::DECIMAL(38,2) AS turned_off_arr,
       coalesce(a.new_customers, 0)::BIGINT AS new_customers, coalesce(a.new_arr, 0)::DECIMAL(38,2) AS new_arr,
       coalesce(a.churned_customers, 0)::BIGINT AS churned_customers, coalesce(a.churned_arr, 0)::DECIMAL(38,2) AS churned_arr,
       coalesce(a.retained_change, 0)::DECIMAL(38,2) AS retained_change
FROM features(at_side) f
LEFT JOIN agg a ON a.feature = f.feature
ORDER BY f.position
