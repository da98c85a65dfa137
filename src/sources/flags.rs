//! Workspace-flags reader (SPEC 2.1): CSV, JSON array and NDJSON files.
