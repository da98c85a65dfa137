-- doctor_empty_flags: empty boolean cells per feature (counted as false); side `at_side`.
-- grain: one row per feature with at least one empty cell, in report order.
-- columns:
--   feature     VARCHAR
--   label       VARCHAR
--   workspaces  BIGINT   workspaces whose cell was empty
WITH patterns AS (
    -- A handful of distinct bit patterns, however many workspaces.
    SELECT flags_empty, count(*) AS workspaces FROM flag_workspaces(at_side) WHERE flags_empty <> 0 GROUP BY flags_empty
)
SELECT f.feature, f.label, sum(p.workspaces)::BIGINT AS workspaces
FROM features(at_side) f
JOIN patterns p ON (p.flags_empty & f.bit) <> 0
GROUP BY f.feature, f.label, f.position
ORDER BY f.position
