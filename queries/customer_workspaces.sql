-- customer_workspaces: the workspaces of each customer for side `at_side`. A customer is
-- a unit of customer_units (an account, or an account family under [salesforce] rollup =
-- "ultimate_parent") with ARR > 0 that has at least one workspace in the flags snapshot
-- (SPEC 3). A family's workspaces are those linked to any of its members, each once.
-- grain: one row per (customer, workspace); unordered: an intermediate block read by others, so it skips the sort (order what you select from it).
-- columns:
--   account_key    UINTEGER  the customer's key: the account's, or its family top's (schema.sql: account_keys)
--   workspace_key  UINTEGER  schema.sql: workspace_keys
--   flags_on       UBIGINT   the workspace's feature bits (flag_workspaces.flags_on)
-- The subqueries name the only columns used: joined whole, both blocks were scanned
-- with every column, the workspace and account strings included. Only the links of
-- family members need DISTINCT (two members may link one workspace); workspace_links is
-- already distinct per account, and account_families is empty under rollup = "account".
SELECT l.account_key, l.workspace_key, w.flags_on
FROM (
    SELECT l.account_key, l.workspace_key
    FROM workspace_links(at_side) l
    ANTI JOIN account_families(at_side) f ON f.account_key = l.account_key
    UNION ALL
    SELECT DISTINCT f.top_key AS account_key, l.workspace_key
    FROM workspace_links(at_side) l
    JOIN account_families(at_side) f ON f.account_key = l.account_key
) l
JOIN (SELECT account_key FROM customer_units(at_side) WHERE arr > 0) a ON a.account_key = l.account_key
JOIN (SELECT workspace_key, flags_on FROM flag_workspaces(at_side)) w ON w.workspace_key = l.workspace_key
