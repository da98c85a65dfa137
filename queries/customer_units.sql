-- customer_units: what a customer can be, for side `at_side`, under [salesforce] rollup
-- (temp table report_settings): each account of the ARR snapshot (rollup = "account"),
-- or each account family, named by its top account (rollup = "ultimate_parent",
-- account_families). A unit with ARR > 0 and a workspace is a customer (customers).
-- grain: one row per unit: every account outside account_families, and every family top; unordered: an intermediate block read by others, so it skips the sort (order what you select from it).
-- columns:
--   account_id    VARCHAR        the account, or the family's top account
--   account_name  VARCHAR        its name; may be NULL
--   arr           DECIMAL(18,2)  the account's ARR, or the sum of every member's own ARR (each counted once); NULL when every member's ARR cell was empty
--   members       BIGINT         accounts in the unit: 1 for an account
--   account_key   UINTEGER       the account's or the top's key (schema.sql: account_keys)
WITH families AS (
    SELECT f.top_key,
           sum(m.arr)::DECIMAL(18,2) AS arr,
           count(*)::BIGINT AS members
    FROM account_families(at_side) f
    JOIN account_arr(at_side) m ON m.account_key = f.account_key
    GROUP BY f.top_key
)
SELECT a.account_id, a.account_name, a.arr, 1::BIGINT AS members, a.account_key
FROM account_arr(at_side) a
ANTI JOIN account_families(at_side) f ON f.account_key = a.account_key
UNION ALL
SELECT a.account_id, a.account_name, f.arr, f.members, a.account_key
FROM families f
JOIN account_arr(at_side) a ON a.account_key = f.top_key
