-- doctor_conflicting_links: workspaces linked to more than one account across the ARR export
-- and the workspace-accounts file (the same ID claimed twice); side `at_side`.
-- grain: one row per workspace.
-- columns:
--   workspace_id  VARCHAR
--   accounts      VARCHAR        the account ids, comma-separated
--   arr           DECIMAL(38,2)  ARR of those accounts
WITH claimed_twice AS (
    SELECT workspace_key FROM workspace_links(at_side) GROUP BY workspace_key HAVING count(*) > 1
)
SELECT wk.workspace_id, string_agg(ak.account_id, ', ' ORDER BY ak.account_id) AS accounts,
       coalesce(sum(a.arr), 0)::DECIMAL(38,2) AS arr
FROM workspace_links(at_side) l
SEMI JOIN claimed_twice t ON t.workspace_key = l.workspace_key
JOIN workspace_keys wk ON wk.workspace_key = l.workspace_key
JOIN account_keys ak ON ak.account_key = l.account_key
LEFT JOIN account_arr(at_side) a ON a.account_key = l.account_key
GROUP BY wk.workspace_id
ORDER BY wk.workspace_id
