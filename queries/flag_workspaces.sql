-- flag_workspaces: every workspace of the flags snapshot selected for side `at_side`.
-- grain: one row per workspace_id; unordered: an intermediate block read by others, so it skips the sort (order what you select from it).
-- columns:
--   workspace_id    VARCHAR  the product's workspace id
--   workspace_name  VARCHAR  as given in the flags input, may be NULL
--   users           BIGINT   members of the workspace (0 when not given)
--   flags_on        UBIGINT  bit n set when the feature at features.position n is on
--   flags_empty     UBIGINT  bit n set when that feature's cell was empty (counts as off)
--   workspace_key   UINTEGER the workspace's key (schema.sql: workspace_keys); join on it, not on the ID
SELECT w.workspace_id, w.workspace_name, coalesce(w.users, 0)::BIGINT AS users, w.flags_on, w.flags_empty,
       w.workspace_key
FROM workspaces w
JOIN selection s ON s.snapshot_id = w.snapshot_id AND s.source = 'flags' AND s.side = at_side
