//! The generated files of the repository and the one function that writes or checks them.

use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::render::{Writer, render, stamp};

/// The command that regenerates everything; check mode names it in its error.
pub(crate) const FIX_COMMAND: &str = "cargo xtask schemas";

pub(crate) fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map_or_else(|| PathBuf::from("."), Path::to_path_buf)
}

/// Stamps a JSON Schema with `$comment` (a keyword every draft ignores) and renders it.
fn schema_text(schema: schemars::Schema) -> String {
    let mut value = schema.to_value();
    if let Value::Object(map) = &mut value {
        map.insert("$comment".to_owned(), Value::from(stamp(Writer::Schemas)));
    }
    render(&value)
}

/// The workspace's version, from the root Cargo.toml.
pub(crate) fn workspace_version() -> Result<String, String> {
    let manifest_path = workspace_root().join("Cargo.toml");
    let manifest = fs::read_to_string(&manifest_path)
        .map_err(|error| format!("cannot read {}: {error}", manifest_path.display()))?;
    crate::exports::workspace_version(&manifest).ok_or_else(|| {
        format!(
            "{} has no `version` under [workspace.package]",
            manifest_path.display()
        )
    })
}

/// Every generated file: path relative to the workspace root, and its contents.
pub(crate) fn files() -> Result<Vec<(PathBuf, String)>, String> {
    use wa_stats_model::{openapi, schema};
    let model = Path::new("crates/wa-stats-model/schemas");
    let version = workspace_version()?;
    let mut files = vec![
        (
            model.join("campaign-statistics-request.schema.json"),
            schema_text(schema::request_schema()),
        ),
        (
            model.join("campaign-statistics-response.schema.json"),
            schema_text(schema::response_schema()),
        ),
        (
            model.join("campaign-statistics-envelope.schema.json"),
            schema_text(schema::envelope_schema()),
        ),
        (
            model.join("error-response.schema.json"),
            schema_text(schema::error_schema()),
        ),
        (model.join("openapi.json"), render(&openapi::document())),
        (
            PathBuf::from("crates/wa-stats-mock/schemas/fixtures.schema.json"),
            schema_text(wa_stats_fixture::schema()),
        ),
    ];
    let package_path = workspace_root().join("package.json");
    let package = fs::read_to_string(&package_path)
        .ok()
        .and_then(|text| serde_json::from_str::<Value>(&text).ok())
        .ok_or_else(|| format!("cannot read {} as JSON", package_path.display()))?;
    files.extend(crate::exports::files(&version, &package));
    Ok(files)
}

/// Writes `contents` to `path` if it differs (line endings normalised); in check mode, fails
/// instead, naming the command that fixes it. Returns whether the file was (or would be) changed.
pub(crate) fn ensure_file_contents(
    path: &Path,
    contents: &str,
    check: bool,
) -> Result<bool, String> {
    ensure_file_contents_fixed_by(path, contents, check, FIX_COMMAND)
}

/// [`ensure_file_contents`], naming `fix` as the command that regenerates the file.
pub(crate) fn ensure_file_contents_fixed_by(
    path: &Path,
    contents: &str,
    check: bool,
    fix: &str,
) -> Result<bool, String> {
    let normalise = |text: &str| text.replace("\r\n", "\n");
    if fs::read_to_string(path).is_ok_and(|old| normalise(&old) == normalise(contents)) {
        return Ok(false);
    }
    let shown = path.display();
    if check {
        return Err(format!(
            "{shown} is out of date: run `{fix}` and commit the result"
        ));
    }
    if let Some(parent) = path.parent() {
        fs::create_dir_all(parent)
            .map_err(|error| format!("cannot create {}: {error}", parent.display()))?;
    }
    fs::write(path, normalise(contents))
        .map_err(|error| format!("cannot write {shown}: {error}"))?;
    Ok(true)
}

/// Ensures every generated file; in check mode reports all stale files at once.
pub(crate) fn ensure_all(check: bool) -> Result<String, String> {
    let root = workspace_root();
    let mut report = String::new();
    let mut stale = Vec::new();
    for (relative, contents) in files()? {
        match ensure_file_contents(&root.join(&relative), &contents, check) {
            Ok(true) => {
                let _ = writeln!(report, "updated {}", relative.display());
            }
            Ok(false) => {}
            Err(error) => stale.push(error),
        }
    }
    if !stale.is_empty() {
        return Err(stale.join("\n"));
    }
    if report.is_empty() {
        report.push_str("all generated files are up to date");
    }
    Ok(report.trim_end().to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Plain `cargo test` fails on a stale generated file, with the command that fixes it.
    #[test]
    fn generated_files_are_fresh() {
        if let Err(error) = ensure_all(true) {
            panic!("{error}");
        }
    }

    #[test]
    fn check_mode_names_the_fix_and_leaves_the_file_alone() {
        let dir = std::env::temp_dir().join(format!("xtask-check-{}", std::process::id()));
        let path = dir.join("x.json");
        fs::create_dir_all(&dir).unwrap();
        fs::write(&path, "old\r\n").unwrap();
        let error = ensure_file_contents(&path, "new\n", true).unwrap_err();
        assert!(error.contains(FIX_COMMAND), "{error}");
        assert_eq!(fs::read_to_string(&path).unwrap(), "old\r\n");
        assert_eq!(
            ensure_file_contents(&path, "old\n", true),
            Ok(false),
            "CRLF is not a change"
        );
        assert_eq!(ensure_file_contents(&path, "new\n", false), Ok(true));
        assert_eq!(fs::read_to_string(&path).unwrap(), "new\n");
        fs::remove_dir_all(&dir).unwrap();
    }
}
