-- The lean direct-DuckDB baseline of scripts/bench (issue 18): featurearr's three
-- loads (flags, Salesforce report export, workspace-accounts) and `report
-- revenue-share`, as one SQL script run by the DuckDB 1.5.6 CLI in one process, into
-- a file-backed database, with explicit column types and no per-row code outside
-- DuckDB. scripts/bench_run.py runs it as
--
--   duckdb DB.duckdb -json -cmd "SET VARIABLE flags = '...'; ..." -f scripts/bench_lean.sql
--
-- with these variables:
--   flags, arr, workspace_accounts  paths of the three inputs
--   reporting                       the reporting currency code ('USD')
--   rates                           [{code, mantissa, scale}]: 1.08 EUR is {'EUR', 108, 2}
--
-- It checks what featurearr's loads check (duplicate workspace IDs in the flags file,
-- a currency without a rate, one account's rows with different ARR) and fails with
-- error() when one is broken; the checks go into temporary tables so that the one
-- result row is all the script prints.
-- It prints one JSON row: customers, arr_cents, per-feature customers, arr_cents,
-- workspaces and users, and the coverage numbers, so that scripts/bench_run.py can
-- compare them with featurearr's JSON exactly.

-- Salesforce's case-safe 18-character form of a 15-character ID.
CREATE MACRO id_bit(x, i) AS CASE WHEN substr(x, i, 1) BETWEEN 'A' AND 'Z' THEN 1 ELSE 0 END;
CREATE MACRO id_chunk(x, start) AS substr('ABCDEFGHIJKLMNOPQRSTUVWXYZ012345',
    1 + id_bit(x, start) + 2 * id_bit(x, start + 1) + 4 * id_bit(x, start + 2)
      + 8 * id_bit(x, start + 3) + 16 * id_bit(x, start + 4), 1);
CREATE MACRO id18(x) AS CASE WHEN length(x) = 15 THEN x || id_chunk(x, 1) || id_chunk(x, 6) || id_chunk(x, 11)
                             ELSE x END;
-- Half-even rounding of p / d for p >= 0, as featurearr converts currencies.
CREATE MACRO div_half_even(p, d) AS
    (p // d) + CASE WHEN 2 * (p % d) > d OR (2 * (p % d) = d AND (p // d) % 2 = 1) THEN 1 ELSE 0 END;

-- --- load flags
CREATE TABLE flags AS
SELECT workspace_id, workspace_name, coalesce(users, 0) AS users,
       coalesce(sso_enabled, false) AS sso, coalesce(scim_enabled, false) AS scim,
       coalesce(mfa_enforced, false) AS forced_mfa, coalesce(ip_allowlist_enabled, false) AS ip_allowlist
FROM read_csv(getvariable('flags'), header = true, auto_detect = false, delim = ',', quote = '"', escape = '"',
              columns = {'workspace_id': 'VARCHAR', 'workspace_name': 'VARCHAR', 'users': 'BIGINT',
                         'sso_enabled': 'BOOLEAN', 'scim_enabled': 'BOOLEAN', 'mfa_enforced': 'BOOLEAN',
                         'ip_allowlist_enabled': 'BOOLEAN'});
CREATE TEMP TABLE flags_check AS
SELECT CASE WHEN count(*) <> count(DISTINCT workspace_id) THEN error('flags: duplicate workspace_id') END AS ok
FROM flags;

-- --- load arr: a report export, whose footer rows (one cell, padded with NULL) hold no
-- account ID; money is `USD 1,200.00`, `$1,200.00` or `1200.00`.
CREATE TABLE arr_rows AS
WITH raw AS (
    SELECT "Account ID" AS id, "Annual Recurring Revenue" AS money, "Account Currency" AS currency_cell,
           "Workspace ID" AS workspaces
    FROM read_csv(getvariable('arr'), header = true, auto_detect = false, delim = ',', quote = '"', escape = '"',
                  null_padding = true, strict_mode = false,
                  columns = {'Account ID': 'VARCHAR', 'Account Name': 'VARCHAR', 'Parent Account ID': 'VARCHAR',
                             'Annual Recurring Revenue': 'VARCHAR', 'Account Currency': 'VARCHAR',
                             'Workspace ID': 'VARCHAR', 'Last Modified Date': 'VARCHAR'})
    WHERE length("Account ID") IN (15, 18) AND "Annual Recurring Revenue" IS NOT NULL
), parsed AS (
    SELECT id18(id) AS account_id,
           CAST(CAST(regexp_replace(money, '[^0-9.]', '', 'g') AS DECIMAL(18, 2)) * 100 AS BIGINT) AS cents,
           coalesce(nullif(currency_cell, ''), getvariable('reporting')) AS currency,
           workspaces
    FROM raw
), rates AS (
    SELECT r.code, r.mantissa::BIGINT AS mantissa, (10 ** r.scale)::BIGINT AS divisor
    FROM (SELECT unnest(getvariable('rates')) AS r)
)
SELECT p.account_id, p.workspaces,
       CASE WHEN p.currency = getvariable('reporting') THEN p.cents
            ELSE div_half_even(p.cents * r.mantissa, r.divisor) END AS arr_cents
FROM parsed p LEFT JOIN rates r ON r.code = p.currency;
CREATE TEMP TABLE rates_check AS
SELECT CASE WHEN count(*) > 0 THEN error('arr: ' || count(*) || ' rows in a currency without a rate') END AS ok
FROM arr_rows WHERE arr_cents IS NULL;
CREATE TABLE accounts AS
SELECT account_id, min(arr_cents) AS arr_cents FROM arr_rows GROUP BY account_id
HAVING CASE WHEN min(arr_cents) <> max(arr_cents) THEN error('arr: rows of ' || account_id || ' disagree') ELSE true END;

-- --- load workspace-accounts, and the export's own Workspace ID cells
CREATE TABLE links AS
SELECT DISTINCT workspace_id, account_id FROM (
    SELECT unnest(regexp_split_to_array(trim(workspaces), '[;,\s]+')) AS workspace_id, account_id
    FROM arr_rows WHERE workspaces IS NOT NULL AND workspaces <> ''
    UNION ALL
    SELECT workspace_id, id18(account_id)
    FROM read_csv(getvariable('workspace_accounts'), header = true, auto_detect = false, delim = ',',
                  columns = {'workspace_id': 'VARCHAR', 'account_id': 'VARCHAR'})
) WHERE workspace_id <> '';

-- --- report revenue-share (SPEC 3)
CREATE TEMP TABLE customers AS
SELECT l.account_id, any_value(a.arr_cents) AS arr_cents,
       bool_or(f.sso) AS sso, bool_or(f.scim) AS scim, bool_or(f.forced_mfa) AS forced_mfa,
       bool_or(f.ip_allowlist) AS ip_allowlist
FROM links l
JOIN accounts a ON a.account_id = l.account_id AND a.arr_cents > 0
JOIN flags f ON f.workspace_id = l.workspace_id
GROUP BY l.account_id;

WITH totals AS (
    SELECT count(*) AS customers, coalesce(sum(arr_cents), 0)::BIGINT AS arr_cents FROM customers
), per_feature AS (
    SELECT feature, count(*) FILTER (WHERE has) AS customers,
           coalesce(sum(arr_cents) FILTER (WHERE has), 0)::BIGINT AS arr_cents
    FROM (UNPIVOT customers ON sso, scim, forced_mfa, ip_allowlist INTO NAME feature VALUE has)
    GROUP BY feature
), per_workspace AS (
    SELECT feature, count(*) FILTER (WHERE enabled) AS workspaces,
           coalesce(sum(users) FILTER (WHERE enabled), 0)::BIGINT AS users
    FROM (UNPIVOT (SELECT users, sso, scim, forced_mfa, ip_allowlist FROM flags)
          ON sso, scim, forced_mfa, ip_allowlist INTO NAME feature VALUE enabled)
    GROUP BY feature
), coverage AS (
    SELECT coalesce(sum(a.arr_cents) FILTER (WHERE a.arr_cents > 0), 0)::BIGINT AS all_arr_cents,
           count(*) FILTER (WHERE a.arr_cents > 0 AND c.account_id IS NULL) AS accounts_without_workspace,
           count(*) FILTER (WHERE a.arr_cents = 0) AS churned_accounts
    FROM accounts a LEFT JOIN customers c USING (account_id)
), unlinked AS (
    SELECT count(*) AS workspaces_without_account FROM flags f
    ANTI JOIN (SELECT l.workspace_id FROM links l SEMI JOIN accounts a USING (account_id)) l USING (workspace_id)
)
SELECT t.customers, t.arr_cents, (SELECT count(*) FROM flags) AS workspaces,
       c.all_arr_cents, c.accounts_without_workspace, c.churned_accounts, u.workspaces_without_account,
       (SELECT list({'feature': f.feature, 'customers': f.customers, 'arr_cents': f.arr_cents,
                     'workspaces': w.workspaces, 'users': w.users} ORDER BY f.feature)
        FROM per_feature f JOIN per_workspace w USING (feature)) AS features
FROM totals t, coverage c, unlinked u;
