//! The JSON Schema of the blueprint format, generated from the Rust types so it never drifts.

use crate::blueprint::{Blueprint, Value};

/// The JSON Schema (draft 2020-12) of the blueprint format, for editors and CI validation.
///
/// It describes the document's shape (fields, types, name patterns); the semantic checks —
/// known regions and types, references, the provider's argument schemas — go further.
///
/// ```
/// let schema = iac_dharma::blueprint_json_schema();
/// assert_eq!(schema["title"], "IAC Dharma blueprint");
/// assert!(schema["properties"]["resources"].is_object());
/// ```
pub fn blueprint_json_schema() -> Value {
    serde_json::to_value(schemars::schema_for!(Blueprint)).unwrap_or(Value::Null)
}
