-- doctor_accounts_without_workspace: accounts with ARR > 0 that reach no workspace of the
-- flags snapshot, so their ARR is not attributable; side `at_side`.
-- grain: one row per account, largest ARR first.
-- columns:
--   account_id    VARCHAR
--   account_name  VARCHAR
--   arr           DECIMAL(18,2)
SELECT a.account_id, a.account_name, a.arr
FROM account_arr(at_side) a
WHERE a.arr > 0 AND a.account_id NOT IN (SELECT account_id FROM customers(at_side))
ORDER BY a.arr DESC, a.account_id
