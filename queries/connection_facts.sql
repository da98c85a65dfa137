-- connection_facts: the raw facts of the enterprise connections of side `at_side`'s Auth0
-- snapshot that classification and mapping read when a report runs (compose::auth0 classifies
-- them with the config in force and fills auth0_verdicts and auth0_name_workspaces). Only
-- connections loaded with raw facts (schema version 4 on): older ones keep their verdict.
-- grain: one row per connection, in no particular order.
-- columns:
--   snapshot_id      INTEGER
--   connection_id    VARCHAR
--   name             VARCHAR
--   strategy         VARCHAR
--   has_options      BOOLEAN  options present (the token had read:connections_options)
--   subject_cn       VARCHAR  certificate subject commonName
--   subject_o        VARCHAR  organizationName
--   subject_ou       VARCHAR  organizationalUnitName
--   subject_email    VARCHAR  emailAddress
--   metadata_mapped  BOOLEAN  mapped by the connection's or an organization's metadata
--   endpoints        VARCHAR  JSON [["signInEndpoint", "host", "/path"], ...], most telling first
SELECT c.snapshot_id, c.connection_id, c.name, c.strategy, coalesce(c.has_options, false) AS has_options,
       c.subject_cn, c.subject_o, c.subject_ou, c.subject_email,
       coalesce(c.metadata_mapped, false) AS metadata_mapped, coalesce(c.endpoints, '[]') AS endpoints
FROM auth0_connections c
JOIN selection s ON s.snapshot_id = c.snapshot_id AND s.source = 'auth0' AND s.side = at_side
WHERE c.vendor IS NULL
