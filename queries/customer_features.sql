-- customer_features: whether each customer has each feature for side `at_side`
-- (a customer has a feature when any of its workspaces has it: customers.features_on).
-- grain: one row per (account_id, feature), every customer times every reported feature; unordered: an intermediate block read by others, so it skips the sort (order what you select from it).
-- columns:
--   account_id  VARCHAR
--   feature     VARCHAR
--   has         BOOLEAN
--   arr         DECIMAL(18,2)  the customer's ARR (customers.arr)
--   account_key UINTEGER       schema.sql: account_keys
SELECT c.account_id, f.feature, (c.features_on & f.bit) <> 0 AS has, c.arr, c.account_key
FROM customers(at_side) c
CROSS JOIN features(at_side) f
