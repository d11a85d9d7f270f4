//! `ftrun cache list|show|clear`: inspect and clear slots and tokens. Token values are never
//! printed, only whether one is set.

use super::CliError;
use super::args::CacheCommand;
use super::common;
use crate::bgfetch::FetchType;

fn when(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms)
        .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
        .unwrap_or_else(|| ms.to_string())
}

fn slot(s: &Option<crate::store::SlotSummary>) -> String {
    match s {
        Some(s) => format!("{} B @ {}", s.bytes, when(s.time_stamp)),
        None => "-".into(),
    }
}

pub fn run(cmd: CacheCommand, data_dir: Option<&std::path::Path>) -> Result<i32, CliError> {
    let store = common::store(data_dir)?;
    let failed = |e: crate::store::StoreError| CliError::Failed(e.to_string());
    match cmd {
        CacheCommand::List { json } => {
            let apps = store.apps().map_err(failed)?;
            if json {
                outln!("{}", serde_json::to_string(&apps).unwrap_or_default())?;
                return Ok(0);
            }
            if apps.is_empty() {
                outln!("no apps stored in {}", store_dir(data_dir))?;
                return Ok(0);
            }
            outln!(
                "{:<24} {:<32} {:<32} {:<6} LAST LAUNCH",
                "APPID",
                "PRE",
                "PERIODIC",
                "TOKEN"
            )?;
            for a in apps {
                outln!(
                    "{:<24} {:<32} {:<32} {:<6} {}",
                    a.app_id,
                    slot(&a.pre),
                    slot(&a.periodic),
                    if a.has_token { "set" } else { "-" },
                    a.state.last_launch.map(when).unwrap_or_else(|| "-".into())
                )?;
            }
            Ok(0)
        }
        CacheCommand::Show { app_id, kind, json } => {
            let kind: FetchType = kind.into();
            let Some(rec) = store.record(&app_id, kind).map_err(failed)? else {
                errln!("no {} record for {app_id}", kind.as_str());
                return Ok(1);
            };
            if json {
                let mut v = serde_json::json!({ "fetchType": kind.as_str() });
                if let (Some(o), Ok(serde_json::Value::Object(r))) =
                    (v.as_object_mut(), serde_json::to_value(&rec))
                {
                    o.extend(r);
                }
                outln!("{v}")?;
            } else {
                outln!("fetchType   {}", kind.as_str())?;
                outln!("timeStamp   {} ({})", rec.time_stamp, when(rec.time_stamp))?;
                outln!("path        {}", rec.path)?;
                outln!("query       {}", rec.query)?;
                outln!("scene       {}", rec.scene)?;
                outln!("fetchedData ({} bytes):", rec.fetched_data.len())?;
                outln!("{}", rec.fetched_data)?;
            }
            Ok(0)
        }
        CacheCommand::Clear { app_id } => {
            let n = store.clear(app_id.as_deref()).map_err(failed)?;
            match app_id {
                Some(a) if n == 0 => outln!("nothing stored for {a}")?,
                Some(a) => outln!("cleared records, token and launch state of {a}")?,
                None => outln!("cleared records, tokens and launch state of {n} app(s)")?,
            }
            Ok(0)
        }
    }
}

fn store_dir(flag: Option<&std::path::Path>) -> String {
    crate::store::resolve_data_dir(flag)
        .map(|d| d.display().to_string())
        .unwrap_or_default()
}
