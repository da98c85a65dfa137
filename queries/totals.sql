-- totals: the denominators for side `at_side` (SPEC 3).
-- grain: exactly one row.
-- columns:
--   customers     BIGINT         customers (accounts, or account families, with ARR > 0 and a workspace in the flags snapshot)
--   arr           DECIMAL(38,2)  their ARR (attributable ARR)
--   all_arr       DECIMAL(38,2)  ARR of every account (or family) with ARR > 0 in the export: each account's own ARR once
--   arr_coverage  DOUBLE         arr / all_arr; NULL when the export holds no ARR
--   unattributed_arr        DECIMAL(38,2)  all_arr - arr: ARR no workspace carries
--   unattributed_arr_share  DOUBLE         unattributed_arr / all_arr; NULL when the export holds no ARR
--   workspaces    BIGINT         every workspace in the flags snapshot
--   customer_workspaces     BIGINT         the customers' workspaces in the flags snapshot (one linked to two customers counts once)
WITH c AS (SELECT count(*)::BIGINT AS customers, coalesce(sum(arr), 0)::DECIMAL(38,2) AS arr FROM customers(at_side)),
     a AS (SELECT coalesce(sum(arr), 0)::DECIMAL(38,2) AS all_arr FROM customer_units(at_side) WHERE arr > 0),
     w AS (SELECT count(*)::BIGINT AS workspaces FROM flag_workspaces(at_side)),
     -- Grouped, not count(DISTINCT): a GROUP BY on the dense key uses DuckDB's perfect hash
     -- table (queries.rs), about 30 ms at 1M where count(DISTINCT) took 250.
     cw AS (SELECT count(*)::BIGINT AS customer_workspaces
            FROM (SELECT workspace_key FROM customer_workspaces(at_side) GROUP BY workspace_key))
SELECT c.customers, c.arr, a.all_arr,
       CASE WHEN a.all_arr > 0 THEN (c.arr * 100)::DOUBLE / (a.all_arr * 100)::DOUBLE END AS arr_coverage,
       (a.all_arr - c.arr)::DECIMAL(38,2) AS unattributed_arr,
       CASE WHEN a.all_arr > 0 THEN ((a.all_arr - c.arr) * 100)::DOUBLE / (a.all_arr * 100)::DOUBLE END
           AS unattributed_arr_share,
       w.workspaces, cw.customer_workspaces
FROM c, a, w, cw
