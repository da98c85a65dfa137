-- customer_workspaces: the workspaces of each customer for side `at_side`. A customer is
-- an account with ARR > 0 that has at least one workspace in the flags snapshot (SPEC 3).
-- grain: one row per (account, workspace); unordered: an intermediate block read by others, so it skips the sort (order what you select from it).
-- columns:
--   account_key    UINTEGER  schema.sql: account_keys
--   workspace_key  UINTEGER  schema.sql: workspace_keys
--   flags_on       UBIGINT   the workspace's feature bits (flag_workspaces.flags_on)
-- The subqueries name the only columns used: joined whole, both blocks were scanned
-- with every column, the workspace and account strings included.
SELECT l.account_key, l.workspace_key, w.flags_on
FROM workspace_links(at_side) l
JOIN (SELECT account_key FROM account_arr(at_side) WHERE arr > 0) a ON a.account_key = l.account_key
JOIN (SELECT workspace_key, flags_on FROM flag_workspaces(at_side)) w ON w.workspace_key = l.workspace_key
