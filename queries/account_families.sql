-- account_families: the accounts of side `at_side`'s ARR snapshot that share a customer
-- with other accounts under [salesforce] rollup = "ultimate_parent" (temp table
-- report_settings): every account whose chain of parent links, within the snapshot and
-- at any depth, leads to the same top account. A top is an account without a parent, or
-- whose parent the snapshot lacks. Empty under rollup = "account", where each account is
-- a customer of its own; an account in no row here is a family of one.
-- Loads refuse cycles of parent links; an account on a cycle in a store loaded before
-- that check has no top and stays a family of one.
-- grain: one row per account in a family of two or more, the top included; unordered: an intermediate block read by others, so it skips the sort (order what you select from it).
-- columns:
--   account_key  UINTEGER  schema.sql: account_keys
--   top_key      UINTEGER  the family's top account; equals account_key for the top itself
--   depth        INTEGER   parent links from the account up to the top: 0 for the top
WITH RECURSIVE links AS (
    SELECT account_key, parent_key FROM account_arr(at_side)
    WHERE (SELECT rollup FROM report_settings) = 'ultimate_parent'
),
-- Tops with at least one child: a top's parent is NULL or outside the snapshot.
tops AS (
    SELECT p.account_key
    FROM links p
    ANTI JOIN links up ON up.account_key = p.parent_key
    SEMI JOIN links c ON c.parent_key = p.account_key
),
walk(account_key, top_key, depth) AS (
    SELECT account_key, account_key, 0 FROM tops
    UNION ALL
    SELECT c.account_key, w.top_key, w.depth + 1
    FROM walk w
    JOIN links c ON c.parent_key = w.account_key
)
SELECT account_key, top_key, depth FROM walk
