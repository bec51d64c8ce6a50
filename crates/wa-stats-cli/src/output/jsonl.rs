//! `--format json`: JSON Lines, one object per campaign, for `jq` and pipelines.
//!
//! `{"campaign_id":N,"statistics":{…}}` (under `--by`, one line per bucket with `bucket_start`,
//! `bucket_end` in RFC 3339 and `start_time`, `end_time` in the Unix seconds sent, after
//! `campaign_id`) with the statistics exactly as the model writes the wire
//! format (camelCase, unknown fields kept), or
//! `{"campaign_id":N,"error":{"kind":…,"status":S,"code":…,"message":…}}` with `status` and
//! `code` only when the server gave them.

use std::io::{self, Write};

use serde::Serialize;
use wa_stats_model::CampaignStatistics;

use super::{Failure, Render};
use crate::fetch::Results;
use crate::series::Bucket;

/// The JSON Lines renderer.
pub(crate) struct JsonLines;

/// A success line. Field order is declaration order.
#[derive(Serialize)]
struct Fetched<'a> {
    campaign_id: i64,
    #[serde(flatten, skip_serializing_if = "Option::is_none")]
    bucket: Option<BucketFields>,
    statistics: &'a CampaignStatistics,
}

/// A failure line.
#[derive(Serialize)]
struct Failed<'a> {
    campaign_id: i64,
    #[serde(flatten, skip_serializing_if = "Option::is_none")]
    bucket: Option<BucketFields>,
    error: ErrorObject<'a>,
}

/// A bucket's edges, as read and as sent.
#[derive(Serialize)]
struct BucketFields {
    bucket_start: String,
    bucket_end: String,
    start_time: i64,
    end_time: i64,
}

impl From<Bucket> for BucketFields {
    fn from(bucket: Bucket) -> Self {
        Self {
            bucket_start: bucket.start_text(),
            bucket_end: bucket.end_text(),
            start_time: bucket.start,
            end_time: bucket.end,
        }
    }
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
        results: &Results,
    ) -> io::Result<()> {
        for (bucket, outcome) in results {
            let bucket = bucket.map(BucketFields::from);
            let line = match outcome {
                Ok(statistics) => serde_json::to_string(&Fetched {
                    campaign_id,
                    bucket,
                    statistics,
                }),
                Err(error) => {
                    let failure = Failure::of(error);
                    serde_json::to_string(&Failed {
                        campaign_id,
                        bucket,
                        error: ErrorObject {
                            kind: failure.kind,
                            status: failure.status,
                            code: failure.code,
                            message: failure.message,
                        },
                    })
                }
            }?;
            out.write_all(crate::escape::json_line(&line).as_bytes())?;
            out.write_all(b"\n")?;
        }
        Ok(())
    }
}
