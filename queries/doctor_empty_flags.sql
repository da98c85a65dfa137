-- doctor_empty_flags: empty boolean cells per feature (counted as false); side `at_side`.
-- grain: one row per feature with at least one empty cell, in report order.
-- columns:
--   feature     VARCHAR
--   label       VARCHAR
--   workspaces  BIGINT   workspaces whose cell was empty
SELECT f.feature, f.label, count(*)::BIGINT AS workspaces
FROM features(at_side) f
JOIN flag_workspaces(at_side) w ON (w.flags_empty & f.bit) <> 0
GROUP BY f.feature, f.label, f.position
ORDER BY f.position
