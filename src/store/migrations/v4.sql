-- Schema version 3 -> 4: Auth0 connections are classified and mapped by name when a
-- report runs, from raw facts the store keeps (schema.sql). The verdicts of snapshots
-- loaded before stay as they are (vendor, vendor_rule and their `name pattern` rows),
-- and reports say those snapshots should be reloaded to apply the current rules.
-- auth0_connections is rebuilt: its verdict columns become nullable, and the raw-fact
-- columns are added, NULL for the old rows.

CREATE TABLE auth0_connections_v4 (
    snapshot_id   INTEGER NOT NULL,
    connection_id VARCHAR NOT NULL,
    name          VARCHAR NOT NULL,
    strategy      VARCHAR NOT NULL,
    vendor        VARCHAR,
    vendor_rule   VARCHAR,
    has_options   BOOLEAN,
    metadata_workspace_id VARCHAR,
    metadata_mapped BOOLEAN,
    subject_cn    VARCHAR,
    subject_o     VARCHAR,
    subject_ou    VARCHAR,
    subject_email VARCHAR,
    endpoints     VARCHAR,
    first_host    VARCHAR
);
INSERT INTO auth0_connections_v4
SELECT snapshot_id, connection_id, name, strategy, vendor, vendor_rule,
       NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL
FROM auth0_connections;
DROP TABLE auth0_connections;
ALTER TABLE auth0_connections_v4 RENAME TO auth0_connections;
