//! What a dump says about connections and organizations, without the logs: of
//! each connection its id, name and, for an enterprise connection, the raw facts
//! its vendor is decided from when a report runs (`classify::IdpFacts`); of each
//! organization its id, workspace and enabled connections. Built from the parsed elements (`elements`), one object
//! at a time, whether the dump streams past or is held as values.

use anyhow::{Context, Result};
use serde::de::{self, Deserialize, Deserializer};

use super::classify::IdpFacts;
use super::dump::Auth0Dump;
use super::elements::{deserialize_object, ConnectionFields, EnabledConnections, Fields, Object, OrgFields};

/// A connection as classification and mapping need it; one per connection
/// object, in dump order.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct ConnectionFact {
    /// `id`, trimmed; `None` when missing, empty or not a string (an error once the dump is read).
    pub id: Option<String>,
    /// `name`, trimmed; empty when missing.
    pub name: String,
    /// `None` for database, social and passwordless connections.
    pub enterprise: Option<EnterpriseFact>,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct EnterpriseFact {
    /// `metadata.workspace_id`, trimmed.
    pub workspace_id: Option<String>,
    /// What the vendor is decided from (its `name` is the connection's, trimmed).
    pub idp: IdpFacts,
}

/// An organization as mapping needs it; one per organization object, in dump order.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct OrgFact {
    /// `id`, trimmed; `None` when missing, empty or not a string (an error once the dump is read).
    pub id: Option<String>,
    /// `name`, trimmed; empty when missing.
    pub name: String,
    /// `metadata.workspace_id`, trimmed.
    pub workspace_id: Option<String>,
    /// `enabled_connections[].connection_id`, trimmed, in order; entries without one are left out.
    pub enabled: Vec<String>,
}

/// What a dump says about connections and organizations, without the logs.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct DumpFacts {
    pub connections: Vec<ConnectionFact>,
    pub organizations: Vec<OrgFact>,
}

impl DumpFacts {
    /// The facts of a dump held as values (a pull, or a dump file read whole).
    ///
    /// # Errors
    /// Not on any JSON value; only if serde_json reported an error reading one.
    pub(crate) fn from_dump(dump: &Auth0Dump) -> Result<Self> {
        Ok(DumpFacts {
            connections: facts_of::<ConnectionFields, _>(&dump.connections, "connection")?,
            organizations: facts_of::<OrgFields, _>(&dump.organizations, "organization")?,
        })
    }
}

/// Each value's facts, read through `F`'s fields (none when it is not an object).
fn facts_of<F: Fields + Default, T: From<F>>(values: &[serde_json::Value], what: &str) -> Result<Vec<T>> {
    values
        .iter()
        .enumerate()
        .map(|(i, v)| {
            let fields = Object::<F>::deserialize(v)
                .with_context(|| format!("cannot read {what} #{} of the Auth0 dump", i + 1))?;
            Ok(T::from(fields.0.unwrap_or_default()))
        })
        .collect()
}

/// Trimmed, and `None` when empty, as `elements::str_field` reads a field.
fn trimmed(s: Option<String>) -> Option<String> {
    let s = s?;
    match s.trim() {
        "" => None,
        t if t.len() == s.len() => Some(s),
        t => Some(t.to_string()),
    }
}

impl From<ConnectionFields> for ConnectionFact {
    fn from(mut fields: ConnectionFields) -> Self {
        let id = trimmed(fields.id.take());
        let name = trimmed(fields.name.take()).unwrap_or_default();
        let workspace_id = trimmed(fields.workspace_id.take());
        let enterprise = IdpFacts::of_fields(fields).map(|mut idp| {
            idp.name.clone_from(&name);
            EnterpriseFact { workspace_id, idp }
        });
        ConnectionFact { id, name, enterprise }
    }
}

impl From<OrgFields> for OrgFact {
    fn from(fields: OrgFields) -> Self {
        let enabled = match fields.enabled_connections {
            EnabledConnections::Listed(ids) => ids.into_iter().filter_map(trimmed).collect(),
            EnabledConnections::Absent | EnabledConnections::NotAnArray => Vec::new(),
        };
        OrgFact {
            id: trimmed(fields.id),
            name: trimmed(fields.name).unwrap_or_default(),
            workspace_id: trimmed(fields.workspace_id),
            enabled,
        }
    }
}

// ---------------------------------------------------------- dump streaming ---

/// A connection object of a dump being streamed; anything but an object is an
/// error, as in `Auth0Dump::from_value`.
impl<'de> Deserialize<'de> for ConnectionFact {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        deserialize_object::<ConnectionFields, D>(d).map(ConnectionFact::from)
    }
}

/// An organization object of a dump being streamed; anything but an object, or an
/// `enabled_connections` that is not an array, is an error, as in `Auth0Dump::from_value`.
impl<'de> Deserialize<'de> for OrgFact {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let fields = deserialize_object::<OrgFields, D>(d)?;
        if let EnabledConnections::NotAnArray = fields.enabled_connections {
            return Err(de::Error::custom("\"enabled_connections\" is not an array"));
        }
        Ok(OrgFact::from(fields))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn organization_facts_are_trimmed_and_keep_enabled_connection_ids_in_order() {
        let dump = Auth0Dump {
            organizations: vec![
                json!({"id": " org_1 ", "name": 5, "metadata": {"workspace_id": " ws-1 "},
                       "enabled_connections": [{"connection_id": "con_b"}, 7, {"connection_id": " "}, {"connection_id": " con_a"}]}),
                json!({"id": "", "enabled_connections": "x"}),
            ],
            ..Default::default()
        };
        let facts = DumpFacts::from_dump(&dump).unwrap();
        assert_eq!(
            facts.organizations,
            vec![
                OrgFact {
                    id: Some("org_1".into()),
                    name: String::new(),
                    workspace_id: Some("ws-1".into()),
                    enabled: vec!["con_b".into(), "con_a".into()],
                },
                OrgFact {
                    id: None,
                    name: String::new(),
                    workspace_id: None,
                    enabled: vec![],
                },
            ]
        );
    }
}
