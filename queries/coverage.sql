-- coverage: how much of the data could be attributed, for side `at_side`.
-- grain: exactly one row.
-- columns:
--   attributable_arr             DECIMAL(38,2)  ARR of customers (reaches a workspace)
--   all_arr                      DECIMAL(38,2)  ARR of every account with ARR > 0
--   workspaces_without_account   BIGINT         flags workspaces linked to no account of the export
--   accounts_without_workspace   BIGINT         accounts (or account families, customer_units) with ARR > 0 and no workspace in the flags snapshot
--   arr_without_workspace        DECIMAL(38,2)  their ARR
--   accounts_empty_arr           BIGINT         accounts whose ARR cell was empty (not counted)
--   churned_accounts             BIGINT         accounts at ARR 0 (not customers)
WITH t AS (SELECT * FROM totals(at_side)),
unit_counts AS (
    SELECT count(*) FILTER (WHERE u.arr > 0 AND c.account_key IS NULL)::BIGINT AS accounts_without_workspace,
           coalesce(sum(u.arr) FILTER (WHERE u.arr > 0 AND c.account_key IS NULL), 0)::DECIMAL(38,2)
               AS arr_without_workspace
    FROM customer_units(at_side) u
    LEFT JOIN customers(at_side) c ON c.account_key = u.account_key
),
-- Cells of single accounts, whatever the rollup.
account_counts AS (
    SELECT count(*) FILTER (WHERE a.arr IS NULL)::BIGINT AS accounts_empty_arr,
           count(*) FILTER (WHERE a.arr = 0)::BIGINT AS churned_accounts
    FROM account_arr(at_side) a
),
linked AS (
    SELECT l.workspace_key FROM workspace_links(at_side) l
    SEMI JOIN account_arr(at_side) a ON a.account_key = l.account_key
)
SELECT t.arr AS attributable_arr, t.all_arr,
       (SELECT count(*) FROM flag_workspaces(at_side) w ANTI JOIN linked l ON l.workspace_key = w.workspace_key)::BIGINT
           AS workspaces_without_account,
       u.accounts_without_workspace, u.arr_without_workspace, a.accounts_empty_arr, a.churned_accounts
FROM t, unit_counts u, account_counts a
