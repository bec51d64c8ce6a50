//! The constants each binding's reader takes from the Rust crates, in its own language: the
//! release, what the tolerant reading fills in, the model's counter table, and the error catalogue
//! (kind names, the codes that select them, the 10-digit timestamp bounds).
//! `bindings/typescript/src/counters.ts`, `bindings/python/wa_stats/counters.py` and
//! `bindings/go/version.go` (the last before gofmt, which `cargo xtask bindings` runs on it).

use std::fmt::Write as _;

use serde_json::{Value, json};
use wa_stats_model::error::ERROR_KINDS;
use wa_stats_model::statistics::{Counter, Role};
use wa_stats_model::validation::{MAX_UNIX_SECONDS, MIN_UNIX_SECONDS};

use crate::render::{Writer, go_stamp, render, render_inline, stamp};

/// Everything the constants files say, read once from the crates.
pub(crate) struct Constants {
    version: String,
    defaults: Value,
    nested: Value,
    filled: Value,
    counters: Value,
    kinds: Vec<&'static str>,
    kind_of_code: Vec<(&'static str, &'static str)>,
}

impl Constants {
    /// The constants of `version`, with `table` as the counter table (the model's, but for the
    /// test that adds a counter).
    pub(crate) fn new(version: &str, table: &[Counter]) -> Self {
        let (defaults, nested, filled) = super::reading::tolerant_reading();
        Self {
            version: version.to_owned(),
            defaults: Value::Object(defaults),
            nested: Value::Object(nested),
            filled: Value::Array(filled),
            counters: counter_table(table),
            kinds: ERROR_KINDS.iter().map(|kind| kind.name).collect(),
            kind_of_code: ERROR_KINDS
                .iter()
                .filter_map(|kind| Some((kind.code?, kind.name)))
                .collect(),
        }
    }

    /// The kind each code selects, a `"code": "kind",` line each (TypeScript's and Python's
    /// literal syntax alike), indented by `indent`.
    fn code_lines(&self, indent: &str) -> String {
        self.kind_of_code
            .iter()
            .map(|(code, kind)| format!("{indent}{}: {},\n", json!(code), json!(kind)))
            .collect()
    }

    /// `bindings/typescript/src/counters.ts`.
    pub(crate) fn typescript(&self) -> String {
        let kinds: Vec<String> = self.kinds.iter().map(|k| json!(k).to_string()).collect();
        format!(
            "// {stamp}\n\n/** The wa-stats release these types were generated from. */\n\
             export const VERSION = \"{version}\";\n\n\
             /** For each object type, the fields the tolerant reading fills in when a body leaves them out. */\n\
             export const DEFAULTS: Readonly<Record<string, Readonly<Record<string, number | string | boolean>>>> = {defaults};\n\n\
             /** The type of each property of `CampaignStatistics` that holds objects. */\n\
             export const NESTED: Readonly<Record<string, string>> = {nested};\n\n\
             /** The nested properties every canonical body has: filled with zeros when a body leaves them out. */\n\
             export const ALWAYS_PRESENT: readonly string[] = {filled};\n\n\
             /** One counter of the success body: its wire name, the object it sits in (`\"\"` for the body\n * itself), whether the server counts it or a sum defines it, and the counter it adds up to\n * (`\"\"` for none). */\n\
             export interface Counter {{\n  readonly name: string;\n  readonly object: string;\n  readonly role: \"leaf\" | \"derived\";\n  readonly termOf: string;\n}}\n\n\
             /** Every counter of the success body, as the Rust model's table lists them. */\n\
             export const COUNTERS: readonly Counter[] = {counters};\n\n\
             /** Every kind of error answer: the Rust model's `kind_name`s. */\n\
             export const ERROR_KINDS = [{kinds}] as const;\n\n\
             /** What an error answer means: switch on `kind`. */\n\
             export type ErrorKind = (typeof ERROR_KINDS)[number];\n\n\
             /** The kind each documented `errorCode` selects. */\n\
             export const KIND_OF_CODE: Readonly<Record<string, ErrorKind>> = {{\n{codes}}};\n\n\
             /** The bounds of a \"10-digit Unix timestamp\" in seconds, as the upstream accepts it. */\n\
             export const MIN_UNIX_SECONDS = {MIN_UNIX_SECONDS};\n\
             export const MAX_UNIX_SECONDS = {MAX_UNIX_SECONDS};\n",
            stamp = stamp(Writer::Bindings),
            version = self.version,
            defaults = render(&self.defaults).trim_end(),
            nested = render(&self.nested).trim_end(),
            filled = render_inline(&self.filled),
            counters = render(&self.counters).trim_end(),
            kinds = kinds.join(", "),
            codes = self.code_lines("  "),
        )
    }

    /// `bindings/python/wa_stats/counters.py`.
    pub(crate) fn python(&self) -> String {
        let kinds: Vec<String> = self
            .kinds
            .iter()
            .map(|k| format!("    {},\n", json!(k)))
            .collect();
        format!(
            "# {stamp}\n\"\"\"The release these models were generated from, what the tolerant reading fills in, the\n\
             counter table and the error catalogue of the Rust model.\"\"\"\n\n\
             import json\n\
             from typing import Literal\n\n\
             VERSION = \"{version}\"\n\n\
             # For each object type, the fields the tolerant reading fills in when a body leaves them out.\n\
             DEFAULTS: dict[str, dict[str, object]] = json.loads(\n    \"\"\"{defaults}\"\"\"\n)\n\n\
             # The type of each property of CampaignStatistics that holds objects.\n\
             NESTED: dict[str, str] = json.loads(\n    \"\"\"{nested}\"\"\"\n)\n\n\
             # The nested properties every canonical body has: filled with zeros when a body leaves them out.\n\
             ALWAYS_PRESENT: list[str] = json.loads(\n    \"\"\"{filled}\"\"\"\n)\n\n\
             # Every counter of the success body, as the Rust model's table lists them: wire name, the object\n\
             # it sits in (\"\" for the body itself), \"leaf\" or \"derived\", and the counter it adds up to (\"\" for none).\n\
             COUNTERS: list[dict[str, str]] = json.loads(\n    \"\"\"{counters}\"\"\"\n)\n\n\
             # What an error answer means: the Rust model's kind names.\n\
             ErrorKind = Literal[\n{kinds}]\n\n\
             # The kind each documented errorCode selects.\n\
             KIND_OF_CODE: dict[str, ErrorKind] = {{\n{codes}}}\n\n\
             # The bounds of a \"10-digit Unix timestamp\" in seconds, as the upstream accepts it.\n\
             MIN_UNIX_SECONDS = {MIN_UNIX_SECONDS}\n\
             MAX_UNIX_SECONDS = {MAX_UNIX_SECONDS}\n",
            stamp = stamp(Writer::Bindings),
            version = self.version,
            defaults = render_inline(&self.defaults),
            nested = render_inline(&self.nested),
            filled = render_inline(&self.filled),
            counters = render_inline(&self.counters),
            kinds = kinds.concat(),
            codes = self.code_lines("    "),
        )
    }

    /// `bindings/go/version.go`, before gofmt.
    pub(crate) fn go(&self) -> String {
        let filled: Vec<String> = self
            .filled
            .as_array()
            .into_iter()
            .flatten()
            .map(Value::to_string)
            .collect();
        let mut kinds = String::new();
        for kind in &self.kinds {
            let _ = writeln!(kinds, "\t{} ErrorKind = {}", go_kind(kind), json!(kind));
        }
        let mut codes = String::new();
        for (code, kind) in &self.kind_of_code {
            let _ = writeln!(codes, "\t{}: {},", json!(code), go_kind(kind));
        }
        let mut counters = String::new();
        for counter in self.counters.as_array().into_iter().flatten() {
            let _ = writeln!(
                counters,
                "\t{{Name: {}, Object: {}, Role: {}, TermOf: {}}},",
                counter["name"], counter["object"], counter["role"], counter["termOf"]
            );
        }
        format!(
            "{go_stamp}\n\n\
             package wastats\n\n\
             // Version is the wa-stats release these types were generated from; the Go module is\n\
             // tagged bindings/go/v{version}.\n\
             const Version = \"{version}\"\n\n\
             // defaults holds, for each object type, the fields the tolerant reading fills in when a\n\
             // body leaves them out, with the JSON they read as.\n\
             var defaults = map[string]map[string]string{{\n{defaults}}}\n\n\
             // nested names the type of each property of CampaignStatistics that holds objects.\n\
             var nested = map[string]string{{\n{nested}}}\n\n\
             // alwaysPresent names the nested properties every canonical body has: the tolerant\n\
             // reading fills them with zeros when a body leaves them out.\n\
             var alwaysPresent = []string{{{filled}}}\n\n\
             // Counter is one counter of the success body: its wire name, the object it sits in (\"\" for\n\
             // the body itself), \"leaf\" or \"derived\", and the counter it adds up to (\"\" for none).\n\
             type Counter struct {{\n\tName   string\n\tObject string\n\tRole   string\n\tTermOf string\n}}\n\n\
             // Counters lists every counter of the success body, as the Rust model's table does.\n\
             var Counters = []Counter{{\n{counters}}}\n\n\
             // ErrorKind is what an error answer means: switch on it. The names are the Rust model's.\n\
             type ErrorKind string\n\n\
             // The kinds of error answer (R11).\n\
             const (\n{kinds})\n\n\
             // kindOfCode is the kind each documented errorCode selects.\n\
             var kindOfCode = map[string]ErrorKind{{\n{codes}}}\n\n\
             // The bounds of a \"10-digit Unix timestamp\" in seconds, as the upstream accepts it.\n\
             const (\n\tMinUnixSeconds = {MIN_UNIX_SECONDS}\n\tMaxUnixSeconds = {MAX_UNIX_SECONDS}\n)\n",
            go_stamp = go_stamp(Writer::Bindings),
            version = self.version,
            defaults = go_literal(&self.defaults),
            nested = go_literal(&self.nested),
            filled = filled.join(", "),
        )
    }
}

/// The counter table as JSON: `name`, `object`, `role`, `termOf`, in the table's order.
fn counter_table(table: &[Counter]) -> Value {
    table
        .iter()
        .map(|counter| {
            json!({
                "name": counter.name,
                "object": counter.group().object().unwrap_or(""),
                "role": match counter.role {
                    Role::Derived(_) => "derived",
                    _ => "leaf",
                },
                "termOf": counter.term_of.map_or("", |rule| rule.counter()),
            })
        })
        .collect()
}

/// A kind's Go constant: `not_a_whatsapp_campaign` is `KindNotAWhatsAppCampaign`.
fn go_kind(kind: &str) -> String {
    let mut name = String::from("Kind");
    for word in kind.split('_') {
        match word {
            "whatsapp" => name.push_str("WhatsApp"),
            _ => {
                let mut letters = word.chars();
                name.extend(letters.next().map(|c| c.to_ascii_uppercase()));
                name.extend(letters);
            }
        }
    }
    name
}

/// A Go map literal's entries: objects become `map[string]string` literals of JSON texts, strings
/// stay strings (JSON string syntax is Go's for these plain names).
fn go_literal(map: &Value) -> String {
    let mut text = String::new();
    for (name, item) in map.as_object().into_iter().flatten() {
        let value = match item {
            Value::Object(fields) => {
                let fields: Vec<String> = fields
                    .iter()
                    .map(|(field, default)| {
                        format!(
                            "{}: {}",
                            Value::from(field.as_str()),
                            Value::from(default.to_string())
                        )
                    })
                    .collect();
                format!("{{{}}}", fields.join(", "))
            }
            other => other.to_string(),
        };
        let _ = writeln!(text, "\t{}: {value},", Value::from(name.as_str()));
    }
    text
}
