-- doctor_prerequisite_breaks: workspaces with a feature on whose prerequisite (`requires`,
-- e.g. SCIM requires SSO) is off; side `at_side`. ARR is the owning customer's, if any.
-- grain: one row per (feature, workspace), largest ARR first.
-- columns:
--   feature       VARCHAR
--   requires      VARCHAR
--   workspace_id  VARCHAR
--   account_id    VARCHAR        owning customer, NULL when none
--   arr           DECIMAL(18,2)  that customer's ARR, NULL when none
-- The bit tests run on the few distinct flags_on patterns, not on every workspace; the
-- breaking workspaces and their owners are then found by equality with those patterns,
-- which DuckDB also pushes into the scans (the workspace IDs are read for those only).
WITH breaking AS (
    -- Pattern 0 breaks nothing; leaving it out also makes this read of flag_workspaces
    -- differ from the one in `breaks`, which DuckDB would otherwise share by copying
    -- every workspace with its ID.
    SELECT p.flags_on, f.feature, f.requires
    FROM (SELECT DISTINCT flags_on FROM flag_workspaces(at_side) WHERE flags_on <> 0) p
    JOIN features(at_side) f ON (p.flags_on & f.bit) <> 0
    JOIN features(at_side) r ON r.feature = f.requires AND (p.flags_on & r.bit) = 0
),
breaks AS (
    SELECT b.feature, b.requires, w.workspace_id, w.workspace_key
    FROM (SELECT * FROM flag_workspaces(at_side) WHERE flags_on IN (SELECT flags_on FROM breaking)) w
    JOIN breaking b ON b.flags_on = w.flags_on
),
-- A customer workspace carries its flags, so the owners of breaking workspaces are found
-- by pattern too, not by a join on every customer workspace's key.
owners AS (
    SELECT cw.workspace_key, c.account_id, c.arr
    FROM customer_workspaces(at_side) cw
    JOIN customers(at_side) c ON c.account_key = cw.account_key
    SEMI JOIN breaking b ON b.flags_on = cw.flags_on
)
SELECT b.feature, b.requires, b.workspace_id, o.account_id, o.arr
FROM breaks b
LEFT JOIN owners o ON o.workspace_key = b.workspace_key
ORDER BY o.arr DESC NULLS LAST, b.feature, b.workspace_id
