//! What a Salesforce pull asks for: the object, the API version, the optional SOQL
//! `where`, the REST/Bulk threshold and the API names of the fields read
//! (`[salesforce]` and `[salesforce.fields]` in the config), and the SOQL built from them.
//!
//! The same API names are the header of a pull's dump, and `load arr` looks for them
//! in an API-name export before the standard names, so that a dump replays as pulled.

use anyhow::{ensure, Result};
use serde::Deserialize;

/// Default `[salesforce] object`.
pub(crate) const DEFAULT_OBJECT: &str = "Account";
/// Default `[salesforce] api_version`.
pub(crate) const DEFAULT_API_VERSION: &str = "62.0";
/// Default `[salesforce] bulk_threshold`: from this many records on, a Bulk API 2.0 job.
pub(crate) const DEFAULT_BULK_THRESHOLD: u64 = 50_000;

/// `[salesforce.fields]` as written: each key optional; an empty string leaves an
/// optional field out (`currency = ""` in a single-currency org).
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct FieldsSection {
    pub account_id: Option<String>,
    pub name: Option<String>,
    pub arr: Option<String>,
    pub currency: Option<String>,
    pub workspaces: Option<String>,
    pub parent: Option<String>,
}

/// The API names of the fields a pull reads, resolved. `None`: left out.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct ApiFields {
    pub account_id: String,
    pub name: Option<String>,
    pub arr: String,
    pub currency: Option<String>,
    /// Whether `currency` is the default: in a single-currency org (no `CurrencyType`)
    /// the default is dropped, while a field the user named is asked for as named.
    pub currency_is_default: bool,
    pub workspaces: Option<String>,
    pub parent: Option<String>,
}

impl Default for ApiFields {
    fn default() -> Self {
        ApiFields {
            account_id: "Id".into(),
            name: Some("Name".into()),
            arr: "ARR__c".into(),
            currency: Some("CurrencyIsoCode".into()),
            currency_is_default: true,
            workspaces: Some("Workspace_ID__c".into()),
            parent: Some("ParentId".into()),
        }
    }
}

/// An API name: letters, digits and `_`, starting with a letter, with `.` between the
/// names of a relationship path (`Owner.Workspace__c`). Anything else would be SOQL.
pub(crate) fn is_api_name(name: &str) -> bool {
    !name.is_empty()
        && name.split('.').all(|part| {
            part.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
                && part.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        })
}

impl ApiFields {
    /// Resolves `[salesforce.fields]`; `origin` is the config file, for messages.
    ///
    /// # Errors
    /// When a name is not an API name, or `account_id` or `arr` is empty.
    pub(crate) fn resolve(section: &FieldsSection, origin: &str) -> Result<ApiFields> {
        let defaults = ApiFields::default();
        let check = |key: &str, value: &str| -> Result<()> {
            ensure!(
                is_api_name(value),
                "{origin}: [salesforce.fields] {key} = `{value}` is not a Salesforce API name; write the field's \
                 API name as Setup > Object Manager shows it, e.g. ARR__c"
            );
            Ok(())
        };
        let required = |key: &str, value: &Option<String>, default: String| -> Result<String> {
            match value.as_deref().map(str::trim) {
                None => Ok(default),
                Some(v) => {
                    check(key, v)?;
                    Ok(v.to_string())
                }
            }
        };
        let optional = |key: &str, value: &Option<String>, default: Option<String>| -> Result<Option<String>> {
            match value.as_deref().map(str::trim) {
                None => Ok(default),
                Some("") => Ok(None),
                Some(v) => {
                    check(key, v)?;
                    Ok(Some(v.to_string()))
                }
            }
        };
        Ok(ApiFields {
            account_id: required("account_id", &section.account_id, defaults.account_id)?,
            name: optional("name", &section.name, defaults.name)?,
            arr: required("arr", &section.arr, defaults.arr)?,
            currency: optional("currency", &section.currency, defaults.currency)?,
            currency_is_default: section.currency.is_none(),
            workspaces: optional("workspaces", &section.workspaces, defaults.workspaces)?,
            parent: optional("parent", &section.parent, defaults.parent)?,
        })
    }

    /// The fields asked for, in the order of the SOQL and of the dump's header:
    /// (config key, API name).
    pub(crate) fn selected(&self) -> Vec<(&'static str, &str)> {
        fn optional<'f>(key: &'static str, name: &'f Option<String>) -> Option<(&'static str, &'f str)> {
            name.as_deref().map(|name| (key, name))
        }
        let mut out = vec![("account_id", self.account_id.as_str())];
        out.extend(optional("name", &self.name));
        out.extend(optional("parent", &self.parent));
        out.push(("arr", self.arr.as_str()));
        out.extend(optional("currency", &self.currency));
        out.extend(optional("workspaces", &self.workspaces));
        out
    }

    /// The config key of the field whose API name is `name` (case-insensitive).
    pub(crate) fn key_of(&self, name: &str) -> Option<&'static str> {
        self.selected()
            .into_iter()
            .find(|(_, n)| n.eq_ignore_ascii_case(name))
            .map(|(key, _)| key)
    }
}

/// `[salesforce]`: what to query, and from how many records on with the Bulk API.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct QuerySettings {
    pub object: String,
    /// `62.0`.
    pub api_version: String,
    /// The SOQL condition after `WHERE`, as the user wrote it.
    pub where_clause: Option<String>,
    pub bulk_threshold: u64,
    pub fields: ApiFields,
}

impl Default for QuerySettings {
    fn default() -> Self {
        QuerySettings {
            object: DEFAULT_OBJECT.into(),
            api_version: DEFAULT_API_VERSION.into(),
            where_clause: None,
            bulk_threshold: DEFAULT_BULK_THRESHOLD,
            fields: ApiFields::default(),
        }
    }
}

impl QuerySettings {
    fn source_clause(&self) -> String {
        match &self.where_clause {
            Some(condition) => format!("FROM {} WHERE {condition}", self.object),
            None => format!("FROM {}", self.object),
        }
    }

    /// `SELECT COUNT() FROM Account [WHERE ...]`.
    pub(crate) fn count_soql(&self) -> String {
        format!("SELECT COUNT() {}", self.source_clause())
    }

    /// `SELECT Id, Name, ... FROM Account [WHERE ...]`, with `currency` when the org
    /// has more than one currency.
    pub(crate) fn records_soql(&self, fields: &ApiFields) -> String {
        let names: Vec<&str> = fields.selected().into_iter().map(|(_, name)| name).collect();
        format!("SELECT {} {}", names.join(", "), self.source_clause())
    }

    /// `/services/data/v62.0`.
    pub(crate) fn data_path(&self) -> String {
        format!("/services/data/v{}", self.api_version)
    }
}

/// The active currencies of a multi-currency org, and which is the corporate one.
pub(crate) const CURRENCY_SOQL: &str =
    "SELECT IsoCode, ConversionRate, IsCorporate FROM CurrencyType WHERE IsActive = true";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn api_names_refuse_soql() {
        for good in ["Id", "ARR__c", "Owner.Workspace__c", "ns__Field__c"] {
            assert!(is_api_name(good), "{good}");
        }
        for bad in [
            "",
            "ARR__c, Name",
            "Id FROM User",
            "1Field",
            "a..b",
            "Name--",
            "Parent.",
        ] {
            assert!(!is_api_name(bad), "{bad}");
        }
    }

    #[test]
    fn fields_default_and_may_be_left_out() {
        let section = FieldsSection {
            arr: Some("Total_ARR__c".into()),
            currency: Some("".into()),
            workspaces: Some("Product_Tenants__c".into()),
            ..Default::default()
        };
        let fields = ApiFields::resolve(&section, "t.toml").unwrap();
        assert_eq!(
            fields.selected(),
            [
                ("account_id", "Id"),
                ("name", "Name"),
                ("parent", "ParentId"),
                ("arr", "Total_ARR__c"),
                ("workspaces", "Product_Tenants__c")
            ]
        );
        assert_eq!(fields.key_of("total_arr__C"), Some("arr"));
        let err = ApiFields::resolve(
            &FieldsSection {
                arr: Some("".into()),
                ..Default::default()
            },
            "t.toml",
        )
        .unwrap_err();
        assert!(err.to_string().contains("[salesforce.fields] arr = ``"), "{err}");
    }

    #[test]
    fn soql_holds_the_fields_object_and_condition() {
        let settings = QuerySettings {
            where_clause: Some("Type = 'Customer'".into()),
            ..Default::default()
        };
        assert_eq!(
            settings.count_soql(),
            "SELECT COUNT() FROM Account WHERE Type = 'Customer'"
        );
        assert_eq!(
            settings.records_soql(&settings.fields),
            "SELECT Id, Name, ParentId, ARR__c, CurrencyIsoCode, Workspace_ID__c FROM Account WHERE Type = 'Customer'"
        );
        assert_eq!(settings.data_path(), "/services/data/v62.0");
    }
}
