-- doctor_accounts_without_workspace: accounts (account families under [salesforce] rollup =
-- "ultimate_parent": customer_units) with ARR > 0 that reach no workspace of the flags
-- snapshot, so their ARR is not attributable; side `at_side`.
-- grain: one row per account or family, largest ARR first.
-- columns:
--   account_id    VARCHAR        the account, or the family's top account
--   account_name  VARCHAR
--   arr           DECIMAL(18,2)  its ARR (a family's: every member's own ARR)
SELECT u.account_id, u.account_name, u.arr
FROM customer_units(at_side) u
ANTI JOIN customers(at_side) c ON c.account_key = u.account_key
WHERE u.arr > 0
ORDER BY u.arr DESC, u.account_id
