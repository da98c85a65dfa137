-- account_arr: every account of the ARR snapshot selected for side `at_side`.
-- grain: one row per account_id (18-character form); unordered: an intermediate block read by others, so it skips the sort (order what you select from it).
-- columns:
--   account_id    VARCHAR
--   account_name  VARCHAR        may be NULL
--   arr           DECIMAL(18,2)  in the reporting currency; NULL when the export left it empty
--   account_key   UINTEGER       the account's key (schema.sql: account_keys); join on it, not on the ID
--   parent_key    UINTEGER       its parent's key; NULL without a parent (the parent may be missing from the snapshot)
SELECT a.account_id, a.account_name, a.arr, a.account_key, a.parent_key
FROM accounts a
JOIN selection s ON s.snapshot_id = a.snapshot_id AND s.source = 'arr' AND s.side = at_side
