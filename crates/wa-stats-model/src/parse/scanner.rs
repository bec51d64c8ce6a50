//! A byte-for-byte port of the state machine in Go's `encoding/json/scanner.go`, so that syntax
//! errors carry Go's exact wording and are found where Go finds them.
//!
//! It is iterative (an explicit stack, Go's nesting limit of 10 000), so hostile nesting cannot
//! overflow our stack.

/// Go's `maxNestingDepth`.
const MAX_NESTING_DEPTH: usize = 10_000;

/// What went wrong while looking for the end of the first JSON value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum ScanError {
    /// Nothing but white space (Go: `io.EOF`).
    Eof,
    /// Input ended inside a value (Go: `io.ErrUnexpectedEOF`).
    UnexpectedEof,
    /// Go's `SyntaxError`: its message and the byte offset after the bad byte.
    Syntax { message: String, offset: usize },
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Container {
    ObjectKey,
    ObjectValue,
    ArrayValue,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum State {
    BeginValueOrEmpty,
    BeginValue,
    BeginStringOrEmpty,
    BeginString,
    EndValue,
    InString,
    InStringEsc,
    InStringEscU(u8),
    Neg,
    One,
    Zero,
    Dot,
    Dot0,
    E,
    ESign,
    E0,
    Literal { word: &'static [u8], next: usize },
}

enum Step {
    Continue,
    /// A container closed: if the stack is now empty, the value ends here (Go's decoder does not
    /// wait for the next byte after `}` or `]`).
    Closed,
    /// The top-level scalar ended just before this byte.
    End,
}

/// Go's `isSpace`.
pub(crate) const fn is_space(c: u8) -> bool {
    matches!(c, b' ' | b'\t' | b'\r' | b'\n')
}

/// Go's `quoteChar`: how a byte is shown inside `invalid character '…'`.
fn quote_char(c: u8) -> String {
    match c {
        b'\'' => r"'\''".to_owned(),
        b'"' => "'\"'".to_owned(),
        0x07 => r"'\a'".to_owned(),
        0x08 => r"'\b'".to_owned(),
        0x0c => r"'\f'".to_owned(),
        b'\n' => r"'\n'".to_owned(),
        b'\r' => r"'\r'".to_owned(),
        b'\t' => r"'\t'".to_owned(),
        0x0b => r"'\v'".to_owned(),
        b'\\' => r"'\\'".to_owned(),
        0x20..=0x7e => format!("'{}'", char::from(c)),
        // Go turns the byte into the rune of the same number; strconv.Quote escapes the
        // non-printable ones (controls, U+00A0, U+00AD) and keeps the rest of Latin-1.
        0x00..=0x1f | 0x7f => format!(r"'\x{c:02x}'"),
        0x80..=0xa0 | 0xad => format!(r"'\u{c:04x}'"),
        0xa1..=0xff => format!("'{}'", char::from(c)),
    }
}

/// Finds the end of the first JSON value in `input`, exactly as Go's `Decoder.readValue` does.
/// Returns the length of that value (leading white space included).
pub(crate) fn scan_first_value(input: &[u8]) -> Result<usize, ScanError> {
    scan(input, true)
}

/// [`scan_first_value`], with the bulk skipping of uneventful bytes on or off (tests compare).
pub(crate) fn scan(input: &[u8], bulk: bool) -> Result<usize, ScanError> {
    let mut stack: Vec<Container> = Vec::new();
    let mut state = State::BeginValue;
    let mut index = 0;
    while index < input.len() {
        // Bytes that leave the state as it is (plain string bytes, further digits) are stepped
        // over in bulk: this changes nothing but the speed.
        index += match state {
            _ if !bulk => 0,
            State::InString => input[index..]
                .iter()
                .take_while(|&&c| c >= 0x20 && c != b'"' && c != b'\\')
                .count(),
            State::One | State::Dot0 | State::E0 => input[index..]
                .iter()
                .take_while(|c| c.is_ascii_digit())
                .count(),
            _ => 0,
        };
        let Some(&c) = input.get(index) else {
            break;
        };
        let syntax = |context: &str| ScanError::Syntax {
            message: format!("invalid character {} {context}", quote_char(c)),
            offset: index + 1,
        };
        match step(&mut state, &mut stack, c).map_err(syntax)? {
            Step::Continue => {}
            Step::Closed if stack.is_empty() => return Ok(index + 1),
            Step::Closed => {}
            Step::End => return Ok(index),
        }
        index += 1;
    }
    // At the end of input Go feeds one space: a finished top-level number ends there.
    let mut at_eof = state;
    if matches!(step(&mut at_eof, &mut stack, b' '), Ok(Step::End)) {
        return Ok(input.len());
    }
    if input.iter().all(|&c| is_space(c)) {
        Err(ScanError::Eof)
    } else {
        Err(ScanError::UnexpectedEof)
    }
}

fn push(stack: &mut Vec<Container>, container: Container) -> Result<(), &'static str> {
    stack.push(container);
    if stack.len() <= MAX_NESTING_DEPTH {
        Ok(())
    } else {
        Err("exceeded max depth")
    }
}

/// One byte of Go's scanner. `Err` holds the context words of Go's message.
fn step(state: &mut State, stack: &mut Vec<Container>, c: u8) -> Result<Step, &'static str> {
    match *state {
        State::BeginValueOrEmpty => {
            if is_space(c) {
                return Ok(Step::Continue);
            }
            if c == b']' {
                return end_value(state, stack, c);
            }
            *state = State::BeginValue;
            step(state, stack, c)
        }
        State::BeginValue => {
            *state = match c {
                _ if is_space(c) => return Ok(Step::Continue),
                b'{' => {
                    push(stack, Container::ObjectKey)?;
                    State::BeginStringOrEmpty
                }
                b'[' => {
                    push(stack, Container::ArrayValue)?;
                    State::BeginValueOrEmpty
                }
                b'"' => State::InString,
                b'-' => State::Neg,
                b'0' => State::Zero,
                b'1'..=b'9' => State::One,
                b't' => State::Literal {
                    word: b"true",
                    next: 1,
                },
                b'f' => State::Literal {
                    word: b"false",
                    next: 1,
                },
                b'n' => State::Literal {
                    word: b"null",
                    next: 1,
                },
                _ => return Err("looking for beginning of value"),
            };
            Ok(Step::Continue)
        }
        State::BeginStringOrEmpty => {
            if is_space(c) {
                return Ok(Step::Continue);
            }
            if c == b'}' {
                if let Some(top) = stack.last_mut() {
                    *top = Container::ObjectValue;
                }
                return end_value(state, stack, c);
            }
            *state = State::BeginString;
            step(state, stack, c)
        }
        State::BeginString => match c {
            _ if is_space(c) => Ok(Step::Continue),
            b'"' => {
                *state = State::InString;
                Ok(Step::Continue)
            }
            _ => Err("looking for beginning of object key string"),
        },
        State::EndValue => end_value(state, stack, c),
        State::InString => {
            match c {
                b'"' => *state = State::EndValue,
                b'\\' => *state = State::InStringEsc,
                0x00..=0x1f => return Err("in string literal"),
                _ => {}
            }
            Ok(Step::Continue)
        }
        State::InStringEsc => match c {
            b'b' | b'f' | b'n' | b'r' | b't' | b'\\' | b'/' | b'"' => {
                *state = State::InString;
                Ok(Step::Continue)
            }
            b'u' => {
                *state = State::InStringEscU(0);
                Ok(Step::Continue)
            }
            _ => Err("in string escape code"),
        },
        State::InStringEscU(seen) => {
            if !c.is_ascii_hexdigit() {
                return Err("in \\u hexadecimal character escape");
            }
            *state = if seen == 3 {
                State::InString
            } else {
                State::InStringEscU(seen + 1)
            };
            Ok(Step::Continue)
        }
        State::Neg => {
            *state = match c {
                b'0' => State::Zero,
                b'1'..=b'9' => State::One,
                _ => return Err("in numeric literal"),
            };
            Ok(Step::Continue)
        }
        State::One if c.is_ascii_digit() => Ok(Step::Continue),
        State::One | State::Zero => match c {
            b'.' => {
                *state = State::Dot;
                Ok(Step::Continue)
            }
            b'e' | b'E' => {
                *state = State::E;
                Ok(Step::Continue)
            }
            _ => end_value(state, stack, c),
        },
        State::Dot => {
            if !c.is_ascii_digit() {
                return Err("after decimal point in numeric literal");
            }
            *state = State::Dot0;
            Ok(Step::Continue)
        }
        State::Dot0 => match c {
            b'0'..=b'9' => Ok(Step::Continue),
            b'e' | b'E' => {
                *state = State::E;
                Ok(Step::Continue)
            }
            _ => end_value(state, stack, c),
        },
        State::E if matches!(c, b'+' | b'-') => {
            *state = State::ESign;
            Ok(Step::Continue)
        }
        State::E | State::ESign => {
            if !c.is_ascii_digit() {
                return Err("in exponent of numeric literal");
            }
            *state = State::E0;
            Ok(Step::Continue)
        }
        State::E0 if c.is_ascii_digit() => Ok(Step::Continue),
        State::E0 => end_value(state, stack, c),
        State::Literal { word, next } => {
            if c != word[next] {
                return Err(literal_context(word, next));
            }
            *state = if next + 1 == word.len() {
                State::EndValue
            } else {
                State::Literal {
                    word,
                    next: next + 1,
                }
            };
            Ok(Step::Continue)
        }
    }
}

fn literal_context(word: &[u8], next: usize) -> &'static str {
    match (word, next) {
        (b"true", 1) => "in literal true (expecting 'r')",
        (b"true", 2) => "in literal true (expecting 'u')",
        (b"true", _) => "in literal true (expecting 'e')",
        (b"false", 1) => "in literal false (expecting 'a')",
        (b"false", 2) => "in literal false (expecting 'l')",
        (b"false", 3) => "in literal false (expecting 's')",
        (b"false", _) => "in literal false (expecting 'e')",
        (_, 1) => "in literal null (expecting 'u')",
        (_, _) => "in literal null (expecting 'l')",
    }
}

/// Go's `stateEndValue`: what may follow a complete value.
fn end_value(state: &mut State, stack: &mut Vec<Container>, c: u8) -> Result<Step, &'static str> {
    *state = State::EndValue;
    let Some(&top) = stack.last() else {
        // stateEndTop: Go complains about a non-space byte only on a *later* call, which the
        // decoder never makes, so whatever follows a top-level scalar is ignored.
        return Ok(Step::End);
    };
    if is_space(c) {
        return Ok(Step::Continue);
    }
    match (top, c) {
        (Container::ObjectKey, b':') => {
            replace_top(stack, Container::ObjectValue);
            *state = State::BeginValue;
            Ok(Step::Continue)
        }
        (Container::ObjectKey, _) => Err("after object key"),
        (Container::ObjectValue, b',') => {
            replace_top(stack, Container::ObjectKey);
            *state = State::BeginString;
            Ok(Step::Continue)
        }
        (Container::ObjectValue, b'}') | (Container::ArrayValue, b']') => {
            stack.pop();
            Ok(Step::Closed)
        }
        (Container::ObjectValue, _) => Err("after object key:value pair"),
        (Container::ArrayValue, b',') => {
            *state = State::BeginValue;
            Ok(Step::Continue)
        }
        (Container::ArrayValue, _) => Err("after array element"),
    }
}

fn replace_top(stack: &mut [Container], container: Container) {
    if let Some(top) = stack.last_mut() {
        *top = container;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn syntax(input: &str) -> String {
        match scan_first_value(input.as_bytes()) {
            Err(ScanError::Syntax { message, .. }) => message,
            other => panic!("expected a syntax error for {input:?}, got {other:?}"),
        }
    }

    #[test]
    fn messages_match_go() {
        assert_eq!(
            syntax("x"),
            "invalid character 'x' looking for beginning of value"
        );
        assert_eq!(
            syntax("{x"),
            "invalid character 'x' looking for beginning of object key string"
        );
        assert_eq!(
            syntax(r#"{"a" 1"#),
            "invalid character '1' after object key"
        );
        assert_eq!(
            syntax(r#"{"a":1 2"#),
            "invalid character '2' after object key:value pair"
        );
        assert_eq!(syntax("[1 2"), "invalid character '2' after array element");
        assert_eq!(
            syntax("\"\n\""),
            r"invalid character '\n' in string literal"
        );
        assert_eq!(
            syntax(r#""\x""#),
            "invalid character 'x' in string escape code"
        );
        assert_eq!(
            syntax(r#""\u12g""#),
            r"invalid character 'g' in \u hexadecimal character escape"
        );
        assert_eq!(syntax("-x"), "invalid character 'x' in numeric literal");
        assert_eq!(
            syntax("1.x"),
            "invalid character 'x' after decimal point in numeric literal"
        );
        assert_eq!(
            syntax("1ex"),
            "invalid character 'x' in exponent of numeric literal"
        );
        assert_eq!(
            syntax("tx"),
            "invalid character 'x' in literal true (expecting 'r')"
        );
        assert_eq!(
            syntax("nul1"),
            "invalid character '1' in literal null (expecting 'l')"
        );
        assert_eq!(
            syntax("{\"a\":01}"),
            "invalid character '1' after object key:value pair"
        );
        assert_eq!(
            syntax("'"),
            r"invalid character '\'' looking for beginning of value"
        );
        assert_eq!(
            syntax("\u{ff}"),
            r"invalid character 'Ã' looking for beginning of value"
        );
        assert_eq!(
            syntax("\x01"),
            r"invalid character '\x01' looking for beginning of value"
        );
    }

    #[test]
    fn end_of_input() {
        assert_eq!(scan_first_value(b""), Err(ScanError::Eof));
        assert_eq!(scan_first_value(b" \n\t"), Err(ScanError::Eof));
        assert_eq!(scan_first_value(b"{"), Err(ScanError::UnexpectedEof));
        assert_eq!(scan_first_value(b"-"), Err(ScanError::UnexpectedEof));
        assert_eq!(scan_first_value(b"12"), Ok(2));
        assert_eq!(scan_first_value(b" {} junk"), Ok(3));
        assert_eq!(scan_first_value(b"12x"), Ok(2));
    }

    #[test]
    fn nesting_limit_is_gos() {
        let ok = "[".repeat(MAX_NESTING_DEPTH) + &"]".repeat(MAX_NESTING_DEPTH);
        assert_eq!(scan_first_value(ok.as_bytes()), Ok(ok.len()));
        let deep = "[".repeat(MAX_NESTING_DEPTH + 1);
        assert_eq!(
            syntax(&deep),
            "invalid character '[' exceeded max depth",
            "Go's limit is {MAX_NESTING_DEPTH}"
        );
    }
}
