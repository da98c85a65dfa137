-- customers: every customer for side `at_side`, its ARR counted once however many workspaces it has.
-- grain: one row per account; unordered: an intermediate block read by others, so it skips the sort (order what you select from it).
-- columns:
--   account_id    VARCHAR
--   account_name  VARCHAR
--   arr           DECIMAL(18,2)  in the reporting currency, > 0
--   workspaces    BIGINT         its workspaces in the flags snapshot
--   features_on   UBIGINT        bit n set when any of its workspaces has the feature at features.position n on
--   account_key   UINTEGER       schema.sql: account_keys
SELECT a.account_id, a.account_name, a.arr, ck.workspaces, ck.features_on, a.account_key
FROM customer_keys(at_side) ck
JOIN account_arr(at_side) a ON a.account_key = ck.account_key
