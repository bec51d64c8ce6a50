//! The one function that makes text from outside (a server's message, an unknown field's name
//! or value, a database's or a file's words) safe to print on a terminal: every control
//! character (C0 with TAB, CR and LF; DEL; C1 with CSI) is written as its Rust escape (`\n`,
//! `\u{1b}`), so that a server can neither move the cursor, retitle the terminal, nor forge a
//! line of ours. JSON output does not use it (serde_json escapes control characters itself) and
//! CSV quotes instead, so both keep the text exactly.

use std::borrow::Cow;

/// `text` with every control character escaped; borrowed when there is none.
pub(crate) fn terminal(text: &str) -> Cow<'_, str> {
    if !text.chars().any(char::is_control) {
        return Cow::Borrowed(text);
    }
    let mut shown = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if c.is_control() {
            shown.extend(c.escape_debug());
        } else {
            shown.push(c);
        }
    }
    Cow::Owned(shown)
}

/// A line of JSON with the control characters serde_json leaves as they are (DEL and C1, which
/// JSON does not require escaping) written as `\u00XX`: the same JSON value, safe on a terminal.
/// They can only be inside strings, where the escape means the same character.
pub(crate) fn json_line(line: &str) -> Cow<'_, str> {
    if !line.chars().any(char::is_control) {
        return Cow::Borrowed(line);
    }
    let mut shown = String::with_capacity(line.len() + 12);
    for c in line.chars() {
        if c.is_control() {
            shown.push_str(&format!("\\u{:04x}", u32::from(c)));
        } else {
            shown.push(c);
        }
    }
    Cow::Owned(shown)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_keeps_its_value_and_loses_raw_controls() {
        let value = "a\u{9b}2J\u{7f}\n";
        let line = serde_json::to_string(value).unwrap();
        let safe = json_line(&line);
        assert_eq!(safe, r#""a\u009b2J\u007f\n""#);
        assert_eq!(serde_json::from_str::<String>(&safe).unwrap(), value);
    }

    #[test]
    fn controls_are_escaped_and_the_rest_kept() {
        assert!(matches!(terminal("plain text, ünïcode"), Cow::Borrowed(_)));
        assert_eq!(
            terminal("a\u{1b}]0;x\u{7}\r\nwa-stats: ok\u{9b}2J\u{7f}\t"),
            r"a\u{1b}]0;x\u{7}\r\nwa-stats: ok\u{9b}2J\u{7f}\t"
        );
    }
}
