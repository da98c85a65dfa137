-- coverage: how much of the data could be attributed, for side `at_side`.
-- grain: exactly one row.
-- columns:
--   attributable_arr             DECIMAL(38,2)  ARR of customers (reaches a workspace)
--   all_arr                      DECIMAL(38,2)  ARR of every account with ARR > 0
--   workspaces_without_account   BIGINT         flags workspaces linked to no account of the export
--   accounts_without_workspace   BIGINT         accounts with ARR > 0 and no workspace in the flags snapshot
--   arr_without_workspace        DECIMAL(38,2)  their ARR
--   accounts_empty_arr           BIGINT         accounts whose ARR cell was empty (not counted)
--   churned_accounts             BIGINT         accounts at ARR 0 (not customers)
WITH t AS (SELECT * FROM totals(at_side)),
linked AS (
    SELECT DISTINCT l.workspace_id FROM workspace_links(at_side) l
    JOIN account_arr(at_side) a ON a.account_id = l.account_id
),
no_ws AS (
    SELECT a.account_id, a.arr FROM account_arr(at_side) a
    ANTI JOIN customers(at_side) c ON c.account_id = a.account_id
    WHERE a.arr > 0
)
SELECT t.arr AS attributable_arr, t.all_arr,
       (SELECT count(*) FROM flag_workspaces(at_side) w ANTI JOIN linked l ON l.workspace_id = w.workspace_id)::BIGINT
           AS workspaces_without_account,
       (SELECT count(*) FROM no_ws)::BIGINT AS accounts_without_workspace,
       (SELECT coalesce(sum(arr), 0) FROM no_ws)::DECIMAL(38,2) AS arr_without_workspace,
       (SELECT count(*) FROM account_arr(at_side) WHERE arr IS NULL)::BIGINT AS accounts_empty_arr,
       (SELECT count(*) FROM account_arr(at_side) WHERE arr = 0)::BIGINT AS churned_accounts
FROM t
