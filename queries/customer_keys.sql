-- customer_keys: every customer for side `at_side` by its key, with its workspaces and
-- feature bits: `customers` without the account's ID and name, so that materializing it
-- copies no text (customers joins these rows to customer_units by key).
-- grain: one row per customer; unordered: an intermediate block read by others, so it skips the sort (order what you select from it).
-- columns:
--   account_key   UINTEGER  the customer's key: the account's, or its family top's (schema.sql: account_keys)
--   workspaces    BIGINT    its workspaces in the flags snapshot
--   features_on   UBIGINT   bit n set when any of its workspaces has the feature at features.position n on
SELECT account_key, count(*)::BIGINT AS workspaces, bit_or(flags_on) AS features_on
FROM customer_workspaces(at_side)
GROUP BY account_key
