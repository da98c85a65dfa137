-- doctor_missing_parents: accounts of side `at_side`'s ARR snapshot whose parent account
-- is not in that snapshot (deleted, filtered out by the export, or from another org).
-- Under [salesforce] rollup = "ultimate_parent" each is the top of its own family
-- instead of joining its parent's.
-- grain: one row per account, largest ARR first.
-- columns:
--   account_id    VARCHAR
--   account_name  VARCHAR
--   parent_id     VARCHAR        the parent the snapshot lacks
--   arr           DECIMAL(18,2)  the ARR of the customer unit it heads (customer_units): its own, plus its family's under rollup = "ultimate_parent"; NULL when empty
SELECT u.account_id, u.account_name, p.account_id AS parent_id, u.arr
FROM account_arr(at_side) a
ANTI JOIN account_arr(at_side) x ON x.account_key = a.parent_key
JOIN account_keys p ON p.account_key = a.parent_key
JOIN customer_units(at_side) u ON u.account_key = a.account_key
WHERE a.parent_key IS NOT NULL
ORDER BY u.arr DESC NULLS LAST, u.account_id
