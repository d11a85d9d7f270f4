//! The developer tool's project around a bundle: `project.config.json`, overridden key by key
//! by `project.private.config.json` as the devtools do, whose `miniprogramRoot` says which
//! folder holds the code (`app.json`). The appId comes from it, or from `--app-id`; a bundle
//! with no project file runs under a default appId named once on stderr.

use std::path::{Path, PathBuf};

use serde_json::Value;

use super::{BundleError, BundleFiles, check_app_id, normalize};

pub struct Project {
    /// The code: the project dir, or its `miniprogramRoot`.
    pub files: BundleFiles,
    /// The merged project config; `None` when there is no `project.config.json`.
    pub config: Option<Value>,
    /// The folder the project config was read from (or the bundle's, when there is none).
    pub dir: PathBuf,
}

/// The appId a run uses, and whether it is the default (no project file, no `--app-id`).
#[derive(Debug, Clone, PartialEq)]
pub struct AppId {
    pub id: String,
    pub defaulted: bool,
}

impl AppId {
    /// The notice to print once when the appId is the default.
    pub fn notice(&self) -> Option<String> {
        self.defaulted.then(|| {
            format!(
                "note: no project.config.json: running as appId '{}' (pass --app-id to choose one)",
                self.id
            )
        })
    }
}

fn read_json(path: &Path, name: &str) -> Result<Option<Value>, BundleError> {
    match std::fs::read_to_string(path) {
        Ok(text) => serde_json::from_str(text.trim_start_matches('\u{feff}'))
            .map(Some)
            .map_err(|e| BundleError::InvalidJson {
                file: name.to_string(),
                reason: e.to_string(),
            }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(BundleError::Io {
            path: name.to_string(),
            reason: super::io_reason(&e),
        }),
    }
}

/// `private` over `base`, one level deep for objects (`setting` is merged key by key).
fn merge(base: &mut Value, private: Value) {
    let (Some(b), Value::Object(p)) = (base.as_object_mut(), private) else {
        return;
    };
    for (k, v) in p {
        match (b.get_mut(&k), v) {
            (Some(Value::Object(bo)), Value::Object(po)) => bo.extend(po),
            (_, v) => {
                b.insert(k, v);
            }
        }
    }
}

fn project_config(dir: &Path) -> Result<Option<Value>, BundleError> {
    let Some(mut config) = read_json(&dir.join("project.config.json"), "project.config.json")?
    else {
        return Ok(None);
    };
    if let Some(private) = read_json(
        &dir.join("project.private.config.json"),
        "project.private.config.json",
    )? {
        merge(&mut config, private);
    }
    Ok(Some(config))
}

fn miniprogram_root(config: &Value) -> Result<Option<String>, BundleError> {
    let Some(root) = config.get("miniprogramRoot").and_then(Value::as_str) else {
        return Ok(None);
    };
    let norm = normalize(root).ok_or_else(|| BundleError::Invalid {
        file: "project.config.json".into(),
        problem: format!("\"miniprogramRoot\" '{root}' leads outside the project"),
    })?;
    Ok((!norm.is_empty()).then_some(norm))
}

impl Project {
    /// The project at `dir`: a folder with `project.config.json` (the code in its
    /// `miniprogramRoot`, if any), or the code folder itself (then its parent's project file is
    /// used when that names this folder as its `miniprogramRoot`).
    pub fn open(dir: &Path) -> Result<Project, BundleError> {
        let mut config = project_config(dir)?;
        let mut code = dir.to_path_buf();
        let mut project_dir = dir.to_path_buf();
        match config.as_ref().map(miniprogram_root).transpose()?.flatten() {
            Some(root) if !dir.join("app.json").is_file() => code = dir.join(root),
            Some(_) => {}
            None if config.is_none() => {
                // Pointed at the code folder of a project whose file is one level up?
                let canonical = std::fs::canonicalize(dir).ok();
                if let Some(parent) = canonical.as_deref().and_then(Path::parent)
                    && let Some(up) = project_config(parent).ok().flatten()
                    && let Some(root) = miniprogram_root(&up).ok().flatten()
                    && canonical.as_deref()
                        == std::fs::canonicalize(parent.join(&root)).ok().as_deref()
                {
                    config = Some(up);
                    project_dir = parent.to_path_buf();
                }
            }
            None => {}
        }
        Ok(Project {
            files: BundleFiles::open(&code)?,
            config,
            dir: project_dir,
        })
    }

    /// `--app-id` if given, else the project's `appid`, else (no project file) a default named
    /// after the folder. A project file without `appid` is an error naming it.
    pub fn app_id(&self, flag: Option<&str>) -> Result<AppId, BundleError> {
        if let Some(id) = flag {
            check_app_id(id).map_err(BundleError::BadAppIdFlag)?;
            return Ok(AppId {
                id: id.to_string(),
                defaulted: false,
            });
        }
        let Some(config) = &self.config else {
            let folder = self
                .files
                .root()
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            let folder: String = folder
                .chars()
                .map(|c| {
                    if c.is_alphanumeric() || c == '-' || c == '_' {
                        c
                    } else {
                        '_'
                    }
                })
                .take(64)
                .collect();
            return Ok(AppId {
                id: format!("local.{folder}"),
                defaulted: true,
            });
        };
        let bad = |problem: String| BundleError::Invalid {
            file: "project.config.json".into(),
            problem,
        };
        match config.get("appid") {
            None | Some(Value::Null) => Err(BundleError::NoAppId),
            Some(Value::String(s)) => {
                let id = s.trim();
                check_app_id(id).map_err(|e| bad(format!("\"appid\": {e}")))?;
                Ok(AppId {
                    id: id.to_string(),
                    defaulted: false,
                })
            }
            Some(_) => Err(bad("\"appid\" must be a non-empty string".into())),
        }
    }

    /// `setting.useCompilerPlugins` holds "typescript": `.ts` files are compiled on load.
    pub fn typescript(&self) -> bool {
        self.config
            .as_ref()
            .and_then(|c| c.pointer("/setting/useCompilerPlugins"))
            .and_then(Value::as_array)
            .is_some_and(|plugins| {
                plugins.iter().any(|p| {
                    p.as_str() == Some("typescript")
                        || p.get("option").is_some()
                            && p.get("name").and_then(Value::as_str) == Some("typescript")
                })
            })
    }
}
