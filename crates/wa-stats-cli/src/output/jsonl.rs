//! `--format json`: JSON Lines, one object per campaign, for `jq` and pipelines.
//!
//! `{"campaign_id":N,"statistics":{…}}` with the statistics exactly as the model writes the wire
//! format (camelCase, unknown fields kept), or
//! `{"campaign_id":N,"error":{"kind":…,"status":S,"code":…,"message":…}}` with `status` and
//! `code` only when the server gave them.

use std::io::{self, Write};

use serde::Serialize;
use wa_stats_client::CampaignStatistics;

use super::{Failure, Outcome, Render};

/// The JSON Lines renderer.
pub(crate) struct JsonLines;

/// A success line. Field order is declaration order.
#[derive(Serialize)]
struct Fetched<'a> {
    campaign_id: i64,
    statistics: &'a CampaignStatistics,
}

/// A failure line.
#[derive(Serialize)]
struct Failed<'a> {
    campaign_id: i64,
    error: ErrorObject<'a>,
}

#[derive(Serialize)]
struct ErrorObject<'a> {
    kind: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    status: Option<u16>,
    #[serde(skip_serializing_if = "Option::is_none")]
    code: Option<&'a str>,
    message: String,
}

impl Render for JsonLines {
    fn begin(&mut self, _out: &mut dyn Write) -> io::Result<()> {
        Ok(())
    }

    fn campaign(
        &mut self,
        out: &mut dyn Write,
        campaign_id: i64,
        outcome: &Outcome,
    ) -> io::Result<()> {
        match outcome {
            Ok(statistics) => serde_json::to_writer(
                &mut *out,
                &Fetched {
                    campaign_id,
                    statistics,
                },
            )?,
            Err(error) => {
                let failure = Failure::of(error);
                serde_json::to_writer(
                    &mut *out,
                    &Failed {
                        campaign_id,
                        error: ErrorObject {
                            kind: failure.kind,
                            status: failure.status,
                            code: failure.code,
                            message: failure.message,
                        },
                    },
                )?;
            }
        }
        out.write_all(b"\n")
    }
}
