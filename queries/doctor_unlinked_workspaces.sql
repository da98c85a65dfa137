-- doctor_unlinked_workspaces: workspaces of the flags snapshot linked to no account of the
-- ARR export (free workspaces, or a missing mapping), for side `at_side`.
-- grain: one row per workspace, most users first.
-- columns:
--   workspace_id    VARCHAR
--   workspace_name  VARCHAR
--   users           BIGINT
SELECT w.workspace_id, w.workspace_name, w.users
FROM flag_workspaces(at_side) w
ANTI JOIN (
    SELECT l.workspace_key FROM workspace_links(at_side) l JOIN account_arr(at_side) a ON a.account_key = l.account_key
) linked ON linked.workspace_key = w.workspace_key
ORDER BY w.users DESC, w.workspace_id
