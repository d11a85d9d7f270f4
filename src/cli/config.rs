//! `ftrun config set|show|unset APPID`: the console config FinClip's management console holds.

use super::CliError;
use super::args::ConfigCommand;
use super::common;
use crate::bgfetch::wire::check_url;
use crate::bgfetch::{ConsoleConfig, check_period};

fn show(app_id: &str, cfg: &ConsoleConfig, json: bool) {
    if json {
        let mut v = serde_json::to_value(cfg).unwrap_or_default();
        if let Some(o) = v.as_object_mut() {
            o.insert("appId".into(), app_id.into());
            o.insert("periodHours".into(), cfg.period_hours().into());
            o.insert(
                "wire".into(),
                serde_json::to_value(cfg.wire.unwrap_or_default()).unwrap_or_default(),
            );
        }
        println!("{v}");
        return;
    }
    let none = "(none)".to_string();
    println!("appId             {app_id}");
    println!(
        "preFetchUrl       {}",
        cfg.pre_fetch_url.as_ref().unwrap_or(&none)
    );
    println!(
        "periodicFetchUrl  {}",
        cfg.periodic_fetch_url.as_ref().unwrap_or(&none)
    );
    let hours = match cfg.period_hours {
        Some(0) => "0 (periodic updates off)".to_string(),
        Some(h) => h.to_string(),
        None => format!("{} (default)", cfg.period_hours()),
    };
    println!("periodHours       {hours}");
    let wire = serde_json::to_value(cfg.wire.unwrap_or_default()).unwrap_or_default();
    println!("wire              {}", wire.as_str().unwrap_or("finclip"));
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
            let store = common::store(data_dir)?;
            let mut cfg = store
                .config(&app_id)
                .map_err(|e| CliError::Failed(e.to_string()))?;
            if pre.is_some() {
                cfg.pre_fetch_url = pre;
            }
            if periodic.is_some() {
                cfg.periodic_fetch_url = periodic;
            }
            if period.is_some() {
                cfg.period_hours = period;
            }
            if wire.is_some() {
                cfg.wire = wire;
            }
            store
                .set_config(&app_id, &cfg)
                .map_err(|e| CliError::Failed(e.to_string()))?;
            show(&app_id, &cfg, false);
            Ok(0)
        }
        ConfigCommand::Show { app_id, json } => {
            let store = common::store(data_dir)?;
            let cfg = store
                .config(&app_id)
                .map_err(|e| CliError::Failed(e.to_string()))?;
            show(&app_id, &cfg, json);
            Ok(0)
        }
        ConfigCommand::Unset {
            app_id,
            prefetch_url,
            periodic_url,
            period,
            wire,
        } => {
            let store = common::store(data_dir)?;
            let mut cfg = store
                .config(&app_id)
                .map_err(|e| CliError::Failed(e.to_string()))?;
            if !(prefetch_url || periodic_url || period || wire) {
                cfg = ConsoleConfig::default();
            }
            if prefetch_url {
                cfg.pre_fetch_url = None;
            }
            if periodic_url {
                cfg.periodic_fetch_url = None;
            }
            if period {
                cfg.period_hours = None;
            }
            if wire {
                cfg.wire = None;
            }
            store
                .set_config(&app_id, &cfg)
                .map_err(|e| CliError::Failed(e.to_string()))?;
            show(&app_id, &cfg, false);
            Ok(0)
        }
    }
}
