-- workspace_features: each workspace's value for each reported feature, for side `at_side`.
-- grain: one row per (workspace_id, feature); unordered: an intermediate block read by others, so it skips the sort (order what you select from it).
-- columns:
--   workspace_id  VARCHAR
--   feature       VARCHAR
--   enabled       BOOLEAN  true when the flag is on; an empty cell counts as false
--   empty         BOOLEAN  true when the cell was empty (a doctor finding)
--   users         BIGINT   the workspace's users
SELECT wf.workspace_id, wf.feature, coalesce(wf.enabled, false) AS enabled,
       wf.enabled IS NULL AS empty, w.users
FROM workspace_flags wf
JOIN selection s ON s.snapshot_id = wf.snapshot_id AND s.source = 'flags' AND s.side = at_side
JOIN flag_workspaces(at_side) w ON w.workspace_id = wf.workspace_id
