//! Campaign IDs: from the arguments, and from standard input where an argument is `-`.
//!
//! Every ID is checked with the model's rule before anything is sent, so one typo refuses the
//! whole command (exit status 2) instead of costing a request.

use std::io::BufRead;
use std::num::IntErrorKind;

use wa_stats_model::{CampaignStatisticsRequest, validate};

use crate::refusal::Refusal;

/// Reads the IDs in the order given, replacing `-` by the IDs on `stdin`: separated by
/// whitespace, commas or line breaks; blank lines, lines starting with `#` and a first line
/// `campaign_id` (the header of this tool's own CSV, `cut -d, -f1 out.csv | wa-stats campaign -`)
/// skipped.
pub(crate) fn collect(args: &[String], stdin: impl BufRead) -> Result<Vec<i64>, Refusal> {
    let mut stdin = Some(stdin);
    let mut ids = Vec::new();
    for (position, arg) in args.iter().enumerate() {
        if arg != "-" {
            ids.push(parse_id(arg, &format!("argument {}", position + 1))?);
            continue;
        }
        let Some(input) = stdin.take() else {
            return Err(Refusal::new(
                "`-` given twice: standard input can be read only once",
                "give `-` once",
            ));
        };
        let before = ids.len();
        for (number, line) in input.lines().enumerate() {
            let line = line.map_err(|error| Refusal {
                problem: format!("cannot read campaign IDs from standard input: {error}"),
                fix: None,
            })?;
            let line = line.trim();
            let header = number == 0 && line.eq_ignore_ascii_case(HEADER);
            if line.is_empty() || line.starts_with('#') || header {
                continue;
            }
            let place = format!("line {} of standard input", number + 1);
            for id in line
                .split(|c: char| c == ',' || c.is_whitespace())
                .filter(|part| !part.is_empty())
            {
                ids.push(parse_id(id, &place)?);
            }
        }
        if ids.len() == before {
            return Err(Refusal::new(
                "`-` given but standard input held no campaign ID",
                "pipe IDs into `wa-stats campaign -`, one per line or separated by spaces or commas",
            ));
        }
    }
    Ok(ids)
}

/// The first column's name in this tool's CSV, skipped as a header line on standard input.
const HEADER: &str = "campaign_id";

/// One ID, checked with the model's rule (R5 rule 1).
fn parse_id(text: &str, place: &str) -> Result<i64, Refusal> {
    let id = match text.parse::<i64>() {
        Ok(id) => id,
        Err(error) => {
            let problem = match error.kind() {
                IntErrorKind::PosOverflow | IntErrorKind::NegOverflow => {
                    format!(
                        "campaign ID `{text}` ({place}) is out of range: the largest is {}",
                        i64::MAX
                    )
                }
                _ => format!("campaign ID `{text}` ({place}) is not a whole number"),
            };
            return Err(Refusal::new(
                problem,
                "give campaign IDs as positive integers, e.g. `wa-stats campaign 12345`",
            ));
        }
    };
    match validate(&CampaignStatisticsRequest::new(id), i64::MAX) {
        Ok(_) => Ok(id),
        Err(error) => Err(Refusal::new(
            format!("campaign ID `{text}` ({place}): {error}"),
            "give campaign IDs as positive integers, e.g. `wa-stats campaign 12345`",
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(list: &[&str]) -> Vec<String> {
        list.iter().map(|&s| s.to_owned()).collect()
    }

    #[test]
    fn stdin_replaces_the_dash_in_place() {
        let ids = collect(&args(&["1", "-", "4"]), "2\n\n # note\n 3 \n".as_bytes()).unwrap();
        assert_eq!(ids, [1, 2, 3, 4]);
    }

    #[test]
    fn bad_ids_name_their_place() {
        let refusal = collect(&args(&["1", "x"]), &b""[..]).unwrap_err();
        assert!(refusal.problem.contains("`x` (argument 2)"), "{refusal}");
        let refusal = collect(&args(&["0"]), &b""[..]).unwrap_err();
        assert!(refusal.problem.contains("greater than 0"), "{refusal}");
        let refusal = collect(&args(&["-"]), &b"5\n-7\n"[..]).unwrap_err();
        assert!(
            refusal.problem.contains("line 2 of standard input"),
            "{refusal}"
        );
        assert!(collect(&args(&["-"]), &b"\n"[..]).is_err());
        assert!(collect(&args(&["-", "-"]), &b"1\n"[..]).is_err());
        let refusal = collect(&args(&["12345678901234567890"]), &b""[..]).unwrap_err();
        assert!(refusal.problem.contains("out of range"), "{refusal}");
    }

    #[test]
    fn stdin_takes_spaces_commas_and_our_csv_header() {
        let ids = collect(
            &args(&["-"]),
            "campaign_id\n12345 12346\n12347,12348\n 12349 , 12350\n".as_bytes(),
        )
        .unwrap();
        assert_eq!(ids, [12345, 12346, 12347, 12348, 12349, 12350]);
        // Only as the first line: anywhere else it is not an ID.
        let refusal = collect(&args(&["-"]), &b"1\ncampaign_id\n"[..]).unwrap_err();
        assert!(refusal.problem.contains("line 2"), "{refusal}");
        assert!(collect(&args(&["-"]), &b"1;2\n"[..]).is_err());
    }
}
