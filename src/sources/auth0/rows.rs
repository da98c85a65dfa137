//! Turns a dump's facts and login tally into plain rows: enterprise connections
//! with the raw facts their vendor is decided from when a report runs, connection →
//! workspace links by metadata (the connection's, or an enabling organization's),
//! organizations, org → connection links and successful logins per connection per day.
//!
//! The config's `connection_name_pattern` is not applied here: verdicts (`verdict`) map
//! by name with the pattern in force when they are decided; a load only counts, for its
//! warning, the connections that neither metadata nor the current pattern maps.
//!
//! Pure: no I/O, no clock. Unmapped enterprise connections are kept and
//! listed, never dropped (they are `doctor` findings downstream).

use std::collections::{HashMap, HashSet};

use anyhow::{anyhow, Result};
use regex::Regex;

use super::classify::IdpFacts;
#[cfg(test)]
use super::dump::Auth0Dump;
use super::facts::DumpFacts;
use super::logins::{LoginCount, LoginTally};
use super::verdict::{map_by_name, LoadVerdicts};

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct ConnectionRow {
    pub connection_id: String,
    /// `metadata.workspace_id`, trimmed.
    pub workspace_id: Option<String>,
    /// Mapped by its own or an enabling organization's metadata (reports map the others by name).
    pub metadata_mapped: bool,
    /// Name (trimmed), strategy, endpoints and certificate subject.
    pub idp: IdpFacts,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct ConnectionWorkspace {
    pub connection_id: String,
    pub workspace_id: String,
    /// `connection metadata` or `organization org_xxx metadata` (`name pattern` is
    /// applied by reports).
    pub mapped_by: String,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct OrgRow {
    pub org_id: String,
    pub name: String,
    pub workspace_id: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct OrgConnectionRow {
    pub org_id: String,
    pub connection_id: String,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Auth0Rows {
    /// Enterprise connections only, in dump order.
    pub connections: Vec<ConnectionRow>,
    pub connection_workspaces: Vec<ConnectionWorkspace>,
    pub organizations: Vec<OrgRow>,
    pub org_connections: Vec<OrgConnectionRow>,
    /// `None` when the dump has no logs.
    pub logins: Option<Vec<LoginCount>>,
    /// `(id, name)` of enterprise connections mapped to no workspace.
    pub unmapped: Vec<(String, String)>,
    /// Connection objects in the dump.
    pub connections_read: usize,
    /// Database, social and passwordless connections: not IdPs.
    pub not_enterprise: usize,
    /// Connections whose id an earlier one has (the first is kept).
    pub repeated_ids: usize,
    pub warnings: Vec<String>,
    /// Each connection's verdict with the config of the load, in `connections` order
    /// (set by the load, which knows the config; `None`: reports decide them all).
    pub verdicts: Option<LoadVerdicts>,
}

/// The error for an object without an `id`: named by its position, and by its `name` when it has one.
fn no_id(what: &str, index: usize, name: &str) -> anyhow::Error {
    let named = if name.is_empty() {
        String::new()
    } else {
        format!(" (name {name:?})")
    };
    anyhow!(
        "{what} #{}{named} in the Auth0 dump has no \"id\"; the dump must hold objects as the Management API returns them, with their ids",
        index + 1
    )
}

/// Builds the rows.
///
/// # Errors
/// When an object lacks its `id`.
#[cfg(test)]
pub(crate) fn to_rows(dump: &Auth0Dump, connection_name_pattern: Option<&Regex>) -> Result<Auth0Rows> {
    let logins = dump.logs.as_deref().map(LoginTally::from_values);
    to_rows_with_logins(DumpFacts::from_dump(dump)?, logins, connection_name_pattern)
}

/// [`to_rows`] from a dump's facts, with the logins already counted (`None`:
/// the dump has no logs).
///
/// # Errors
/// As [`to_rows`].
pub(crate) fn to_rows_with_logins(
    facts: DumpFacts,
    logins: Option<LoginTally>,
    connection_name_pattern: Option<&Regex>,
) -> Result<Auth0Rows> {
    let mut rows = Auth0Rows::default();

    let mut org_connections_seen = HashSet::new();
    // connection id → [(org id, workspace id)] of orgs that enable it.
    let mut orgs_by_connection: HashMap<String, Vec<(String, Option<String>)>> = HashMap::new();
    for (i, org) in facts.organizations.into_iter().enumerate() {
        let org_id = org.id.ok_or_else(|| no_id("organization", i, &org.name))?;
        for connection_id in org.enabled {
            if org_connections_seen.insert((org_id.clone(), connection_id.clone())) {
                orgs_by_connection
                    .entry(connection_id.clone())
                    .or_default()
                    .push((org_id.clone(), org.workspace_id.clone()));
                rows.org_connections.push(OrgConnectionRow {
                    org_id: org_id.clone(),
                    connection_id,
                });
            }
        }
        rows.organizations.push(OrgRow {
            org_id,
            name: org.name,
            workspace_id: org.workspace_id,
        });
    }

    // First, by reference: every connection's id (its absence is an error), which ids
    // repeat, and which connection a name means in logs that give only a name (the first
    // one so named). The logins are counted now, while the names can be borrowed.
    let connections = facts.connections;
    rows.connections_read = connections.len();
    let mut first = Vec::with_capacity(connections.len());
    let mut login_warnings = Vec::new();
    {
        let mut seen_ids: HashSet<&str> = HashSet::with_capacity(connections.len());
        let wanted: HashSet<&str> = logins.iter().flat_map(LoginTally::names).collect();
        let mut ids_by_name: HashMap<&str, &str> = HashMap::with_capacity(wanted.len());
        for (i, conn) in connections.iter().enumerate() {
            let Some(id) = conn.id.as_deref() else {
                return Err(no_id("connection", i, &conn.name));
            };
            if !wanted.is_empty() && wanted.contains(conn.name.as_str()) {
                ids_by_name.entry(&conn.name).or_insert(id);
            }
            first.push(seen_ids.insert(id));
        }
        rows.logins = logins.map(|tally| tally.finish(&ids_by_name, &mut login_warnings));
    }

    let mut without_options = 0usize;
    rows.connections.reserve(connections.len());
    rows.connection_workspaces.reserve(connections.len());
    for (conn, first) in connections.into_iter().zip(first) {
        let (Some(id), name) = (conn.id, conn.name) else {
            continue;
        };
        if !first {
            rows.warnings
                .push(format!("connection {id} appears twice in the dump; kept the first"));
            rows.repeated_ids += 1;
            continue;
        }
        let Some(enterprise) = conn.enterprise else {
            rows.not_enterprise += 1;
            continue;
        };
        if !enterprise.idp.has_options {
            without_options += 1;
        }
        let mapped = map_by_metadata(&id, enterprise.workspace_id.as_deref(), &orgs_by_connection);
        if mapped.is_empty() && map_by_name(&name, connection_name_pattern).is_none() {
            rows.unmapped.push((id.clone(), name));
        }
        let metadata_mapped = !mapped.is_empty();
        rows.connection_workspaces.extend(mapped);
        rows.connections.push(ConnectionRow {
            connection_id: id,
            workspace_id: enterprise.workspace_id,
            metadata_mapped,
            idp: enterprise.idp,
        });
    }
    if without_options > 0 {
        rows.warnings.push(format!(
            "{without_options} of {} enterprise connections have no options, so their vendor could not be read from the IdP endpoint; grant read:connections_options to the Management API client and pull again",
            rows.connections.len()
        ));
    }
    if !rows.unmapped.is_empty() {
        rows.warnings.push(format!(
            "{} enterprise connections are mapped to no workspace (no metadata.workspace_id on the connection or an organization enabling it, and no match of connection_name_pattern)",
            rows.unmapped.len()
        ));
    }
    rows.warnings.append(&mut login_warnings);
    Ok(rows)
}

/// Connection metadata, else every enabling org's metadata (the mapping that needs no config).
fn map_by_metadata(
    id: &str,
    workspace_id: Option<&str>,
    orgs_by_connection: &HashMap<String, Vec<(String, Option<String>)>>,
) -> Vec<ConnectionWorkspace> {
    let row = |workspace_id: &str, mapped_by: String| ConnectionWorkspace {
        connection_id: id.to_string(),
        workspace_id: workspace_id.to_string(),
        mapped_by,
    };
    if let Some(ws) = workspace_id {
        return vec![row(ws, "connection metadata".into())];
    }
    let mut out: Vec<ConnectionWorkspace> = Vec::new();
    for (org_id, ws) in orgs_by_connection.get(id).map(Vec::as_slice).unwrap_or_default() {
        if let Some(ws) = ws {
            if !out.iter().any(|r| &r.workspace_id == ws) {
                out.push(row(ws, format!("organization {org_id} metadata")));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;
    use serde_json::{json, Value};

    fn conn(id: &str, name: &str, strategy: &str, metadata: Option<Value>) -> Value {
        let mut c = json!({"id": id, "name": name, "strategy": strategy, "options": {"signInEndpoint": "https://acme.okta.com/app/x/sso/saml"},
                           "is_domain_connection": false, "enabled_clients": [], "realms": [name]});
        if let Some(m) = metadata {
            c["metadata"] = m;
        }
        c
    }

    fn org(id: &str, ws: Option<&str>, connections: &[(&str, &str)]) -> Value {
        let enabled: Vec<Value> = connections
            .iter()
            .map(|(cid, name)| json!({"connection_id": cid, "assign_membership_on_login": true, "show_as_button": true, "connection": {"name": name, "strategy": "samlp"}}))
            .collect();
        let mut o =
            json!({"id": id, "name": format!("name-{id}"), "display_name": "Acme", "enabled_connections": enabled});
        if let Some(ws) = ws {
            o["metadata"] = json!({"workspace_id": ws});
        }
        o
    }

    fn log(id: &str, kind: &str, date: &str, connection_id: Value, connection: Value) -> Value {
        json!({"_id": id, "log_id": id, "date": date, "type": kind, "description": "", "connection": connection, "connection_id": connection_id,
               "organization_id": null, "organization_name": null, "client_id": "c", "client_name": "app", "ip": "1.2.3.4",
               "details": null, "user_id": "samlp|x", "strategy": "samlp", "strategy_type": "enterprise", "isMobile": false})
    }

    #[test]
    fn mapping_by_connection_metadata_then_orgs_and_the_name_pattern_counted() {
        let dump = Auth0Dump {
            connections: vec![
                conn(
                    "con_a",
                    "ws-alpha-sso",
                    "samlp",
                    Some(json!({"workspace_id": "ws-direct"})),
                ),
                conn("con_b", "ws-beta-sso", "samlp", None),
                conn("con_c", "ws-gamma-sso", "samlp", Some(json!({"other": "x"}))),
                conn("con_d", "no-match", "samlp", None),
                conn("con_db", "Username-Password-Authentication", "auth0", None),
                conn("con_g", "google-oauth2", "google-oauth2", None),
            ],
            organizations: vec![
                org(
                    "org_1",
                    Some("ws-org1"),
                    &[("con_a", "ws-alpha-sso"), ("con_b", "ws-beta-sso")],
                ),
                org(
                    "org_2",
                    Some("ws-org2"),
                    &[("con_b", "ws-beta-sso"), ("con_db", "Username-Password-Authentication")],
                ),
                org("org_3", Some("ws-org1"), &[("con_b", "ws-beta-sso")]),
                org("org_4", None, &[("con_d", "no-match")]),
            ],
            logs: None,
        };
        let re = Regex::new("^ws-(.+)-sso$").unwrap();
        let rows = to_rows(&dump, Some(&re)).unwrap();
        let ids: Vec<_> = rows.connections.iter().map(|c| c.connection_id.as_str()).collect();
        assert_eq!(
            ids,
            ["con_a", "con_b", "con_c", "con_d"],
            "database and social connections are excluded"
        );
        let cw: Vec<_> = rows
            .connection_workspaces
            .iter()
            .map(|c| (c.connection_id.as_str(), c.workspace_id.as_str(), c.mapped_by.as_str()))
            .collect();
        assert_eq!(
            cw,
            [
                ("con_a", "ws-direct", "connection metadata"),
                ("con_b", "ws-org1", "organization org_1 metadata"),
                ("con_b", "ws-org2", "organization org_2 metadata"),
            ],
            "the name pattern is applied by reports, not stored"
        );
        assert_eq!(map_by_name("ws-gamma-sso", Some(&re)), Some("gamma"));
        assert_eq!(map_by_name("ws- -sso", Some(&re)), None);
        assert_eq!(rows.unmapped, vec![("con_d".to_string(), "no-match".to_string())]);
        assert!(rows
            .warnings
            .iter()
            .any(|w| w.contains("1 enterprise connections are mapped to no workspace")));
        assert_eq!(
            rows.organizations[3],
            OrgRow {
                org_id: "org_4".into(),
                name: "name-org_4".into(),
                workspace_id: None
            }
        );
        assert_eq!(rows.org_connections.len(), 6);
        assert_eq!(rows.logins, None);
    }

    #[test]
    fn without_pattern_name_is_not_used() {
        let dump = Auth0Dump {
            connections: vec![conn("con_c", "ws-gamma-sso", "samlp", None)],
            ..Default::default()
        };
        let rows = to_rows(&dump, None).unwrap();
        assert_eq!(rows.unmapped.len(), 1);
        assert_eq!(rows.connections.len(), 1, "unmapped connections are kept");
    }

    #[test]
    fn logins_count_type_s_per_connection_per_day_and_match_names() {
        let dump = Auth0Dump {
            connections: vec![
                conn("con_a", "acme-sso", "samlp", None),
                conn("con_b", "beta-sso", "waad", None),
            ],
            organizations: vec![],
            logs: Some(vec![
                log("1", "s", "2026-09-01T10:00:00.000Z", json!("con_a"), json!("acme-sso")),
                log("2", "s", "2026-09-01T23:59:59.999Z", json!("con_a"), json!("acme-sso")),
                log("3", "s", "2026-09-02T00:00:00.000Z", json!("con_a"), json!("acme-sso")),
                log("4", "s", "2026-09-02T08:00:00.000Z", json!(""), json!("beta-sso")),
                log("5", "s", "2026-09-02T08:00:00.000Z", json!(null), json!("beta-sso")),
                log("6", "f", "2026-09-02T08:00:00.000Z", json!("con_a"), json!("acme-sso")),
                log("7", "seccft", "2026-09-02T08:00:00.000Z", json!(""), json!(null)),
                log("8", "s", "2026-09-02T08:00:00.000Z", json!(""), json!("deleted-conn")),
                log("1", "s", "2026-09-01T10:00:00.000Z", json!("con_a"), json!("acme-sso")),
            ]),
        };
        let rows = to_rows(&dump, None).unwrap();
        let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        assert_eq!(
            rows.logins.unwrap(),
            vec![
                LoginCount {
                    connection_id: "con_a".into(),
                    day: d("2026-09-01"),
                    logins: 2
                },
                LoginCount {
                    connection_id: "con_a".into(),
                    day: d("2026-09-02"),
                    logins: 1
                },
                LoginCount {
                    connection_id: "con_b".into(),
                    day: d("2026-09-02"),
                    logins: 2
                },
            ]
        );
        assert!(
            rows.warnings
                .iter()
                .any(|w| w.starts_with("1 successful logins name no known connection")),
            "{:?}",
            rows.warnings
        );
    }

    #[test]
    fn connections_without_options_warn() {
        let mut c = conn("con_a", "acme", "samlp", Some(json!({"workspace_id": "w"})));
        c.as_object_mut().unwrap().remove("options");
        let rows = to_rows(
            &Auth0Dump {
                connections: vec![c],
                ..Default::default()
            },
            None,
        )
        .unwrap();
        assert!(
            rows.warnings[0].contains("read:connections_options"),
            "{:?}",
            rows.warnings
        );
    }

    #[test]
    fn object_without_id_is_an_error() {
        let dump = Auth0Dump {
            connections: vec![
                json!({"id": "con_1", "name": "a"}),
                json!({"name": "acme-sso", "strategy": "samlp"}),
            ],
            ..Default::default()
        };
        let err = to_rows(&dump, None).unwrap_err().to_string();
        assert!(
            err.starts_with("connection #2 (name \"acme-sso\") in the Auth0 dump has no \"id\""),
            "{err}"
        );
        let dump = Auth0Dump {
            connections: vec![json!({"strategy": "samlp"})],
            ..Default::default()
        };
        let err = to_rows(&dump, None).unwrap_err().to_string();
        assert!(
            err.starts_with("connection #1 in the Auth0 dump has no \"id\""),
            "{err}"
        );
    }
}
