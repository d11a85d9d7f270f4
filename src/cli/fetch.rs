//! `ftrun fetch BUNDLE --type pre|periodic`: one request now, whatever the schedule (the IDE's
//! "Data Prefetching" / "Fetch Periodic Data" debug actions).

use super::CliError;
use super::args::FetchArgs;
use super::common;
use super::run::launch_for;
use crate::bgfetch::FetchType;
use crate::bgfetch::service::{Attempt, NO_TOKEN, blocking, fetch_and_store, stderr_warnings};
use crate::bgfetch::wire::{check_url, display_url};
use crate::bundle::{Project, parse_app_config};
use crate::engine::Launch;

pub fn run(args: FetchArgs, data_dir: Option<&std::path::Path>) -> Result<i32, CliError> {
    let kind: FetchType = args.kind.into();
    let pre_flag = common::url_flag("--prefetch-url", args.overrides.prefetch_url.as_deref())?;
    let periodic_flag = common::url_flag("--periodic-url", args.overrides.periodic_url.as_deref())?;
    let project = Project::open(&args.bundle)?;
    let files = project.files.clone();
    let app_id = project.app_id(args.app_id.as_deref())?;
    if let Some(note) = app_id.notice() {
        errln!("{note}");
    }
    let app_id = app_id.id;
    let launch = match kind {
        FetchType::Pre => launch_for(&parse_app_config(&files)?, &args.launch)?,
        FetchType::Periodic => Launch {
            path: String::new(),
            query: String::new(),
            scene: 0,
        },
    };
    let services = common::services(data_dir, &args.net, stderr_warnings())?;
    let io = common::io_runtime(1)?;
    io.block_on(async {
        let (s, app) = (services.clone(), app_id.clone());
        let (cfg, token) = blocking(move || {
            let store = s.store()?;
            Ok((
                store.config(&app).map_err(|e| e.to_string())?,
                store.token(&app).map_err(|e| e.to_string())?,
            ))
        })
        .await
        .map_err(CliError::Failed)?;
        let flag = match kind {
            FetchType::Pre => pre_flag,
            FetchType::Periodic => periodic_flag,
        };
        let url = match flag {
            Some(u) => u,
            None => match cfg.url(kind) {
                Some(raw) => check_url(
                    &format!("configured {} URL of {app_id}", kind.url_kind()),
                    raw,
                )
                .map_err(|e| CliError::Invalid(e.to_string()))?,
                None => {
                    errln!(
                        "warning: no {} URL configured for {app_id}",
                        kind.url_kind()
                    );
                    return Ok(1);
                }
            },
        };
        if kind == FetchType::Periodic && token.is_none() {
            errln!("warning: periodic fetch for {app_id} not sent: {NO_TOKEN}");
            return Ok(1);
        }
        let attempt = Attempt {
            app_id: app_id.clone(),
            kind,
            url,
            token,
            app_version: args.overrides.app_version.clone(),
            launch,
            wire: args.overrides.wire.or(cfg.wire).unwrap_or_default(),
        };
        match fetch_and_store(&services, &attempt).await {
            Ok(record) => {
                if args.json {
                    let out = serde_json::json!({
                        "ok": true, "appId": app_id, "fetchType": kind.as_str(),
                        "url": display_url(&attempt.url), "record": record,
                    });
                    outln!("{out}")?;
                } else {
                    outln!(
                        "{} fetch for {app_id} from {}: stored {} bytes (timeStamp {})",
                        kind.as_str(),
                        display_url(&attempt.url),
                        record.fetched_data.len(),
                        record.time_stamp
                    )?;
                }
                Ok(0)
            }
            Err(e) => {
                errln!("{}", attempt.failure_line(&e));
                if args.json {
                    let out = serde_json::json!({
                        "ok": false, "appId": app_id, "fetchType": kind.as_str(),
                        "url": display_url(&attempt.url), "error": e.to_string(),
                    });
                    outln!("{out}")?;
                }
                Ok(1)
            }
        }
    })
}
