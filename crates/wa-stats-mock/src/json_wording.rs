//! serde's error messages reworded for a person who writes JSON by hand: `expected u64` becomes
//! `expected a whole number (0 or more)`, and the value found comes last, as it was written.

/// Rewords one serde / serde_json message. Messages of other shapes pass through unchanged.
pub(crate) fn plain(message: &str) -> String {
    // serde_json appends the position; keep it, after the reworded part.
    let (body, position) = match message.rfind(" at line ") {
        Some(at) => message.split_at(at),
        None => (message, ""),
    };
    let reworded = ["invalid type: ", "invalid value: "]
        .iter()
        .find_map(|prefix| body.strip_prefix(prefix))
        .and_then(|rest| rest.split_once(", expected "))
        .map(|(found, expected)| {
            format!(
                "expected {}, found {}",
                expected_words(expected),
                found_words(found)
            )
        });
    match reworded {
        Some(text) => format!("{text}{position}"),
        None => message.to_owned(),
    }
}

/// serde's `expected` text: a Rust type name, or words such as `a sequence`.
fn expected_words(expected: &str) -> String {
    match expected {
        "u8" | "u16" | "u32" | "u64" | "u128" | "usize" => "a whole number (0 or more)".to_owned(),
        "i8" | "i16" | "i32" | "i64" | "i128" | "isize" => "a whole number".to_owned(),
        "f32" | "f64" => "a number".to_owned(),
        "a boolean" => "true or false".to_owned(),
        "a borrowed string" | "a string" | "a character" => "a string".to_owned(),
        "a sequence" => "an array".to_owned(),
        "a map" => "an object".to_owned(),
        other if other.starts_with("struct ") => "an object".to_owned(),
        other if other.starts_with("enum ") => "one of the documented names".to_owned(),
        other if other.starts_with("tuple struct ") || other.starts_with("a tuple") => {
            "an array".to_owned()
        }
        other => other.to_owned(),
    }
}

/// serde's `Unexpected` text: ``integer `-120` `` reads `-120`, `map` reads `an object`.
fn found_words(found: &str) -> String {
    let quoted = |prefix: &str| {
        found
            .strip_prefix(prefix)
            .and_then(|rest| rest.strip_prefix('`'))
            .and_then(|rest| rest.strip_suffix('`'))
            .map(str::to_owned)
    };
    quoted("integer ")
        .or_else(|| quoted("floating point "))
        .or_else(|| quoted("boolean "))
        .or_else(|| {
            found
                .strip_prefix("string ")
                .map(|s| format!("the string {s}"))
        })
        .unwrap_or_else(|| match found {
            "map" => "an object".to_owned(),
            "sequence" => "an array".to_owned(),
            "unit value" => "null".to_owned(),
            other => other.to_owned(),
        })
}

#[cfg(test)]
mod tests {
    use super::plain;

    #[test]
    fn rust_type_names_become_json_words() {
        let cases = [
            (
                "invalid value: integer `-120`, expected u64",
                "expected a whole number (0 or more), found -120",
            ),
            (
                "invalid type: string \"5\", expected u64 at line 3 column 14",
                "expected a whole number (0 or more), found the string \"5\" at line 3 column 14",
            ),
            (
                "invalid type: floating point `1.5`, expected u32",
                "expected a whole number (0 or more), found 1.5",
            ),
            (
                "invalid type: map, expected a sequence",
                "expected an array, found an object",
            ),
            (
                "invalid type: sequence, expected struct DayFixture",
                "expected an object, found an array",
            ),
            (
                "invalid type: null, expected a string",
                "expected a string, found null",
            ),
            (
                "invalid type: integer `1`, expected a boolean",
                "expected true or false, found 1",
            ),
            ("missing field `date`", "missing field `date`"),
        ];
        for (serde, person) in cases {
            assert_eq!(plain(serde), person);
        }
    }
}
