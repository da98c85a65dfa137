-- doctor_prerequisite_breaks: workspaces with a feature on whose prerequisite (`requires`,
-- e.g. SCIM requires SSO) is off; side `at_side`. ARR is the owning customer's, if any.
-- grain: one row per (feature, workspace), largest ARR first.
-- columns:
--   feature       VARCHAR
--   requires      VARCHAR
--   workspace_id  VARCHAR
--   account_id    VARCHAR        owning customer, NULL when none
--   arr           DECIMAL(18,2)  that customer's ARR, NULL when none
-- Bit tests run on the few distinct flag patterns, not on every workspace; workspaces and
-- their owners are then found by equality on flags_on, a join against a few rows.
WITH breaking AS (
    SELECT p.flags_on, f.feature, f.requires
    FROM (SELECT DISTINCT flags_on FROM flag_workspaces(at_side)) p
    JOIN features(at_side) f ON (p.flags_on & f.bit) <> 0
    JOIN features(at_side) r ON r.feature = f.requires AND (p.flags_on & r.bit) = 0
),
breaks AS (
    SELECT b.feature, b.requires, w.workspace_id, w.workspace_key
    FROM flag_workspaces(at_side) w
    JOIN breaking b ON b.flags_on = w.flags_on
),
owners AS (
    SELECT cw.workspace_key, cw.account_key
    FROM customer_workspaces(at_side) cw
    SEMI JOIN breaking b ON b.flags_on = cw.flags_on
)
SELECT b.feature, b.requires, b.workspace_id, c.account_id, c.arr
FROM breaks b
LEFT JOIN owners o ON o.workspace_key = b.workspace_key
LEFT JOIN customers(at_side) c ON c.account_key = o.account_key
ORDER BY c.arr DESC NULLS LAST, b.feature, b.workspace_id
