//! `ftrun config set|show|unset APPID`: the console config FinClip's management console holds.

use super::CliError;
use super::args::ConfigCommand;
use super::common;
use crate::bgfetch::wire::check_url;
use crate::bgfetch::{ConsoleConfig, check_period};

fn show(app_id: &str, cfg: &ConsoleConfig, json: bool) -> Result<(), CliError> {
    if json {
        // Every field, in the console's order, null when unset: a stable shape for scripts.
        let v = serde_json::json!({
            "appId": app_id,
            "preFetchUrl": cfg.pre_fetch_url,
            "periodicFetchUrl": cfg.periodic_fetch_url,
            "periodHours": cfg.period_hours(),
            "wire": cfg.wire.unwrap_or_default(),
        });
        return outln!("{v}");
    }
    let none = "(none)".to_string();
    outln!("appId             {app_id}")?;
    outln!(
        "preFetchUrl       {}",
        cfg.pre_fetch_url.as_ref().unwrap_or(&none)
    )?;
    outln!(
        "periodicFetchUrl  {}",
        cfg.periodic_fetch_url.as_ref().unwrap_or(&none)
    )?;
    let hours = match cfg.period_hours {
        Some(0) => "0 (periodic updates off)".to_string(),
        Some(h) => h.to_string(),
        None => format!("{} (default)", cfg.period_hours()),
    };
    outln!("periodHours       {hours}")?;
    let wire = serde_json::to_value(cfg.wire.unwrap_or_default()).unwrap_or_default();
    outln!("wire              {}", wire.as_str().unwrap_or("finclip"))
}

/// Lets `change` edit an app's config inside one write transaction (concurrent `config set`s
/// of other fields are kept), then shows the result.
fn update(
    data_dir: Option<&std::path::Path>,
    app_id: &str,
    change: impl FnOnce(&mut ConsoleConfig),
) -> Result<i32, CliError> {
    let store = common::store(data_dir)?;
    let cfg = store
        .update_config(app_id, change)
        .map_err(|e| CliError::Failed(e.to_string()))?;
    show(app_id, &cfg, false)?;
    Ok(0)
}

pub fn run(cmd: ConfigCommand, data_dir: Option<&std::path::Path>) -> Result<i32, CliError> {
    match cmd {
        ConfigCommand::Set {
            app_id,
            prefetch_url,
            periodic_url,
            period,
            wire,
        } => {
            if prefetch_url.is_none()
                && periodic_url.is_none()
                && period.is_none()
                && wire.is_none()
            {
                return Err(CliError::Invalid(
                    "config set: nothing to set (give --prefetch-url, --periodic-url, --period or --wire)".into(),
                ));
            }
            let check = |flag: &str, v: &Option<String>| -> Result<Option<String>, CliError> {
                v.as_deref()
                    .map(|u| {
                        check_url(flag, u)
                            .map(|_| u.trim().to_string())
                            .map_err(|e| CliError::Invalid(e.to_string()))
                    })
                    .transpose()
            };
            let pre = check("--prefetch-url", &prefetch_url)?;
            let periodic = check("--periodic-url", &periodic_url)?;
            let period = period
                .map(check_period)
                .transpose()
                .map_err(CliError::Invalid)?;
            update(data_dir, &app_id, |cfg| {
                cfg.pre_fetch_url = pre.or(cfg.pre_fetch_url.take());
                cfg.periodic_fetch_url = periodic.or(cfg.periodic_fetch_url.take());
                cfg.period_hours = period.or(cfg.period_hours);
                cfg.wire = wire.or(cfg.wire);
            })
        }
        ConfigCommand::Show { app_id, json } => {
            let store = common::store(data_dir)?;
            let cfg = store
                .config(&app_id)
                .map_err(|e| CliError::Failed(e.to_string()))?;
            show(&app_id, &cfg, json)?;
            Ok(0)
        }
        ConfigCommand::Unset {
            app_id,
            prefetch_url,
            periodic_url,
            period,
            wire,
        } => {
            let all = !(prefetch_url || periodic_url || period || wire);
            update(data_dir, &app_id, |cfg| {
                if all || prefetch_url {
                    cfg.pre_fetch_url = None;
                }
                if all || periodic_url {
                    cfg.periodic_fetch_url = None;
                }
                if all || period {
                    cfg.period_hours = None;
                }
                if all || wire {
                    cfg.wire = None;
                }
            })
        }
    }
}
