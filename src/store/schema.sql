-- featurearr store, schema version 7 (migrations from older versions: store/migrations/).
-- Every table except schema_version, snapshots, the key dictionaries and the run tables
-- holds rows of one snapshot, keyed by snapshot_id; a snapshot is one load of one
-- source for one as-of date.

CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL);

CREATE SEQUENCE IF NOT EXISTS snapshot_ids START 1;

-- Every workspace and account ID a load has seen, each with a small integer key. Tables
-- carry the key beside the ID so that report joins compare integers instead of strings
-- (on a million workspaces, 4-5 times less CPU per join). A key is never reused and is
-- the same in every snapshot; IDs stay here when their snapshots are replaced.
CREATE TABLE IF NOT EXISTS workspace_keys (
    workspace_key UINTEGER NOT NULL,
    workspace_id  VARCHAR NOT NULL
);

CREATE TABLE IF NOT EXISTS account_keys (
    account_key UINTEGER NOT NULL,
    account_id  VARCHAR NOT NULL
);

CREATE TABLE IF NOT EXISTS snapshots (
    snapshot_id INTEGER PRIMARY KEY,
    source      VARCHAR NOT NULL,   -- flags | arr | workspace-accounts | auth0
    as_of       DATE NOT NULL,
    origin      VARCHAR NOT NULL,   -- the file or URL it came from
    rows        BIGINT NOT NULL,    -- records loaded
    details     VARCHAR NOT NULL,   -- JSON: source-specific facts (warnings, log window, ...)
    UNIQUE (source, as_of)
);

-- flags: which features the file carried (a feature whose column is absent is not reported);
-- position is also the feature's bit in workspaces.flags_on and flags_empty
CREATE TABLE IF NOT EXISTS flag_features (
    snapshot_id INTEGER NOT NULL,
    feature     VARCHAR NOT NULL,
    label       VARCHAR NOT NULL,
    column_name VARCHAR NOT NULL,
    requires    VARCHAR,
    position    INTEGER NOT NULL
);

-- flags_on / flags_empty hold one bit per feature: bit n (the value 1 << n) stands for
-- the feature at flag_features.position n. A bit of flags_on is set when the flag is on;
-- a bit of flags_empty when the cell was empty (false for every metric, counted by doctor).
-- Bits instead of a (workspace, feature) row each: a million-workspace load appends a
-- million rows, not four, and a customer's features are one bit_or over its workspaces.
CREATE TABLE IF NOT EXISTS workspaces (
    snapshot_id    INTEGER NOT NULL,
    workspace_id   VARCHAR NOT NULL,
    workspace_name VARCHAR,
    users          BIGINT,
    line           BIGINT NOT NULL,
    flags_on       UBIGINT NOT NULL,
    flags_empty    UBIGINT NOT NULL,
    workspace_key  UINTEGER NOT NULL
);

-- arr: one row per account, ARR converted to the reporting currency
CREATE TABLE IF NOT EXISTS accounts (
    snapshot_id    INTEGER NOT NULL,
    account_id     VARCHAR NOT NULL,     -- 18-character form
    account_name   VARCHAR,
    parent_id      VARCHAR,
    arr            DECIMAL(18, 2),       -- NULL when the export left it empty
    original_arr   DECIMAL(18, 2),
    currency       VARCHAR NOT NULL,     -- of original_arr
    rate           VARCHAR,              -- applied rate as written in the config
    reporting      VARCHAR NOT NULL,     -- currency of arr
    first_line     BIGINT NOT NULL,
    account_key    UINTEGER NOT NULL,
    -- key of parent_id (account_keys), also when the snapshot lacks that account;
    -- reports walk these links for [salesforce] rollup = "ultimate_parent"
    parent_key     UINTEGER
);

-- arr: workspace links written in the export's workspace column
CREATE TABLE IF NOT EXISTS account_workspaces (
    snapshot_id   INTEGER NOT NULL,
    account_id    VARCHAR NOT NULL,
    workspace_id  VARCHAR NOT NULL,
    account_key   UINTEGER NOT NULL,
    workspace_key UINTEGER NOT NULL
);

-- workspace-accounts: the separate mapping file
CREATE TABLE IF NOT EXISTS workspace_accounts (
    snapshot_id   INTEGER NOT NULL,
    workspace_id  VARCHAR NOT NULL,
    account_id    VARCHAR NOT NULL,     -- 18-character form
    line          BIGINT NOT NULL,
    workspace_key UINTEGER NOT NULL,
    account_key   UINTEGER NOT NULL
);

-- auth0: enterprise connections with the raw facts their IdP vendor is decided from
-- when a report runs (sources::auth0::classify, with the config in force then).
-- vendor, vendor_rule: the verdict of a snapshot loaded by featurearr before schema
-- version 4, which classified at load time; NULL in every later load.
CREATE TABLE IF NOT EXISTS auth0_connections (
    snapshot_id   INTEGER NOT NULL,
    connection_id VARCHAR NOT NULL,
    name          VARCHAR NOT NULL,
    strategy      VARCHAR NOT NULL,
    vendor        VARCHAR,
    vendor_rule   VARCHAR,
    has_options   BOOLEAN,            -- options present (the token had read:connections_options)
    metadata_workspace_id VARCHAR,    -- metadata.workspace_id
    metadata_mapped BOOLEAN,          -- mapped by its own or an enabling organization's metadata
    subject_cn    VARCHAR,            -- options.subject.commonName
    subject_o     VARCHAR,            -- options.subject.organizationName
    subject_ou    VARCHAR,            -- options.subject.organizationalUnitName
    subject_email VARCHAR,            -- options.subject.emailAddress
    -- the IdP endpoint URLs in options (signInEndpoint, issuer, ...), most telling field
    -- first, each distinct host and path once: JSON [["signInEndpoint", "host", "/path"], ...]
    endpoints     VARCHAR,
    first_host    VARCHAR             -- the host of the first of them
);

-- auth0: each enterprise connection's verdict as its load decided it, with the config and
-- classifier in force then (sources::auth0::verdict). Reports reuse them while the
-- fingerprint in auth0_load_verdict_basis equals that of the config in force, and classify
-- again from the raw facts in auth0_connections otherwise. Snapshots loaded before schema
-- version 7 have none (their reports classify).
CREATE TABLE IF NOT EXISTS auth0_load_verdicts (
    snapshot_id   INTEGER NOT NULL,
    connection_id VARCHAR NOT NULL,
    vendor        VARCHAR NOT NULL,
    vendor_rule   VARCHAR NOT NULL,   -- the rule that decided the vendor
    ignored       BOOLEAN NOT NULL,   -- a config rule said `ignore`
    config_rule   INTEGER,            -- auth0_load_rules.position of the config rule that decided
    name_workspace_id VARCHAR         -- where connection_name_pattern maps it (metadata maps it to none)
);

-- auth0: what decided a snapshot's stored verdicts; one row per snapshot that has them
CREATE TABLE IF NOT EXISTS auth0_load_verdict_basis (
    snapshot_id INTEGER NOT NULL,
    fingerprint VARCHAR NOT NULL      -- SHA-256 of the vendor rules, name pattern and classifier
);

-- auth0: the config's vendor rules when the verdicts were decided, in config order
CREATE TABLE IF NOT EXISTS auth0_load_rules (
    snapshot_id INTEGER NOT NULL,
    position    INTEGER NOT NULL,     -- 1 for the first rule of the config
    label       VARCHAR NOT NULL      -- config rule N (host ..., name ...)
);

-- auth0: connection -> workspace by metadata (the connection's, or an enabling
-- organization's); the name pattern is applied by reports. Snapshots loaded before
-- schema version 4 also hold their load-time `name pattern` rows.
CREATE TABLE IF NOT EXISTS auth0_connection_workspaces (
    snapshot_id   INTEGER NOT NULL,
    connection_id VARCHAR NOT NULL,
    workspace_id  VARCHAR NOT NULL,
    mapped_by     VARCHAR NOT NULL,
    workspace_key UINTEGER NOT NULL
);

CREATE TABLE IF NOT EXISTS auth0_organizations (
    snapshot_id   INTEGER NOT NULL,
    org_id       VARCHAR NOT NULL,
    name         VARCHAR NOT NULL,
    workspace_id VARCHAR
);

CREATE TABLE IF NOT EXISTS auth0_org_connections (
    snapshot_id   INTEGER NOT NULL,
    org_id        VARCHAR NOT NULL,
    connection_id VARCHAR NOT NULL
);

-- auth0: successful logins (log type s) per connection and UTC day
CREATE TABLE IF NOT EXISTS auth0_logins (
    snapshot_id   INTEGER NOT NULL,
    connection_id VARCHAR NOT NULL,
    day           DATE NOT NULL,
    logins        BIGINT NOT NULL
);

-- auth0: the log window counted, present only when the snapshot carried logs
CREATE TABLE IF NOT EXISTS auth0_log_window (
    snapshot_id INTEGER NOT NULL,
    first_day   DATE NOT NULL,
    last_day    DATE NOT NULL
);

-- refresh: one row per `featurearr refresh` run (not a dry run), whatever its outcome,
-- written in its own transaction after the run's snapshots were committed or not.
-- Times are UTC. A run's secrets (webhook and heartbeat URLs, tokens) are never here.
CREATE SEQUENCE IF NOT EXISTS run_ids START 1;

CREATE TABLE IF NOT EXISTS runs (
    run_id      INTEGER PRIMARY KEY,
    as_of       DATE NOT NULL,        -- the date of the set of snapshots it refreshed
    started_at  TIMESTAMP NOT NULL,
    finished_at TIMESTAMP NOT NULL,
    outcome     VARCHAR NOT NULL,     -- ok | failed | gates-exceeded
    failed_step VARCHAR,              -- the step that failed (a source's name, store, reports)
    error       VARCHAR,              -- what it said, cause chain included
    output_dir  VARCHAR,              -- where the reports went, when they were written
    details     VARCHAR NOT NULL      -- JSON: gates exceeded, notifications, headline numbers
);

-- refresh: each step of a run, in order, with how long it took
CREATE TABLE IF NOT EXISTS run_steps (
    run_id   INTEGER NOT NULL,
    position INTEGER NOT NULL,
    step     VARCHAR NOT NULL,        -- flags | arr | workspace-accounts | auth0 | store | reports | doctor | notify
    seconds  DOUBLE NOT NULL,
    outcome  VARCHAR NOT NULL         -- ok | failed
);

-- refresh: each source of a run: where it came from, the rows read, the HTTP requests made
CREATE TABLE IF NOT EXISTS run_sources (
    run_id   INTEGER NOT NULL,
    source   VARCHAR NOT NULL,        -- flags | arr | workspace-accounts | auth0
    origin   VARCHAR NOT NULL,        -- the file, URL (secrets masked) or API it came from
    rows     BIGINT,                  -- records read; NULL when the source failed
    requests BIGINT                   -- HTTP requests, retries included; NULL when unknown
);
