//! Cases where Go's decoder has a behaviour worth pinning one by one.

use super::*;

fn text(body: &str) -> String {
    parse_request(body.as_bytes()).unwrap_err().to_string()
}

fn ok(body: &str) -> CampaignStatisticsRequest {
    parse_request(body.as_bytes()).unwrap()
}

const FIELD: &str = "Go struct field CampaignStatisticsRequest";

#[test]
fn integer_limits() {
    assert_eq!(integer(b"-9223372036854775808"), Some(i64::MIN));
    assert_eq!(integer(b"9223372036854775807"), Some(i64::MAX));
    assert_eq!(integer(b"9223372036854775808"), None);
    assert_eq!(integer(b"-"), None);
}

#[test]
fn documented_sample_parses() {
    let request = ok(r#"{
      "campaign_id": 12345
    }"#);
    assert_eq!(request, CampaignStatisticsRequest::new(12345));
}

#[test]
fn end_of_input_texts() {
    assert_eq!(text(""), "EOF");
    assert_eq!(text("  \r\n"), "EOF");
    assert_eq!(text(r#"{"campaign_id": 1"#), "unexpected EOF");
    assert_eq!(text(r#"{"campaign_id"#), "unexpected EOF");
}

#[test]
fn wrong_types_name_the_field() {
    for (value, kind) in [
        (r#""12345""#, "string"),
        ("true", "bool"),
        ("[1]", "array"),
        ("{}", "object"),
        ("1.5", "number 1.5"),
        ("1e3", "number 1e3"),
        ("-0.0", "number -0.0"),
        ("9223372036854775808", "number 9223372036854775808"),
    ] {
        assert_eq!(
            text(&format!(r#"{{"campaign_id": {value}}}"#)),
            format!("json: cannot unmarshal {kind} into {FIELD}.campaign_id of type int64"),
        );
    }
    assert_eq!(
        text(r#"{"end_time": "x"}"#),
        format!("json: cannot unmarshal string into {FIELD}.end_time of type int64")
    );
}

#[test]
fn top_level_must_be_an_object() {
    for (body, kind) in [
        ("[]", "array"),
        ("\"x\"", "string"),
        ("12", "number"),
        ("false", "bool"),
    ] {
        assert_eq!(
            text(body),
            format!(
                "json: cannot unmarshal {kind} into Go value of type CampaignStatisticsRequest"
            )
        );
    }
    assert_eq!(
        ok("null"),
        CampaignStatisticsRequest::new(0),
        "null decodes to the zero struct"
    );
}

#[test]
fn first_type_error_wins_but_syntax_errors_win_over_all() {
    assert_eq!(
        text(r#"{"start_time": true, "campaign_id": "x"}"#),
        format!("json: cannot unmarshal bool into {FIELD}.start_time of type int64")
    );
    assert_eq!(
        text(r#"{"campaign_id": "x", "start_time": tru}"#),
        "invalid character '}' in literal true (expecting 'e')"
    );
}

#[test]
fn null_is_absent_and_keeps_an_earlier_value() {
    assert_eq!(
        ok(r#"{"campaign_id": 7, "start_time": null}"#).start_time,
        None
    );
    assert_eq!(
        ok(r#"{"campaign_id": 7, "campaign_id": null}"#).campaign_id,
        7
    );
    assert_eq!(ok(r#"{"campaign_id": 7, "campaign_id": 8}"#).campaign_id, 8);
}

#[test]
fn keys_match_case_insensitively_like_go() {
    assert_eq!(ok(r#"{"Campaign_ID": 5}"#).campaign_id, 5);
    assert_eq!(ok(r#"{"\u0063ampaign_id": 6}"#).campaign_id, 6);
    assert_eq!(
        ok("{\"\u{17f}tart_time\": 1600000000, \"campaign_id\": 1}").start_time,
        Some(1_600_000_000)
    );
    assert_eq!(ok(r#"{"campaignid": 5}"#).campaign_id, 0);
}

#[test]
fn unknown_fields_are_skipped_whatever_they_hold() {
    let request = ok(r#"{"a": {"b": [1, {"c": "}"}], "d": "\"]"}, "campaign_id": -4, "e": 1.5e9}"#);
    assert_eq!(request.campaign_id, -4);
}

#[test]
fn bytes_after_the_first_value_are_never_read() {
    assert_eq!(ok(r#"{"campaign_id": 1} trailing {"#).campaign_id, 1);
}

#[test]
fn oversized_body_is_refused_before_reading() {
    let mut body = br#"{"campaign_id": 1, "pad": ""#.to_vec();
    body.resize(MAX_REQUEST_BODY_BYTES, b'x');
    body.extend_from_slice(b"\"}");
    assert_eq!(parse_request(&body), Err(ParseError::BodyTooLarge));
    assert_eq!(
        ParseError::BodyTooLarge.to_string(),
        "http: request body too large"
    );
}

#[test]
fn zero_and_negative_values_parse_for_validation_to_judge() {
    let request = ok(r#"{"campaign_id": 0, "start_time": 0, "end_time": -1}"#);
    assert_eq!(
        (request.campaign_id, request.start_time, request.end_time),
        (0, Some(0), Some(-1))
    );
}

use proptest::prelude::Strategy as _;

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(2048))]

    /// `integer` is the standard library's `i64` parse on every literal the scanner lets through.
    #[test]
    fn integer_literals_parse_like_the_standard_library(
        literal in proptest::prop_oneof![
            "-?(0|[1-9][0-9]{0,20})(\\.[0-9]{1,3})?([eE][+-]?[0-9]{1,3})?",
            proptest::prelude::any::<i64>().prop_map(|n| n.to_string()),
            proptest::prelude::any::<i128>().prop_map(|n| n.to_string()),
        ]
    ) {
        proptest::prop_assert_eq!(integer(literal.as_bytes()), literal.parse::<i64>().ok());
    }

    /// The scanner's bulk skipping is only speed: byte by byte it finds the same end and errors.
    #[test]
    fn bulk_scanning_equals_byte_by_byte(
        body in proptest::prop_oneof![
            r#"[ {}\[\]":,0-9a-z_.eE+\-\\\u{0}-\u{1f}é]{0,64}"#,
            r#"\{"[a-z_\\"é]{0,12}": ?-?[0-9]{0,20}(\.[0-9]{0,4})?([eE][+-]?[0-9]{0,3})?[,} ]{0,2}"#,
        ]
    ) {
        let bytes = body.as_bytes();
        proptest::prop_assert_eq!(scanner::scan(bytes, true), scanner::scan(bytes, false));
    }
}

/// Bodies the fast path must take, with what they hold.
#[test]
fn fast_path_takes_typical_bodies() {
    for (body, expected) in [
        (
            r#"{"campaign_id":1000001,"start_time":1654041600,"end_time":1654128000}"#,
            (1_000_001, Some(1_654_041_600), Some(1_654_128_000)),
        ),
        ("{\n  \"campaign_id\": 12345\n}", (12345, None, None)),
        (
            "\r\n\t{ \"Campaign_ID\" : -7 ,\t\"END_TIME\":null , \"x\": 99999999999999999999 } junk",
            (-7, None, None),
        ),
        (
            r#"{"campaign_id": 1, "CAMPAIGN_ID": 2, "campaign_id": null, "start_time": -0}"#,
            (2, Some(0), None),
        ),
        (
            r#"{"campaign_id":9223372036854775807,"end_time":-9223372036854775808}"#,
            (i64::MAX, None, Some(i64::MIN)),
        ),
        ("{}", (0, None, None)),
    ] {
        let request = fast::plain_object(body.as_bytes())
            .unwrap_or_else(|| panic!("fast path refused {body:?}"));
        assert_eq!(
            (request.campaign_id, request.start_time, request.end_time),
            expected,
            "{body:?}"
        );
        assert_eq!(Ok(request), parse_request_full(body.as_bytes()), "{body:?}");
    }
}

/// Bodies the fast path must leave to the full path (errors, escapes, other kinds of value).
#[test]
fn fast_path_leaves_the_rest() {
    for body in [
        r#"{"campaign_id":01}"#,
        r#"{"campaign_id":1,}"#,
        r#"{"campaign_id":"1"}"#,
        r#"{"campaign_id":9223372036854775808}"#,
        r#"{"campaign_id":-9223372036854775809}"#,
        r#"{"campaign\u005fid":1}"#,
        r#"{"campaign_id":1"#,
        r#"{"campaign_id":1.5}"#,
        r#"{"campaign_id":1e3}"#,
        r#"{"campaign_id":-}"#,
        r#"{"campaign_id":+1}"#,
        r#"{"campaign_id":nullx}"#,
        r#"{"campaign_id" 1}"#,
        r#"{"campaign_id":1 "start_time":2}"#,
        r#"{"x":true,"campaign_id":1}"#,
        r#"{"x":{},"campaign_id":1}"#,
        "{\"\u{17f}tart_time\":1}",
        "{\"a\tb\":1}",
        "\u{feff}{}",
        "null",
        "[]",
        "",
        "{",
    ] {
        assert_eq!(fast::plain_object(body.as_bytes()), None, "{body:?}");
    }
}

/// Bodies built mostly in the fast path's shape, with its edges and the ways out of it.
fn request_like_body() -> impl proptest::prelude::Strategy<Value = Vec<u8>> {
    use proptest::prelude::{Just, any, prop_oneof};
    use proptest::sample::select;
    let space = || {
        prop_oneof![
            4 => Just(""),
            1 => select(vec![" ", "\t", "\r", "\n", "\r\n  ", " \t"]),
        ]
    };
    let key = prop_oneof![
        6 => select(vec!["campaign_id", "start_time", "end_time"]).prop_map(str::to_owned),
        2 => select(vec!["CAMPAIGN_ID", "Campaign_Id", "START_time", "End_Time", "campaign_iD"])
            .prop_map(str::to_owned),
        2 => select(vec!["x", "", "campaignid", "campaign_id ", "a b", "~!", "end_times"])
            .prop_map(str::to_owned),
        1 => select(vec![
            r"campaign\u005fid",
            r"\u0063ampaign_id",
            r"campaign\_id",
            r#"a\"b"#,
            "\u{17f}tart_time",
            "campaign_\u{212a}",
            "é",
            "a\tb",
            "a\"b",
        ])
        .prop_map(str::to_owned),
        1 => "[ -~]{0,12}",
    ];
    let value = prop_oneof![
        4 => any::<i64>().prop_map(|n| n.to_string()),
        1 => any::<i128>().prop_map(|n| n.to_string()),
        1 => select(vec!["0", "-0", "1654041600"]).prop_map(str::to_owned),
        2 => select(vec![
            "9223372036854775807",
            "-9223372036854775808",
            "9223372036854775808",
            "-9223372036854775809",
            "01",
            "-01",
            "00",
            "1.5",
            "1e3",
            "1E400",
            "-",
            "+1",
            "-a",
        ])
        .prop_map(str::to_owned),
        2 => Just("null".to_owned()),
        1 => select(vec!["nul", "nullx", "\"1\"", "\"\"", "true", "false", "{}", "[]", "[1]", r#"{"a":1}"#])
            .prop_map(str::to_owned),
    ];
    let colon = prop_oneof![12 => Just(":"), 1 => select(vec!["", "::", ","])];
    let comma = prop_oneof![12 => Just(","), 1 => select(vec!["", ",,", ":"])];
    let member = (space(), key, space(), colon, space(), value, space(), comma);
    let open = prop_oneof![12 => Just("{"), 1 => select(vec!["", "[", "null", "\u{feff}{", "{{"])];
    let close = prop_oneof![
        12 => Just("}"),
        1 => select(vec!["", ",}", "]", "}}"]),
    ];
    let junk = prop_oneof![
        4 => Just(""),
        1 => select(vec![" ", "x", "{", "}", "\n{\"campaign_id\":2}", "\u{0}", ",1"]),
    ];
    let cut = proptest::option::weighted(0.1, any::<proptest::sample::Index>());
    (
        space(),
        open,
        proptest::collection::vec(member, 0..=5),
        space(),
        close,
        junk,
        cut,
    )
        .prop_map(|(lead, open, members, before_close, close, junk, cut)| {
            let mut body = format!("{lead}{open}");
            let count = members.len();
            for (i, (s1, key, s2, colon, s3, value, s4, comma)) in members.into_iter().enumerate() {
                body.push_str(&format!("{s1}\"{key}\"{s2}{colon}{s3}{value}{s4}"));
                if i + 1 < count {
                    body.push_str(comma);
                }
            }
            body.push_str(&format!("{before_close}{close}{junk}"));
            let mut bytes = body.into_bytes();
            if let Some(cut) = cut {
                bytes.truncate(cut.index(bytes.len() + 1));
            }
            bytes
        })
}

/// The generator is only worth as much as the share of bodies the fast path takes.
#[test]
fn request_like_bodies_often_take_the_fast_path() {
    let mut runner = proptest::test_runner::TestRunner::deterministic();
    let strategy = request_like_body();
    let taken = (0..1000)
        .filter(|_| {
            let body = strategy
                .new_tree(&mut runner)
                .map(|tree| proptest::strategy::ValueTree::current(&tree))
                .unwrap_or_default();
            fast::plain_object(&body).is_some()
        })
        .count();
    assert!(
        (250..=900).contains(&taken),
        "fast path took {taken} of 1000"
    );
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(8192))]

    /// The fast path either declines or gives exactly what the full path gives.
    #[test]
    fn fast_path_agrees_with_the_full_path(body in request_like_body()) {
        if let Some(request) = fast::plain_object(&body) {
            proptest::prop_assert_eq!(Ok(request), parse_request_full(&body));
        }
        proptest::prop_assert_eq!(parse_request(&body), parse_request_full(&body));
    }
}
