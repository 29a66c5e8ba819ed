//! `dharma generate BLUEPRINT --format FMT [-o DIR] [--templates DIR]`.
//!
//! Everything is generated in memory first; files are written only when generation succeeded,
//! each through a temporary file renamed into place (a new output folder is built aside and
//! renamed as a whole), so an error never leaves a half-written folder. The folder's
//! `.dharma-generated` lists the files written, so that a later run removes those it no longer
//! writes.

use std::fs;
use std::path::{Path, PathBuf};

use iac_dharma::{GenerateOptions, GeneratedFiles, OutputFormat, TemplateSet};

use crate::input::load_blueprint;
use crate::report::Reporter;

/// Runs the command; `Err(())` after reporting a problem (exit code 2).
pub fn run(
    blueprint: &str,
    format: &str,
    out_dir: Option<&Path>,
    templates: Option<&Path>,
    reporter: &Reporter,
) -> Result<(), ()> {
    let format: OutputFormat = format
        .parse()
        .map_err(|e: iac_dharma::Error| reporter.error(blueprint, &e))?;
    let mut options = GenerateOptions::default();
    if let Some(dir) = templates {
        let sources = read_templates(dir).map_err(|m| reporter.message(&m))?;
        let set = TemplateSet::with_overrides(sources)
            .map_err(|e| reporter.error(&dir.display().to_string(), &e))?;
        options.templates = Some(set);
    }
    let bp = load_blueprint(blueprint, reporter)?;
    reporter.warnings(blueprint, bp.warnings());
    let files =
        iac_dharma::generate(&bp, format, &options).map_err(|e| reporter.error(blueprint, &e))?;
    // `-o -` is standard output, as `-` is for the input, not a folder named `-`.
    match out_dir.filter(|d| *d != Path::new("-")) {
        Some(dir) => write_all(dir, &files).map_err(|m| reporter.message(&m)),
        None => {
            let mut iter = files.files.iter();
            match (iter.next(), iter.next()) {
                (Some((_, text)), None) => {
                    crate::print_stdout(text);
                    Ok(())
                }
                _ => {
                    let names: Vec<&str> = files.paths().collect();
                    reporter.message(&format!(
                        "format {format} writes {} files ({}); give an output folder with -o DIR",
                        names.len(),
                        names.join(", ")
                    ));
                    Err(())
                }
            }
        }
    }
}

/// Every `*.tera` file under `dir`, named by its path relative to `dir` (`/`-separated).
fn read_templates(dir: &Path) -> Result<Vec<(String, String)>, String> {
    fn walk(root: &Path, dir: &Path, out: &mut Vec<(String, String)>) -> Result<(), String> {
        let entries =
            fs::read_dir(dir).map_err(|e| format!("cannot read {}: {e}", dir.display()))?;
        let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
        paths.sort();
        for path in paths {
            if path.is_dir() {
                walk(root, &path, out)?;
            } else if path.extension().is_some_and(|x| x == "tera") {
                let text = fs::read_to_string(&path)
                    .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
                let rel = path.strip_prefix(root).unwrap_or(&path);
                let name: Vec<String> = rel
                    .components()
                    .map(|c| c.as_os_str().to_string_lossy().into_owned())
                    .collect();
                out.push((name.join("/"), text));
            }
        }
        Ok(())
    }
    let mut out = Vec::new();
    walk(dir, dir, &mut out)?;
    if out.is_empty() {
        return Err(format!("no *.tera templates in {}", dir.display()));
    }
    Ok(out)
}

/// The file in an output folder that lists what the last `dharma generate` wrote there, so that
/// the next run removes the files it no longer writes (a resource's output gone, `variables.tf`
/// without variables, another format) and leaves everything else in the folder alone.
pub(crate) const MANIFEST: &str = ".dharma-generated";

/// Writes the files under `dir`. A folder that does not exist yet is built next to it and
/// renamed into place; in an existing folder each file is written to a temporary name first,
/// and the temporary files are removed if any write fails. Then the files the previous run
/// wrote (its [`MANIFEST`]) and this one does not are removed, and the manifest is updated.
pub(crate) fn write_all(dir: &Path, files: &GeneratedFiles) -> Result<(), String> {
    let manifest = manifest_text(files);
    if !dir.exists() {
        let parent = dir
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        let name = dir
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "out".into());
        let staging = parent.join(format!(".{name}.dharma-{}", std::process::id()));
        let result = write_files(&staging, files)
            .and_then(|()| {
                fs::write(staging.join(MANIFEST), &manifest)
                    .map_err(|e| format!("cannot write {}: {e}", staging.display()))
            })
            .and_then(|()| {
                fs::rename(&staging, dir).map_err(|e| {
                    format!(
                        "cannot move {} to {}: {e}",
                        staging.display(),
                        dir.display()
                    )
                })
            });
        if result.is_err() {
            let _ = fs::remove_dir_all(&staging);
        }
        return result;
    }
    if !dir.is_dir() {
        return Err(format!(
            "cannot write to {}: it exists and is not a folder",
            dir.display()
        ));
    }
    // A folder where a file goes would fail its rename after others were renamed.
    for path in files.files.keys() {
        let target = dir.join(path);
        if target.is_dir() {
            return Err(format!(
                "cannot write {}: a folder of that name is in the way",
                target.display()
            ));
        }
    }
    let previous = fs::read_to_string(dir.join(MANIFEST)).unwrap_or_default();
    let mut staged: Vec<(PathBuf, PathBuf)> = Vec::new();
    let mut result = Ok(());
    let all = files
        .files
        .iter()
        .map(|(path, text)| (path.as_str(), text.as_str()))
        .chain([(MANIFEST, manifest.as_str())]);
    for (path, text) in all {
        let target = dir.join(path);
        let tmp = tmp_name(&target);
        let step = target
            .parent()
            .map(fs::create_dir_all)
            .transpose()
            .and_then(|_| fs::write(&tmp, text))
            .map_err(|e| format!("cannot write {}: {e}", tmp.display()));
        match step {
            Ok(()) => staged.push((tmp, target)),
            Err(e) => {
                result = Err(e);
                break;
            }
        }
    }
    if result.is_ok() {
        for (tmp, target) in &staged {
            if let Err(e) = fs::rename(tmp, target) {
                result = Err(format!("cannot write {}: {e}", target.display()));
                break;
            }
        }
    }
    if result.is_err() {
        for (tmp, _) in staged {
            let _ = fs::remove_file(tmp);
        }
        return result;
    }
    remove_stale(dir, &previous, files)
}

/// The manifest of `files`: a comment, then one relative path a line.
fn manifest_text(files: &GeneratedFiles) -> String {
    let mut text = String::from(
        "# Written by `dharma generate`: the files it wrote in this folder. The next run into\n\
         # this folder removes those it no longer writes; other files are left alone.\n",
    );
    for path in files.paths() {
        text.push_str(path);
        text.push('\n');
    }
    text
}

/// Removes the files of the previous manifest that `files` no longer has, and the folders
/// that leaves empty. Only plain relative paths are taken from the manifest: never one that
/// climbs out of `dir` or names the manifest itself.
fn remove_stale(dir: &Path, previous: &str, files: &GeneratedFiles) -> Result<(), String> {
    for line in previous.lines() {
        let path = line.trim_end_matches('\r');
        if path.is_empty() || path.starts_with('#') || files.files.contains_key(path) {
            continue;
        }
        let rel = Path::new(path);
        let plain = rel
            .components()
            .all(|c| matches!(c, std::path::Component::Normal(_)));
        if !plain || path == MANIFEST {
            continue;
        }
        let target = dir.join(rel);
        if !target.is_file() {
            continue;
        }
        fs::remove_file(&target).map_err(|e| {
            format!(
                "cannot remove {}, no longer generated: {e}",
                target.display()
            )
        })?;
        // Folders the file leaves empty (`lib/` of another format), up to `dir`.
        let mut parent = target.parent();
        while let Some(p) = parent.filter(|p| *p != dir) {
            if fs::remove_dir(p).is_err() {
                break;
            }
            parent = p.parent();
        }
    }
    Ok(())
}

fn tmp_name(target: &Path) -> PathBuf {
    let mut name = target
        .file_name()
        .map(|n| n.to_os_string())
        .unwrap_or_default();
    name.push(format!(".dharma-{}.tmp", std::process::id()));
    target.with_file_name(name)
}

fn write_files(root: &Path, files: &GeneratedFiles) -> Result<(), String> {
    for (path, text) in &files.files {
        let target = root.join(path);
        if let Some(parent) = target.parent() {
            fs::create_dir_all(parent)
                .map_err(|e| format!("cannot create {}: {e}", parent.display()))?;
        }
        fs::write(&target, text).map_err(|e| format!("cannot write {}: {e}", target.display()))?;
    }
    Ok(())
}
