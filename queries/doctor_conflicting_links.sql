-- doctor_conflicting_links: workspaces linked to more than one account across the ARR export
-- and the workspace-accounts file (the same ID claimed twice); side `at_side`.
-- grain: one row per workspace.
-- columns:
--   workspace_id  VARCHAR
--   accounts      VARCHAR        the account ids, comma-separated
--   arr           DECIMAL(38,2)  ARR of those accounts
WITH claimed_twice AS (
    SELECT workspace_id FROM workspace_links(at_side) GROUP BY workspace_id HAVING count(*) > 1
)
SELECT l.workspace_id, string_agg(l.account_id, ', ' ORDER BY l.account_id) AS accounts,
       coalesce(sum(a.arr), 0)::DECIMAL(38,2) AS arr
FROM workspace_links(at_side) l
SEMI JOIN claimed_twice t ON t.workspace_id = l.workspace_id
LEFT JOIN account_arr(at_side) a ON a.account_id = l.account_id
GROUP BY l.workspace_id
ORDER BY l.workspace_id
