//! What the bindings' tests and manifests take from the Rust crates, written without any outside
//! tool, one module per job: `examples` (`bindings/examples.json`, with `live` for its cases
//! against the built-in mock data), `reading` (what the tolerant reading fills in), `constants`
//! (each binding's generated constants file) and `manifests` (each package's manifest).

mod constants;
mod examples;
mod live;
mod manifests;
mod reading;

use std::path::PathBuf;

use serde_json::Value;
use wa_stats_model::statistics::COUNTERS;

pub(crate) use constants::Constants;

use crate::render::render;

/// The workspace's version (`[workspace.package] version` of the root Cargo.toml), which every
/// binding package carries too.
pub(crate) fn workspace_version(root_manifest: &str) -> Option<String> {
    let package = root_manifest.split("[workspace.package]").nth(1)?;
    let line = package
        .lines()
        .take_while(|line| !line.starts_with('['))
        .find(|line| line.trim_start().starts_with("version"))?;
    Some(line.split('"').nth(1)?.to_owned())
}

/// Every exported file `cargo xtask schemas` writes: path relative to the workspace root, and
/// contents. (`bindings/go/version.go` needs gofmt, so `cargo xtask bindings` writes it.)
pub(crate) fn files(version: &str, root_package: &Value) -> Vec<(PathBuf, String)> {
    let examples = render(&examples::examples_json());
    let constants = Constants::new(version, COUNTERS);
    let mut files = vec![
        (PathBuf::from("bindings/examples.json"), examples.clone()),
        // The same cases inside the Go module, whose tests must pass where the module is used
        // on its own (copied out, vendored), with nothing outside it to read.
        (
            PathBuf::from("bindings/go/testdata/examples.json"),
            examples,
        ),
        (
            PathBuf::from("bindings/typescript/src/counters.ts"),
            constants.typescript(),
        ),
        (
            PathBuf::from("bindings/python/wa_stats/counters.py"),
            constants.python(),
        ),
    ];
    files.extend(manifests::files(version, root_package));
    files
}

/// `bindings/go/version.go` before gofmt.
pub(crate) fn go_version_file(version: &str) -> String {
    Constants::new(version, COUNTERS).go()
}

#[cfg(test)]
mod tests {
    use serde_json::json;
    use wa_stats_model::statistics::Counter;

    use super::*;

    #[test]
    fn the_workspace_version_is_read_from_its_own_section() {
        let manifest = "[package]\nversion = \"9.9.9\"\n[workspace.package]\nedition = \"2024\"\nversion = \"0.1.0\"\n[workspace.dependencies]\nversion = \"x\"\n";
        assert_eq!(workspace_version(manifest).as_deref(), Some("0.1.0"));
        assert_eq!(
            workspace_version("[workspace.package]\n[other]\nversion = \"1\"\n"),
            None
        );
    }

    #[test]
    fn every_documented_error_is_classified_as_its_own_kind() {
        let errors: Vec<Value> = examples::documented()
            .into_iter()
            .filter(|case| case.get("kind").is_some())
            .collect();
        assert_eq!(errors.len(), 8);
        for case in errors {
            // Each case is named after its kind, but for a 405, which has no kind of its own.
            let expected = if case["status"] == 405 {
                "other"
            } else {
                case["name"].as_str().unwrap_or_default()
            };
            assert_eq!(case["kind"], expected, "{case}");
        }
    }

    #[test]
    fn the_tolerant_reading_fills_every_counter_and_names_the_nested_types() {
        let (defaults, nested, filled) = reading::tolerant_reading();
        assert_eq!(filled, [json!("dropDetails"), json!("undeliveredDetails")]);
        assert_eq!(defaults["CampaignStatistics"]["sent"], 0);
        assert_eq!(defaults["ResponseCard"]["buttonName"], "");
        assert_eq!(nested["responses"], "ResponseCard");
        assert_eq!(nested.len(), 4);
    }

    /// A counter added to the model's table alone reaches every binding's generated file.
    #[test]
    fn a_counter_added_to_the_table_alone_is_in_every_binding() {
        let mut table = COUNTERS.to_vec();
        table.push(Counter::drop_reason("newReason", |_| 0, |_, _| {}));
        let constants = Constants::new("9.9.9", &table);
        let ours = Constants::new("9.9.9", COUNTERS);
        let added =
            json!({"name": "newReason", "object": "dropDetails", "role": "leaf", "termOf": "drop"});
        for (language, with, without) in [
            ("typescript", constants.typescript(), ours.typescript()),
            ("python", constants.python(), ours.python()),
        ] {
            let entry = if language == "python" {
                crate::render::render_inline(&added)
            } else {
                crate::render::render(&added)
                    .trim_end()
                    .replace('\n', "\n  ")
            };
            assert!(with.contains(&entry), "{language}: {with}");
            assert!(!without.contains(&entry), "{language}");
        }
        let go = r#"{Name: "newReason", Object: "dropDetails", Role: "leaf", TermOf: "drop"}"#;
        assert!(constants.go().contains(go), "{}", constants.go());
        assert!(!ours.go().contains(go));
    }

    #[test]
    fn every_error_status_comes_from_the_documented_cases() {
        assert_eq!(examples::outcome("product_not_active")["status"], 403);
        assert_eq!(examples::outcome("method_not_allowed")["kind"], "other");
        assert_eq!(examples::outcome("no such case"), Value::Null);
    }
}
