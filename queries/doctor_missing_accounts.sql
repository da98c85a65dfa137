-- doctor_missing_accounts: links from the workspace-accounts file to accounts that the ARR
-- export does not contain (a stale mapping, a merged or deleted account); side `at_side`.
-- grain: one row per link, by workspace.
-- columns:
--   workspace_id  VARCHAR
--   account_id    VARCHAR
--   line          BIGINT   line in the workspace-accounts file
SELECT wa.workspace_id, wa.account_id, wa.line
FROM workspace_accounts wa
JOIN selection s ON s.snapshot_id = wa.snapshot_id AND s.source = 'workspace-accounts' AND s.side = at_side
ANTI JOIN account_arr(at_side) a ON a.account_key = wa.account_key
ORDER BY wa.workspace_id, wa.account_id
