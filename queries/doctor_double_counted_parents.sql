-- doctor_double_counted_parents: parent accounts of side `at_side`'s ARR snapshot whose
-- own ARR equals the sum of their direct children's (children's sum > 0): the sign of an
-- ARR field that already includes the children, which any rollup then counts twice
-- (reference/salesforce-exports.md section 6). Whatever [salesforce] rollup says.
-- grain: one row per parent, largest ARR first.
-- columns:
--   account_id    VARCHAR
--   account_name  VARCHAR
--   arr           DECIMAL(18,2)  the parent's own ARR, counted a second time through its children
--   children      BIGINT         its direct children in the snapshot
WITH children AS (
    SELECT parent_key, count(*)::BIGINT AS children, sum(arr) AS arr
    FROM account_arr(at_side)
    WHERE parent_key IS NOT NULL
    GROUP BY parent_key
)
SELECT p.account_id, p.account_name, p.arr, c.children
FROM children c
JOIN account_arr(at_side) p ON p.account_key = c.parent_key
WHERE c.arr > 0 AND p.arr = c.arr
ORDER BY p.arr DESC, p.account_id
