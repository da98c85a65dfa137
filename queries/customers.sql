-- customers: every customer for side `at_side`, its ARR counted once however many workspaces it has.
-- A customer is an account, or an account family under [salesforce] rollup = "ultimate_parent"
-- (customer_units).
-- grain: one row per customer; unordered: an intermediate block read by others, so it skips the sort (order what you select from it).
-- columns:
--   account_id    VARCHAR        the account, or the family's top account
--   account_name  VARCHAR
--   arr           DECIMAL(18,2)  in the reporting currency, > 0; a family's is the sum of its members' own ARR
--   workspaces    BIGINT         its workspaces in the flags snapshot (a family's: any member's, each once)
--   features_on   UBIGINT        bit n set when any of its workspaces has the feature at features.position n on
--   members       BIGINT         accounts in the customer: 1 for an account
--   account_key   UINTEGER       schema.sql: account_keys
SELECT u.account_id, u.account_name, u.arr, ck.workspaces, ck.features_on, u.members, u.account_key
FROM customer_keys(at_side) ck
JOIN customer_units(at_side) u ON u.account_key = ck.account_key
