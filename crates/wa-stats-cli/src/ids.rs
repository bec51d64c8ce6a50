//! Campaign IDs: from the arguments, and from standard input where an argument is `-`.
//!
//! Every ID is checked with the model's rule before anything is sent, so one typo refuses the
//! whole command (exit status 2) instead of costing a request.

use std::io::BufRead;

use wa_stats_model::{CampaignStatisticsRequest, validate};

use crate::refusal::Refusal;

/// Reads the IDs in the order given, replacing `-` by the lines of `stdin` (blank lines and lines
/// starting with `#` skipped, surrounding spaces ignored).
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
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            ids.push(parse_id(
                line,
                &format!("line {} of standard input", number + 1),
            )?);
        }
        if ids.len() == before {
            return Err(Refusal::new(
                "`-` given but standard input held no campaign ID",
                "pipe one ID per line into `wa-stats campaign -`",
            ));
        }
    }
    Ok(ids)
}

/// One ID, checked with the model's rule (R5 rule 1).
fn parse_id(text: &str, place: &str) -> Result<i64, Refusal> {
    let Ok(id) = text.parse::<i64>() else {
        return Err(Refusal::new(
            format!("campaign ID `{text}` ({place}) is not a whole number"),
            "give campaign IDs as positive integers, e.g. `wa-stats campaign 12345`",
        ));
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
    }
}
