-- doctor_missing_accounts: links from the workspace-accounts file to accounts that the ARR
-- export does not contain (a stale mapping, a merged or deleted account); side `at_side`.
-- grain: one row per link, by workspace.
-- columns:
--   workspace_id  VARCHAR
--   account_id    VARCHAR
--   line          BIGINT   line in the workspace-accounts file
-- The few keys the export lacks come first (every account key seen, minus the export's):
-- a semi join on those few is pushed into the scan of the mapping, which then reads the
-- IDs of its matching rows only (3.6k of 350k at 1M) instead of probing every row.
WITH missing AS (
    SELECT k.account_key FROM account_keys k ANTI JOIN account_arr(at_side) a ON a.account_key = k.account_key
)
SELECT wa.workspace_id, wa.account_id, wa.line
FROM workspace_accounts wa
JOIN selection s ON s.snapshot_id = wa.snapshot_id AND s.source = 'workspace-accounts' AND s.side = at_side
SEMI JOIN missing m ON m.account_key = wa.account_key
ORDER BY wa.workspace_id, wa.account_id
