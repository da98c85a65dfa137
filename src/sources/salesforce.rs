//! Salesforce ARR export reader (SPEC 2.2).
