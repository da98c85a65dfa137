-- doctor_prerequisite_breaks: workspaces with a feature on whose prerequisite (`requires`,
-- e.g. SCIM requires SSO) is off; side `at_side`. ARR is the owning customer's, if any.
-- grain: one row per (feature, workspace), largest ARR first.
-- columns:
--   feature       VARCHAR
--   requires      VARCHAR
--   workspace_id  VARCHAR
--   account_id    VARCHAR        owning customer, NULL when none
--   arr           DECIMAL(18,2)  that customer's ARR, NULL when none
SELECT f.feature, f.requires, wf.workspace_id, cw.account_id, c.arr
FROM features(at_side) f
JOIN workspace_features(at_side) wf ON wf.feature = f.feature AND wf.enabled
JOIN workspace_features(at_side) req ON req.feature = f.requires AND req.workspace_id = wf.workspace_id AND NOT req.enabled
LEFT JOIN customer_workspaces(at_side) cw ON cw.workspace_id = wf.workspace_id
LEFT JOIN customers(at_side) c ON c.account_id = cw.account_id
WHERE f.requires IS NOT NULL
ORDER BY c.arr DESC NULLS LAST, f.feature, wf.workspace_id
