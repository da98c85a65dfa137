-- workspace_links: workspace-to-account links for side `at_side`, from the ARR export's
-- workspace column and from the workspace-accounts file, whichever exist.
-- grain: one row per distinct (workspace_id, account_id); unordered: an intermediate block read by others, so it skips the sort (order what you select from it).
-- columns:
--   workspace_id  VARCHAR
--   account_id    VARCHAR  18-character form
SELECT DISTINCT workspace_id, account_id FROM (
    SELECT aw.workspace_id, aw.account_id
    FROM account_workspaces aw
    JOIN selection s ON s.snapshot_id = aw.snapshot_id AND s.source = 'arr' AND s.side = at_side
    UNION ALL
    SELECT wa.workspace_id, wa.account_id
    FROM workspace_accounts wa
    JOIN selection s ON s.snapshot_id = wa.snapshot_id AND s.source = 'workspace-accounts' AND s.side = at_side
)
