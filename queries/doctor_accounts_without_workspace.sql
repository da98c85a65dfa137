-- doctor_accounts_without_workspace: accounts with ARR > 0 that reach no workspace of the
-- flags snapshot, so their ARR is not attributable; side `at_side`.
-- grain: one row per account, largest ARR first.
-- columns:
--   account_id    VARCHAR
--   account_name  VARCHAR
--   arr           DECIMAL(18,2)
SELECT a.account_id, a.account_name, a.arr
FROM account_arr(at_side) a
ANTI JOIN customers(at_side) c ON c.account_key = a.account_key
WHERE a.arr > 0
ORDER BY a.arr DESC, a.account_id
