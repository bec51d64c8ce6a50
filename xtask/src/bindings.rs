//! `cargo xtask bindings [--check]`: the TypeScript, Python and Go types under `bindings/`,
//! generated from the committed JSON Schemas by each ecosystem's pinned generator.
//!
//! The generators are outside tools (Node, Python, Go), pinned in `package-lock.json` and
//! `tests/external/requirements.txt`, or Debian's `golang-go`. A missing one is an error naming
//! the command that installs it, never a silent skip. The files that need no outside tool
//! (examples, manifests, versions) are written by `cargo xtask schemas` and checked by a plain
//! `cargo test`; this command writes those too, then the generated code.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use crate::generated::{ensure_all, ensure_file_contents_fixed_by, workspace_root};
use crate::render::{Writer, stamp};

/// The command that regenerates the bindings; check mode names it in its error.
pub(crate) const FIX_COMMAND: &str = "cargo xtask bindings";

const SCHEMAS: &str = "crates/wa-stats-model/schemas";
const SCHEMA_FILES: [&str; 4] = [
    "campaign-statistics-request.schema.json",
    "campaign-statistics-response.schema.json",
    "error-response.schema.json",
    "campaign-statistics-envelope.schema.json",
];

/// An outside generator: where it is and how to install it when it is not there.
struct Tool {
    program: &'static str,
    install: &'static str,
}

const JSON2TS: Tool = Tool {
    program: "node_modules/.bin/json2ts",
    install: "npm ci   (at the repository root; json-schema-to-typescript is pinned in package-lock.json)",
};
const QUICKTYPE: Tool = Tool {
    program: "node_modules/.bin/quicktype",
    install: "npm ci   (at the repository root; quicktype is pinned in package-lock.json)",
};
const DATAMODEL_CODEGEN: Tool = Tool {
    program: ".venv/bin/datamodel-codegen",
    install: "python3 -m venv .venv && .venv/bin/pip install -r tests/external/requirements.txt",
};
const GOFMT: Tool = Tool {
    program: "gofmt",
    install: "apt-get install -y golang-go",
};

/// Runs `tool` in the workspace root with `args` (and `input` on stdin); returns its stdout.
fn run(root: &Path, tool: &Tool, args: &[&str], input: Option<&str>) -> Result<String, String> {
    let program = if tool.program.contains('/') {
        let path = root.join(tool.program);
        if !path.exists() {
            return Err(format!(
                "{} is not installed; install it with:\n    {}",
                tool.program, tool.install
            ));
        }
        path
    } else {
        PathBuf::from(tool.program)
    };
    let mut child = Command::new(&program)
        .args(args)
        .current_dir(root)
        .stdin(if input.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|error| {
            format!(
                "cannot run {}: {error}; install it with:\n    {}",
                tool.program, tool.install
            )
        })?;
    if let (Some(text), Some(mut stdin)) = (input, child.stdin.take()) {
        stdin
            .write_all(text.as_bytes())
            .map_err(|error| format!("cannot feed {}: {error}", tool.program))?;
    }
    let output = child
        .wait_with_output()
        .map_err(|error| format!("{} did not finish: {error}", tool.program))?;
    if !output.status.success() {
        return Err(format!(
            "{} {} failed ({}):\n{}",
            tool.program,
            args.join(" "),
            output.status,
            String::from_utf8_lossy(&output.stderr)
        ));
    }
    String::from_utf8(output.stdout).map_err(|_| format!("{} wrote non-UTF-8 output", tool.program))
}

fn schema_path(file: &str) -> String {
    format!("{SCHEMAS}/{file}")
}

/// TypeScript: one `types.ts` with every schema's types, by json-schema-to-typescript.
/// `--additionalProperties false` keeps index signatures out, so that a misspelt field is a
/// compile error; unknown fields survive anyway, since `JSON.parse` keeps them.
fn typescript(root: &Path) -> Result<Vec<(PathBuf, String)>, String> {
    let mut text = format!(
        "// {}\n// Generator: json-schema-to-typescript (see package-lock.json).\n",
        stamp(Writer::Generator)
    );
    for file in SCHEMA_FILES {
        let path = schema_path(file);
        let args = [
            "--additionalProperties",
            "false",
            "--bannerComment",
            "",
            "-i",
            path.as_str(),
        ];
        text.push('\n');
        text.push_str(run(root, &JSON2TS, &args, None)?.trim_start());
    }
    Ok(vec![(
        PathBuf::from("bindings/typescript/src/types.ts"),
        text,
    )])
}

/// Python: one pydantic v2 module per schema, by datamodel-code-generator. Strict `str`, `int`
/// and `bool` so that `"1200"` is not a counter; `extra="allow"` on every model, so that unknown
/// fields are kept (and written back by `model_dump`).
fn python(root: &Path) -> Result<Vec<(PathBuf, String)>, String> {
    let header = format!(
        "# {}\n# Generator: datamodel-code-generator (see tests/external/requirements.txt).",
        stamp(Writer::Generator)
    );
    let modules = [
        ("request", SCHEMA_FILES[0]),
        ("statistics", SCHEMA_FILES[1]),
        ("errors", SCHEMA_FILES[2]),
        ("envelope", SCHEMA_FILES[3]),
    ];
    let mut files = Vec::new();
    for (module, file) in modules {
        let path = schema_path(file);
        let args = [
            "--input",
            path.as_str(),
            "--input-file-type",
            "jsonschema",
            "--output-model-type",
            "pydantic_v2.BaseModel",
            "--target-python-version",
            "3.10",
            "--extra-fields",
            "allow",
            "--strict-types",
            "str",
            "int",
            "bool",
            "--use-annotated",
            "--use-field-description",
            "--use-schema-description",
            "--use-title-as-name",
            "--collapse-root-models",
            "--disable-timestamp",
            "--formatters",
            "black",
            "isort",
            "--custom-file-header",
            header.as_str(),
        ];
        files.push((
            PathBuf::from(format!("bindings/python/wa_stats/{module}.py")),
            run(root, &DATAMODEL_CODEGEN, &args, None)?,
        ));
    }
    Ok(files)
}

/// Go: one `types.go`, by quicktype, formatted by gofmt. Each error shape is its own top-level
/// type (quicktype would merge the union into one struct of optional fields).
fn go(root: &Path) -> Result<Vec<(PathBuf, String)>, String> {
    let mut sources = vec![
        schema_path(SCHEMA_FILES[0]),
        schema_path(SCHEMA_FILES[1]),
        schema_path(SCHEMA_FILES[3]),
    ];
    for shape in [
        "CodedErrorBody",
        "FieldErrorsBody",
        "RateLimitedBody",
        "MessageBody",
    ] {
        sources.push(format!("{}#/$defs/{shape}", schema_path(SCHEMA_FILES[2])));
    }
    let mut args = vec![
        "--src-lang",
        "schema",
        "--lang",
        "go",
        "--package",
        "wastats",
        "--omit-empty",
    ];
    for source in &sources {
        args.extend(["--src", source.as_str()]);
    }
    let code = run(root, &QUICKTYPE, &args, None)?;
    let code = format!(
        "// {}\n// Generator: quicktype (see package-lock.json), then gofmt.\n\n{code}",
        stamp(Writer::Generator)
    );
    let formatted = run(root, &GOFMT, &[], Some(&code))?;
    let version = crate::generated::workspace_version()?;
    let version_file = run(
        root,
        &GOFMT,
        &[],
        Some(&crate::exports::go_version_file(&version)),
    )?;
    Ok(vec![
        (PathBuf::from("bindings/go/types.go"), formatted),
        (PathBuf::from("bindings/go/version.go"), version_file),
    ])
}

/// The names the issue promises a consumer, in every language, and names no type may have.
const NAMED_TYPES: [&str; 14] = [
    "CampaignStatisticsEnvelope",
    "CampaignStatisticsEnvelopeData",
    "EnvelopedStatistics",
    "CampaignStatisticsRequest",
    "CampaignStatistics",
    "DropDetails",
    "UndeliveredDetails",
    "ResponseCard",
    "ResponseSummary",
    "CodedErrorBody",
    "FieldErrorsBody",
    "RateLimitedBody",
    "RateLimitDetail",
    "MessageBody",
];
const UNNAMED: [&str; 6] = [
    "Type1",
    "Root ",
    "Item ",
    "Root(",
    "Item(",
    "ResponseSchema",
];

/// Fails when a generator invented a name (a missing `title`, say) or lost one of ours.
fn check_names(files: &[(PathBuf, String)]) -> Result<(), String> {
    let code: String = files.iter().map(|(_, text)| text.as_str()).collect();
    let declared = |name: &str| {
        [
            format!("interface {name} "),
            format!("class {name}("),
            format!("type {name} struct"),
        ]
        .iter()
        .any(|form| code.contains(form.as_str()))
    };
    if let Some(lost) = NAMED_TYPES.iter().find(|name| !declared(name)) {
        return Err(format!(
            "the generated code declares no type {lost}: give its schema a title"
        ));
    }
    if let Some(invented) = UNNAMED.iter().find(|name| code.contains(*name)) {
        return Err(format!(
            "the generated code names a type `{}`: give its schema a title",
            invented.trim()
        ));
    }
    Ok(())
}

/// Writes (or checks) the schemas and exports, then every generated binding. In check mode all
/// stale files are reported at once.
pub(crate) fn ensure(check: bool) -> Result<String, String> {
    let mut report = ensure_all(check)?;
    let root = workspace_root();
    let mut stale = Vec::new();
    for generate in [typescript, python, go] {
        let files = generate(&root)?;
        check_names(&files)?;
        for (relative, contents) in files {
            match ensure_file_contents_fixed_by(
                &root.join(&relative),
                &contents,
                check,
                FIX_COMMAND,
            ) {
                Ok(true) => report.push_str(&format!("\nupdated {}", relative.display())),
                Ok(false) => {}
                Err(error) => stale.push(error),
            }
        }
    }
    if !stale.is_empty() {
        return Err(stale.join("\n"));
    }
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_generator_names_the_command_that_installs_it() {
        let root = std::env::temp_dir();
        let missing = Tool {
            program: "no/such/generator",
            install: "npm ci",
        };
        let error = run(&root, &missing, &[], None).unwrap_err();
        assert!(
            error.contains("not installed") && error.contains("npm ci"),
            "{error}"
        );
        let not_on_path = Tool {
            program: "no-such-generator-on-path",
            install: "apt-get install -y golang-go",
        };
        let error = run(&root, &not_on_path, &[], None).unwrap_err();
        assert!(error.contains("apt-get install -y golang-go"), "{error}");
    }

    #[test]
    fn invented_and_lost_names_are_refused() {
        let all: String = NAMED_TYPES
            .iter()
            .map(|name| format!("export interface {name} {{}}\n"))
            .collect();
        let file = |text: &str| vec![(PathBuf::from("x"), text.to_owned())];
        assert_eq!(check_names(&file(&all)), Ok(()));
        let invented = format!("{all}export interface Type1 {{}}\n");
        assert!(check_names(&file(&invented)).unwrap_err().contains("Type1"));
        let lost = all.replace("interface DropDetails ", "interface Drop ");
        assert!(
            check_names(&file(&lost))
                .unwrap_err()
                .contains("DropDetails")
        );
    }
}
