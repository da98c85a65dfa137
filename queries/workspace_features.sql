-- workspace_features: each workspace's value for each reported feature, for side `at_side`,
-- unpacked from the bits of flag_workspaces.
-- grain: one row per (workspace_id, feature); unordered: an intermediate block read by others, so it skips the sort (order what you select from it).
-- columns:
--   workspace_id  VARCHAR
--   feature       VARCHAR
--   enabled       BOOLEAN  true when the flag is on; an empty cell counts as false
--   empty         BOOLEAN  true when the cell was empty (a doctor finding)
--   users         BIGINT   the workspace's users
SELECT w.workspace_id, f.feature, (w.flags_on & f.bit) <> 0 AS enabled,
       (w.flags_empty & f.bit) <> 0 AS empty, w.users
FROM flag_workspaces(at_side) w
CROSS JOIN features(at_side) f
