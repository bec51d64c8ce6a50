//! The statistics body as an ordered tree: the model's wire JSON read back with every object's keys
//! in the order written.
//!
//! CSV columns and the table's reason lines come from here rather than from a list of field
//! names kept in this crate: the model owns the names and their order, and a field it gains
//! (or an unknown field the server sent) shows up without a change here.

use std::fmt;

use serde::de::{Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::Value;
use wa_stats_model::CampaignStatistics;

/// A JSON value whose objects keep their keys in the order they were written.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Node {
    /// A number, string, boolean or null.
    Leaf(Value),
    /// An object, keys in wire order.
    Object(Vec<(String, Node)>),
    /// An array.
    List(Vec<Node>),
}

impl Node {
    /// The value as a cell: numbers as written, strings without quotes, null as nothing.
    pub(crate) fn cell(&self) -> String {
        match self {
            Self::Leaf(Value::String(text)) => text.clone(),
            Self::Leaf(Value::Null) => String::new(),
            Self::Leaf(other) => other.to_string(),
            Self::Object(_) | Self::List(_) => String::new(),
        }
    }
}

/// The top-level fields of `stats` in the model's wire order (unknown fields after the known
/// ones, as the model writes them).
pub(crate) fn fields(stats: &CampaignStatistics) -> Vec<(String, Node)> {
    match serde_json::from_str::<Node>(&stats.to_json()) {
        Ok(Node::Object(fields)) => fields,
        _ => Vec::new(),
    }
}

/// `field` / `object.field` paths and values of every number, string or boolean in `stats`,
/// one level of objects deep; arrays (the conversational buttons) are left out.
pub(crate) fn flat(stats: &CampaignStatistics) -> Vec<(String, Node)> {
    let mut cells = Vec::new();
    for (name, node) in fields(stats) {
        match node {
            Node::Leaf(_) => cells.push((name, node)),
            Node::Object(inner) => {
                for (key, value) in inner {
                    if matches!(value, Node::Leaf(_)) {
                        cells.push((format!("{name}.{key}"), value));
                    }
                }
            }
            Node::List(_) => {}
        }
    }
    cells
}

/// `deliveryPending` → `delivery pending`, for labels a person reads.
pub(crate) fn words(camel: &str) -> String {
    let mut out = String::with_capacity(camel.len() + 4);
    for (index, ch) in camel.chars().enumerate() {
        if ch.is_uppercase() && index > 0 {
            out.push(' ');
        }
        out.extend(ch.to_lowercase());
    }
    out.replace('_', " ")
}

impl<'de> Deserialize<'de> for Node {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(NodeVisitor)
    }
}

struct NodeVisitor;

impl<'de> Visitor<'de> for NodeVisitor {
    type Value = Node;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_bool<E>(self, v: bool) -> Result<Node, E> {
        Ok(Node::Leaf(Value::Bool(v)))
    }

    fn visit_i64<E>(self, v: i64) -> Result<Node, E> {
        Ok(Node::Leaf(Value::from(v)))
    }

    fn visit_u64<E>(self, v: u64) -> Result<Node, E> {
        Ok(Node::Leaf(Value::from(v)))
    }

    fn visit_f64<E>(self, v: f64) -> Result<Node, E> {
        Ok(Node::Leaf(Value::from(v)))
    }

    fn visit_str<E>(self, v: &str) -> Result<Node, E> {
        Ok(Node::Leaf(Value::from(v)))
    }

    fn visit_unit<E>(self) -> Result<Node, E> {
        Ok(Node::Leaf(Value::Null))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Node, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element()? {
            items.push(item);
        }
        Ok(Node::List(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Node, A::Error> {
        let mut entries = Vec::new();
        while let Some(entry) = map.next_entry()? {
            entries.push(entry);
        }
        Ok(Node::Object(entries))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_wire_order_and_unknown_fields() {
        let stats = CampaignStatistics::from_json(
            br#"{"sent":3,"delivered":2,"revenue":1.5,"dropDetails":{"duplicates":1},"zzz":"x"}"#,
        )
        .unwrap();
        let names: Vec<String> = flat(&stats).into_iter().map(|(name, _)| name).collect();
        assert_eq!(names[..3], ["sent", "delivered", "open"]);
        assert!(names.contains(&"dropDetails.duplicates".to_owned()));
        assert_eq!(names.last().map(String::as_str), Some("zzz"));
        let revenue = flat(&stats)
            .into_iter()
            .find(|(name, _)| name == "revenue")
            .unwrap()
            .1;
        assert_eq!(revenue.cell(), "1.5");
    }

    #[test]
    fn labels_from_wire_names() {
        assert_eq!(words("deliveryPending"), "delivery pending");
        assert_eq!(
            words("metaRecipientLimitsErrors"),
            "meta recipient limits errors"
        );
    }
}
