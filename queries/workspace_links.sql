-- workspace_links: workspace-to-account links for side `at_side`, from the ARR export's
-- workspace column and from the workspace-accounts file, whichever exist.
-- grain: one row per distinct (workspace, account); unordered: an intermediate block read by others, so it skips the sort (order what you select from it).
-- columns:
--   workspace_key  UINTEGER  schema.sql: workspace_keys
--   account_key    UINTEGER  schema.sql: account_keys
SELECT DISTINCT workspace_key, account_key FROM (
    SELECT aw.workspace_key, aw.account_key
    FROM account_workspaces aw
    JOIN selection s ON s.snapshot_id = aw.snapshot_id AND s.source = 'arr' AND s.side = at_side
    UNION ALL
    SELECT wa.workspace_key, wa.account_key
    FROM workspace_accounts wa
    JOIN selection s ON s.snapshot_id = wa.snapshot_id AND s.source = 'workspace-accounts' AND s.side = at_side
)
