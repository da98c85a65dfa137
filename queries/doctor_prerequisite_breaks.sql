-- doctor_prerequisite_breaks: workspaces with a feature on whose prerequisite (`requires`,
-- e.g. SCIM requires SSO) is off; side `at_side`. ARR is the owning customer's, if any.
-- grain: one row per (feature, workspace), largest ARR first.
-- columns:
--   feature       VARCHAR
--   requires      VARCHAR
--   workspace_id  VARCHAR
--   account_id    VARCHAR        owning customer, NULL when none
--   arr           DECIMAL(18,2)  that customer's ARR, NULL when none
WITH breaks AS (
    SELECT f.feature, f.requires, w.workspace_id, w.workspace_key
    FROM features(at_side) f
    JOIN features(at_side) r ON r.feature = f.requires
    JOIN flag_workspaces(at_side) w
      ON (w.flags_on & f.bit) <> 0 AND (w.flags_on & r.bit) = 0
)
SELECT b.feature, b.requires, b.workspace_id, c.account_id, c.arr
FROM breaks b
LEFT JOIN customer_workspaces(at_side) cw ON cw.workspace_key = b.workspace_key
LEFT JOIN customers(at_side) c ON c.account_key = cw.account_key
ORDER BY c.arr DESC NULLS LAST, b.feature, b.workspace_id
