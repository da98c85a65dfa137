-- unrecognised_hosts: the endpoint hosts of side `at_side`'s mapped connections that no rule
-- recognised (vendor `Other SAML` or `Other OIDC`), most connections first: where to point a
-- `[[auth0.vendor_rules]]` host rule. A connection counts under its most telling endpoint
-- (signInEndpoint, then metadataUrl, discovery_url, issuer, ...).
-- grain: one row per host (and whether hosts were stored), the 10 with most connections (then
-- most ARR, then host).
-- columns:
--   host         VARCHAR        endpoint host; NULL without an endpoint URL, or when not stored
--   stored       BOOLEAN        false when loaded before schema version 4 (no endpoints kept)
--   connections  BIGINT         connections whose most telling endpoint is on this host
--   customers    BIGINT         distinct customers owning their workspaces
--   arr          DECIMAL(38,2)  those customers' ARR, each counted once per host
WITH other AS (
    SELECT DISTINCT connection_id, workspace_key FROM idp_connections(at_side)
    WHERE vendor IN ('Other SAML', 'Other OIDC') AND workspace_id IS NOT NULL
),
hosted AS (
    SELECT o.connection_id, o.workspace_key, c.first_host AS host, c.endpoints IS NOT NULL AS stored
    FROM other o
    JOIN auth0_connections c ON c.connection_id = o.connection_id
    JOIN selection s ON s.snapshot_id = c.snapshot_id AND s.source = 'auth0' AND s.side = at_side
),
owners AS (
    SELECT DISTINCT h.host, cw.account_key FROM hosted h JOIN customer_workspaces(at_side) cw ON cw.workspace_key = h.workspace_key
),
money AS (
    SELECT o.host, count(*)::BIGINT AS customers, sum(c.arr)::DECIMAL(38,2) AS arr
    FROM owners o JOIN customers(at_side) c ON c.account_key = o.account_key
    GROUP BY o.host
)
SELECT h.host, h.stored, count(DISTINCT h.connection_id)::BIGINT AS connections,
       coalesce(any_value(m.customers), 0)::BIGINT AS customers,
       coalesce(any_value(m.arr), 0)::DECIMAL(38,2) AS arr
FROM hosted h
LEFT JOIN money m ON m.host IS NOT DISTINCT FROM h.host
GROUP BY h.host, h.stored
ORDER BY connections DESC, arr DESC, h.host NULLS LAST
LIMIT 10
