//! The documents' shell examples as data: which fenced blocks are commands, the output each shows,
//! the `<!-- doc-test: … -->` directives, the comparison and the rewrite of an output block.
//!
//! A command is a ` ```sh ` (or `console`, `bash`, `shell`) block, whose output is the ` ```text `
//! block right after it (blank lines between allowed), if there is one; or a ` ```text ` block
//! whose first line starts with `$ ` (the command, continued by lines ending in `\`), the rest its
//! output. A ` ```rust ` block is a snippet: `<!-- doc-test: same-as PATH -->` before it names the
//! compiled test that holds it verbatim, or `skip REASON` says where else it runs. Any other block
//! is prose to this harness.

/// One command of a document and what the document says it prints.
#[derive(Debug)]
pub(crate) struct Example {
    /// 1-based line of the command's opening fence, for messages.
    pub(crate) line: usize,
    /// The shell text, as written.
    pub(crate) command: String,
    /// The output shown, if any: `(first line index, lines)` of the block's lines that hold it.
    pub(crate) output: Option<(usize, Vec<String>)>,
    /// Why it is not run (`<!-- doc-test: skip REASON -->` before it).
    pub(crate) skip: Option<String>,
    /// `<!-- doc-test: env K=V … -->` seen above it in the document, in order.
    pub(crate) env: Vec<(String, String)>,
    /// A shell command, or a Rust snippet and the file that must hold it.
    pub(crate) kind: Kind,
}

/// What a block is to the harness.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    /// Run with bash.
    Shell,
    /// Compiled and run elsewhere: in the file `same_as` names (workspace-relative), verbatim.
    Rust { same_as: Option<String> },
}

const SHELLS: [&str; 4] = ["sh", "console", "bash", "shell"];
const DIRECTIVE: &str = "<!-- doc-test:";

/// Every command of a document, in order.
pub(crate) fn examples(text: &str) -> Result<Vec<Example>, String> {
    let lines: Vec<&str> = text.lines().collect();
    let mut found = Vec::new();
    let mut env = Vec::new();
    let mut pending_skip: Option<String> = None;
    let mut pending_same_as: Option<String> = None;
    let mut i = 0;
    while i < lines.len() {
        let line = lines[i].trim_start();
        if let Some(rest) = line.strip_prefix(DIRECTIVE) {
            let body = rest
                .trim()
                .strip_suffix("-->")
                .ok_or_else(|| format!("line {}: a doc-test directive ends with -->", i + 1))?
                .trim();
            if let Some(reason) = body.strip_prefix("skip") {
                let reason = reason.trim();
                if reason.is_empty() {
                    return Err(format!("line {}: `doc-test: skip` needs a reason", i + 1));
                }
                pending_skip = Some(reason.to_owned());
            } else if let Some(path) = body.strip_prefix("same-as") {
                pending_same_as = Some(path.trim().to_owned());
            } else if let Some(pairs) = body.strip_prefix("env") {
                for pair in pairs.split_whitespace() {
                    let (key, value) = pair
                        .split_once('=')
                        .ok_or_else(|| format!("line {}: `{pair}` is not KEY=VALUE", i + 1))?;
                    env.push((key.to_owned(), value.to_owned()));
                }
            } else {
                return Err(format!(
                    "line {}: unknown doc-test directive `{body}` (skip REASON, same-as PATH, env K=V)",
                    i + 1
                ));
            }
            i += 1;
            continue;
        }
        let Some(lang) = line.strip_prefix("```") else {
            if !line.is_empty() && (pending_skip.is_some() || pending_same_as.is_some()) {
                return Err(format!(
                    "line {}: a `doc-test: skip` or `same-as` stands right before its block",
                    i + 1
                ));
            }
            i += 1;
            continue;
        };
        let lang = lang.trim().to_owned();
        let (body_start, end) = block(&lines, i)?;
        let body: Vec<String> = lines[body_start..end]
            .iter()
            .map(|l| (*l).to_owned())
            .collect();
        let skip = pending_skip.take();
        let same_as = pending_same_as.take();
        if same_as.is_some() && lang != "rust" {
            return Err(format!(
                "line {}: `doc-test: same-as` stands before a block that is not Rust",
                i + 1
            ));
        }
        if lang == "rust" {
            found.push(Example {
                line: i + 1,
                command: body.join("\n"),
                output: None,
                skip,
                env: env.clone(),
                kind: Kind::Rust { same_as },
            });
        } else if SHELLS.contains(&lang.as_str()) {
            let output = following_text_block(&lines, end + 1)?;
            found.push(Example {
                line: i + 1,
                command: body.join("\n"),
                output: output.map(|(first, last)| {
                    (
                        first,
                        lines[first..last].iter().map(|l| (*l).to_owned()).collect(),
                    )
                }),
                skip,
                env: env.clone(),
                kind: Kind::Shell,
            });
        } else if lang == "text" && body.first().is_some_and(|l| l.starts_with("$ ")) {
            let mut command = Vec::new();
            let mut k = 0;
            while k < body.len() {
                let part = body[k].strip_prefix("$ ").unwrap_or(&body[k]).to_owned();
                let continued = part.ends_with('\\');
                command.push(part);
                k += 1;
                if !continued {
                    break;
                }
            }
            found.push(Example {
                line: i + 1,
                command: command.join("\n"),
                output: Some((body_start + k, body[k..].to_vec())),
                skip,
                env: env.clone(),
                kind: Kind::Shell,
            });
        } else if skip.is_some() {
            return Err(format!(
                "line {}: `doc-test: skip` stands before a block that is not a command",
                i + 1
            ));
        }
        i = end + 1;
    }
    Ok(found)
}

/// The body's first line and the closing fence's line of the block opened at `open`.
fn block(lines: &[&str], open: usize) -> Result<(usize, usize), String> {
    let close = (open + 1..lines.len())
        .find(|&k| lines[k].trim_start().starts_with("```"))
        .ok_or_else(|| format!("line {}: the block never closes", open + 1))?;
    Ok((open + 1, close))
}

/// A ` ```text ` block starting at `from` after blank lines only: its body's line range.
fn following_text_block(lines: &[&str], from: usize) -> Result<Option<(usize, usize)>, String> {
    let Some(next) = (from..lines.len()).find(|&k| !lines[k].trim().is_empty()) else {
        return Ok(None);
    };
    if lines[next].trim() != "```text" {
        return Ok(None);
    }
    let (first, close) = block(lines, next)?;
    Ok(Some((first, close)))
}

/// Whether `file` holds `snippet` verbatim, line by line and wherever it is indented, with
/// `"http://127.0.0.1:8080"` (the mock of the documents) standing for `mock_url` there.
pub(crate) fn holds(file: &str, snippet: &str) -> bool {
    let want: Vec<String> = snippet
        .lines()
        .map(|l| l.trim().replace("\"http://127.0.0.1:8080\"", "mock_url"))
        .collect();
    let have: Vec<&str> = file.lines().map(str::trim).collect();
    !want.is_empty()
        && have
            .windows(want.len())
            .any(|w| w.iter().zip(&want).all(|(h, w)| h == w))
}

/// Whether `actual` is what the document shows: line by line, trailing blanks ignored, and
/// `[..]` in a shown line standing for any text within that line (for what changes every run).
pub(crate) fn matches(shown: &[String], actual: &str) -> bool {
    let actual: Vec<&str> = actual.trim_end().lines().map(str::trim_end).collect();
    let shown: Vec<&str> = trim_trailing_blank(shown);
    shown.len() == actual.len() && shown.iter().zip(&actual).all(|(s, a)| line_matches(s, a))
}

fn trim_trailing_blank(lines: &[String]) -> Vec<&str> {
    let mut v: Vec<&str> = lines.iter().map(|l| l.trim_end()).collect();
    while v.last().is_some_and(|l| l.is_empty()) {
        v.pop();
    }
    v
}

fn line_matches(shown: &str, actual: &str) -> bool {
    let mut parts = shown.split("[..]");
    let first = parts.next().unwrap_or("");
    let Some(mut rest) = actual.strip_prefix(first) else {
        return false;
    };
    let parts: Vec<&str> = parts.collect();
    for (k, part) in parts.iter().enumerate() {
        if k + 1 == parts.len() {
            return rest.ends_with(part);
        }
        match rest.find(part) {
            Some(at) => rest = &rest[at + part.len()..],
            None => return false,
        }
    }
    rest.is_empty()
}

/// The document with the output block whose lines start at `first` (and are `old`) replaced by
/// `actual`.
pub(crate) fn rewrite(text: &str, first: usize, old: usize, actual: &str) -> String {
    let mut lines: Vec<String> = text.lines().map(str::to_owned).collect();
    let new: Vec<String> = actual
        .trim_end()
        .lines()
        .map(|l| l.trim_end().to_owned())
        .collect();
    lines.splice(first..first + old, new);
    let mut out = lines.join("\n");
    if text.ends_with('\n') {
        out.push('\n');
    }
    out
}

#[test]
fn the_reader_finds_commands_outputs_and_directives() {
    let doc = "x\n<!-- doc-test: env A=1 B=2 -->\n```sh\necho hi\n```\n\n```text\nhi\n```\n\
               <!-- doc-test: skip needs a network -->\n```sh\ncurl x\n```\nThen:\n\
               ```text\n$ echo a \\\n  b\na b\n```\n```rust\nfn main() {}\n```\n";
    let found = examples(doc).expect("reads");
    assert_eq!(found.len(), 4);
    assert_eq!(found[3].kind, Kind::Rust { same_as: None });
    assert_eq!(found[0].command, "echo hi");
    assert_eq!(
        found[0].output.as_ref().map(|o| o.1.clone()),
        Some(vec!["hi".to_owned()])
    );
    assert_eq!(
        found[0].env,
        vec![("A".into(), "1".into()), ("B".into(), "2".into())]
    );
    assert_eq!(found[1].skip.as_deref(), Some("needs a network"));
    assert!(found[1].output.is_none());
    assert_eq!(found[2].command, "echo a \\\n  b");
    assert!(matches(
        &found[2].output.as_ref().expect("output").1,
        "a b\n"
    ));
    assert!(line_matches("took [..] s", "took 1.5 s"));
    assert!(!line_matches("took [..] s", "took 1.5 ms"));
    assert!(examples("<!-- doc-test: skip -->\n```sh\nx\n```\n").is_err());
    let rust =
        examples("<!-- doc-test: same-as a.rs -->\n```rust\nlet x = 1;\n```\n").expect("reads");
    assert_eq!(
        rust[0].kind,
        Kind::Rust {
            same_as: Some("a.rs".to_owned())
        }
    );
    assert!(holds(
        "    c.base_url(mock_url)\n",
        "c.base_url(\"http://127.0.0.1:8080\")"
    ));
    assert!(holds(
        "fn f() {\n    let x = 1;\n    let y = 2;\n}\n",
        "let x = 1;\nlet y = 2;"
    ));
    assert!(!holds(
        "fn f() {\n    let x = 1;\n}\n",
        "let x = 1;\nlet y = 2;"
    ));
}
