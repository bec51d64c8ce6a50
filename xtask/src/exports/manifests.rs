//! Each binding package's manifest: `bindings/typescript/package.json` and
//! `bindings/python/pyproject.toml`, with the workspace's version.

use std::path::PathBuf;

use serde_json::{Value, json};

use crate::render::{Writer, render, stamp};

/// The manifests: path relative to the workspace root, and contents.
pub(super) fn files(version: &str, root_package: &Value) -> Vec<(PathBuf, String)> {
    let package_json = json!({
        "name": "@wa-stats/bindings",
        "version": version,
        "description": "TypeScript types for Insider's WhatsApp Campaign Analytics API, generated from the wa-stats JSON Schemas, with the tolerant reading and error classification.",
        "license": "MIT OR Apache-2.0",
        "type": "module",
        "main": "dist/src/index.js",
        "types": "dist/src/index.d.ts",
        "files": ["dist/src", "README.md"],
        // `npm pack` and `npm publish` build dist/ first: it is not in git, and a tarball
        // without it is empty.
        "scripts": {"build": "tsc -p .", "prepack": "tsc -p .", "test": "tsc -p . && node --test dist/test/"},
        // The same pins as the repository's own tools (package.json at the root).
        "devDependencies": {
            "typescript": root_package["devDependencies"]["typescript"],
            "@types/node": root_package["devDependencies"]["@types/node"],
        },
        "wa-stats": stamp(Writer::Bindings),
    });
    let pyproject = format!(
        "# {}\n\
         [project]\n\
         name = \"wa-stats-bindings\"\n\
         version = \"{version}\"\n\
         description = \"pydantic v2 models for Insider's WhatsApp Campaign Analytics API, generated from the wa-stats JSON Schemas, with the tolerant reading and error classification.\"\n\
         readme = \"README.md\"\n\
         license = \"MIT OR Apache-2.0\"\n\
         requires-python = \">=3.10\"\n\
         dependencies = [\"pydantic>=2.10,<3\"]\n\
         \n\
         [build-system]\n\
         requires = [\"setuptools>=77\"]\n\
         build-backend = \"setuptools.build_meta\"\n\
         \n\
         [tool.setuptools]\n\
         packages = [\"wa_stats\"]\n\
         \n\
         [tool.setuptools.package-data]\n\
         wa_stats = [\"py.typed\"]\n\
         \n\
         [tool.mypy]\n\
         strict = true\n\
         plugins = [\"pydantic.mypy\"]\n",
        stamp(Writer::Bindings)
    );
    vec![
        (
            PathBuf::from("bindings/typescript/package.json"),
            render(&package_json),
        ),
        (PathBuf::from("bindings/python/pyproject.toml"), pyproject),
    ]
}
