//! clap definitions for every command.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(
    name = "ftrun",
    version,
    about = "Run WeChat/FinClip-style mini-program bundles headlessly, with background fetch",
    propagate_version = true
)]
pub struct Cli {
    /// More logging on stderr (-v info, -vv debug, -vvv trace). Tokens are never logged.
    #[arg(short, long, action = clap::ArgAction::Count, global = true)]
    pub verbose: u8,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Cold-start a bundle headlessly: App, the launch page, timers, until idle
    Run(RunArgs),
}

/// How the app is launched.
#[derive(Debug, Args, Clone)]
pub struct LaunchArgs {
    /// Launch page path (default: app.json's entryPagePath, else its first page)
    #[arg(long, value_name = "P")]
    pub path: Option<String>,
    /// Launch query string, as given (e.g. 'id=42&from=share')
    #[arg(long, value_name = "Q", default_value = "")]
    pub query: String,
    /// Launch scene number
    #[arg(long, value_name = "N", default_value_t = 1001)]
    pub scene: u32,
}

#[derive(Debug, Args)]
pub struct RunArgs {
    /// The bundle folder (holds app.json)
    pub bundle: PathBuf,
    #[command(flatten)]
    pub launch: LaunchArgs,
    /// appId (default: project.config.json's "appid")
    #[arg(long, value_name = "ID")]
    pub app_id: Option<String>,
    /// Stop after this many seconds (exit status 124)
    #[arg(long, value_name = "SECS", default_value = "30", value_parser = parse_secs)]
    pub timeout: std::time::Duration,
    /// JS heap limit, e.g. 256MiB, 1GiB, or a number of MiB
    #[arg(long, value_name = "SIZE", default_value = "256MiB", value_parser = parse_size)]
    pub max_memory: usize,
}

/// Seconds as a positive number (fractions allowed).
pub fn parse_secs(s: &str) -> Result<std::time::Duration, String> {
    let v: f64 = s
        .trim()
        .parse()
        .map_err(|_| format!("'{s}' is not a number of seconds"))?;
    if !(v > 0.0 && v.is_finite() && v <= 1e9) {
        return Err(format!("'{s}' must be a positive number of seconds"));
    }
    Ok(std::time::Duration::from_secs_f64(v))
}

/// A byte size: `512KiB`, `64MiB`, `1GiB`, `1G`, or a plain number of MiB.
pub fn parse_size(s: &str) -> Result<usize, String> {
    let t = s.trim();
    let split = t
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(t.len());
    let (num, unit) = t.split_at(split);
    let n: f64 = num
        .parse()
        .map_err(|_| format!("'{s}' is not a size (try 256MiB)"))?;
    let mult: f64 = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "m" | "mb" | "mib" => (1u64 << 20) as f64,
        "b" => 1.0,
        "k" | "kb" | "kib" => 1024.0,
        "g" | "gb" | "gib" => (1u64 << 30) as f64,
        _ => return Err(format!("'{s}': unknown size unit (use KiB, MiB or GiB)")),
    };
    let bytes = n * mult;
    if !(bytes >= (1u64 << 20) as f64 && bytes < (1u64 << 40) as f64) {
        return Err(format!("'{s}' must be between 1MiB and 1TiB"));
    }
    Ok(bytes as usize)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_and_seconds() {
        assert_eq!(parse_size("256MiB").unwrap(), 256 << 20);
        assert_eq!(parse_size("64").unwrap(), 64 << 20);
        assert_eq!(parse_size("1G").unwrap(), 1 << 30);
        assert!(parse_size("12 parsecs").is_err());
        assert!(parse_size("0").is_err());
        assert_eq!(parse_secs("0.5").unwrap().as_millis(), 500);
        assert!(parse_secs("-1").is_err());
        assert!(parse_secs("abc").is_err());
    }
}
