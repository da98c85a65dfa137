-- customer_features: whether each customer has each feature for side `at_side`
-- (a customer has a feature when any of its workspaces has it).
-- grain: one row per (account_id, feature), every customer times every reported feature; unordered: an intermediate block read by others, so it skips the sort (order what you select from it).
-- columns:
--   account_id  VARCHAR
--   feature     VARCHAR
--   has         BOOLEAN
SELECT cw.account_id, wf.feature, bool_or(wf.enabled) AS has
FROM customer_workspaces(at_side) cw
JOIN workspace_features(at_side) wf ON wf.workspace_id = cw.workspace_id
GROUP BY cw.account_id, wf.feature
