//! One crate's rustdoc JSON as a sorted listing, one line per public item: its kind, the path a
//! user names it by, and its signature. Types are written with the paths rustdoc resolves them to
//! (`alloc::string::String`), so that changing an import never changes the listing.
//!
//! What is listed: every item reachable from the crate root by public paths (a re-export under
//! the re-exported name), public fields and variants, the inherent methods and associated
//! constants of public types, and the traits they implement by hand or by derive (auto traits and
//! blanket impls are left out: they follow from the fields, and would drown the rest).

use std::collections::{BTreeMap, BTreeSet};

use rustdoc_types::{Crate, Id, Item, ItemEnum, StructKind, VariantKind, Visibility};

use super::signature::{
    Ctx, attributes, bounds_suffix, function_signature, generics_params, path_of, qualifiers, ty,
    where_clause,
};

/// The listing of `krate`, sorted, one item per line.
pub(crate) fn listing(krate: &Crate) -> Vec<String> {
    let mut ctx = Ctx {
        krate,
        public: BTreeMap::new(),
    };
    let Some(root) = krate.index.get(&krate.root) else {
        return Vec::new();
    };
    let name = root.name.clone().unwrap_or_default();
    let mut public = BTreeMap::new();
    public_paths(krate, root, &name, &mut public, 0);
    ctx.public = public;
    let mut lines = BTreeSet::new();
    let mut walker = Walker {
        ctx: &ctx,
        lines: &mut lines,
        seen: BTreeSet::new(),
    };
    walker.module_items(root, &name);
    lines.into_iter().collect()
}

/// The first public path of every item reachable from `module` (depth-bounded against a module
/// re-exported into itself).
fn public_paths(
    krate: &Crate,
    module: &Item,
    prefix: &str,
    out: &mut BTreeMap<Id, String>,
    depth: usize,
) {
    let ItemEnum::Module(inner) = &module.inner else {
        return;
    };
    if depth > 16 {
        return;
    }
    for id in &inner.items {
        let Some(item) = krate.index.get(id) else {
            continue;
        };
        if !matches!(item.visibility, Visibility::Public) {
            continue;
        }
        let (target, path) = match &item.inner {
            ItemEnum::Use(use_) => {
                let Some(target) = use_.id.and_then(|id| krate.index.get(&id)) else {
                    // Another crate's item, named here by its path in this crate.
                    if let (Some(id), false) = (use_.id, use_.is_glob) {
                        out.entry(id)
                            .or_insert_with(|| format!("{prefix}::{}", use_.name));
                    }
                    continue;
                };
                if use_.is_glob {
                    public_paths(krate, target, prefix, out, depth + 1);
                    continue;
                }
                (target, format!("{prefix}::{}", use_.name))
            }
            _ => (
                item,
                format!("{prefix}::{}", item.name.clone().unwrap_or_default()),
            ),
        };
        out.entry(target.id).or_insert_with(|| path.clone());
        if matches!(target.inner, ItemEnum::Module(_)) {
            public_paths(krate, target, &path, out, depth + 1);
        }
    }
}

struct Walker<'a> {
    ctx: &'a Ctx<'a>,
    lines: &'a mut BTreeSet<String>,
    // (item, path): a module re-exported into itself must not loop.
    seen: BTreeSet<(u32, String)>,
}

impl<'a> Walker<'a> {
    fn item(&self, id: Id) -> Option<&'a Item> {
        let krate: &'a Crate = self.ctx.krate;
        krate.index.get(&id)
    }

    fn module_items(&mut self, module: &Item, prefix: &str) {
        let ItemEnum::Module(inner) = &module.inner else {
            return;
        };
        for &id in &inner.items {
            let Some(item) = self.item(id) else { continue };
            if !matches!(item.visibility, Visibility::Public) {
                continue;
            }
            match &item.inner {
                ItemEnum::Use(use_) => self.reexport(use_, prefix),
                _ => {
                    let name = item.name.clone().unwrap_or_default();
                    self.public_item(item, &format!("{prefix}::{name}"));
                }
            }
        }
    }

    fn reexport(&mut self, use_: &rustdoc_types::Use, prefix: &str) {
        let target = use_.id.and_then(|id| self.item(id));
        match (target, use_.is_glob) {
            (Some(module), true) => self.module_items(module, prefix),
            (Some(item), false) => self.public_item(item, &format!("{prefix}::{}", use_.name)),
            // An item of another crate: its own crate's listing says what it is.
            (None, glob) => {
                let star = if glob { "::*" } else { "" };
                self.line(format!(
                    "pub use {prefix}::{}{star} = {}",
                    use_.name, use_.source
                ));
            }
        }
    }

    fn line(&mut self, line: String) {
        self.lines.insert(line);
    }

    fn public_item(&mut self, item: &Item, path: &str) {
        if !self.seen.insert((item.id.0, path.to_owned())) {
            return;
        }
        let attrs = attributes(item);
        let k = self.ctx;
        match &item.inner {
            ItemEnum::Module(_) => {
                self.line(format!("pub mod {path}"));
                self.module_items(item, path);
            }
            ItemEnum::Struct(inner) => {
                let generics = generics_params(k, &inner.generics);
                let wheres = where_clause(k, &inner.generics);
                self.line(format!("{attrs}pub struct {path}{generics}{wheres}"));
                match &inner.kind {
                    StructKind::Unit => {}
                    StructKind::Tuple(fields) => {
                        for (index, field) in fields.iter().enumerate() {
                            if let Some(ty) = field.and_then(|id| self.field_type(id)) {
                                self.line(format!("pub field {path}::{index}: {ty}"));
                            }
                        }
                    }
                    StructKind::Plain { fields, .. } => self.fields(fields, path),
                }
                self.impls(&inner.impls, path);
            }
            ItemEnum::Union(inner) => {
                self.line(format!("{attrs}pub union {path}"));
                self.fields(&inner.fields, path);
                self.impls(&inner.impls, path);
            }
            ItemEnum::Enum(inner) => {
                let generics = generics_params(k, &inner.generics);
                self.line(format!("{attrs}pub enum {path}{generics}"));
                for &id in &inner.variants {
                    if let Some(variant) = self.item(id) {
                        self.variant(variant, path);
                    }
                }
                self.impls(&inner.impls, path);
            }
            ItemEnum::Function(function) => {
                let signature = function_signature(k, &function.sig, &function.generics);
                let qualifiers = qualifiers(&function.header);
                self.line(format!("{attrs}pub {qualifiers}fn {path}{signature}"));
            }
            ItemEnum::Trait(inner) => {
                let unsafety = if inner.is_unsafe { "unsafe " } else { "" };
                let generics = generics_params(k, &inner.generics);
                let bounds = bounds_suffix(k, &inner.bounds);
                self.line(format!("pub {unsafety}trait {path}{generics}{bounds}"));
                for &id in &inner.items {
                    if let Some(member) = self.item(id) {
                        self.member(member, path);
                    }
                }
            }
            ItemEnum::TypeAlias(alias) => {
                let generics = generics_params(k, &alias.generics);
                let ty = ty(k, &alias.type_);
                self.line(format!("pub type {path}{generics} = {ty}"));
            }
            ItemEnum::Constant { type_, .. } => {
                self.line(format!("pub const {path}: {}", ty(k, type_)));
            }
            ItemEnum::Static(inner) => {
                let mutability = if inner.is_mutable { "mut " } else { "" };
                self.line(format!(
                    "pub static {mutability}{path}: {}",
                    ty(k, &inner.type_)
                ));
            }
            ItemEnum::Macro(_) | ItemEnum::ProcMacro(_) => {
                self.line(format!("pub macro {path}!"));
            }
            ItemEnum::TraitAlias(_) => self.line(format!("pub trait alias {path}")),
            other => self.line(format!("pub {:?} {path}", other.item_kind())),
        }
    }

    fn field_type(&self, id: Id) -> Option<String> {
        let field = self.item(id)?;
        match &field.inner {
            ItemEnum::StructField(field_type)
                if matches!(field.visibility, Visibility::Public | Visibility::Default) =>
            {
                Some(ty(self.ctx, field_type))
            }
            _ => None,
        }
    }

    fn fields(&mut self, fields: &[Id], path: &str) {
        for &id in fields {
            let Some(field) = self.item(id) else { continue };
            if let Some(field_type) = self.field_type(id) {
                let name = field.name.clone().unwrap_or_default();
                self.line(format!("pub field {path}::{name}: {field_type}"));
            }
        }
    }

    fn variant(&mut self, variant: &Item, path: &str) {
        let ItemEnum::Variant(inner) = &variant.inner else {
            return;
        };
        let name = variant.name.clone().unwrap_or_default();
        let attrs = attributes(variant);
        let shape = match &inner.kind {
            VariantKind::Plain => String::new(),
            VariantKind::Tuple(fields) => {
                let types: Vec<String> = fields
                    .iter()
                    .map(|field| {
                        field
                            .and_then(|id| self.field_type(id))
                            .unwrap_or_else(|| "_".to_owned())
                    })
                    .collect();
                format!("({})", types.join(", "))
            }
            VariantKind::Struct { fields, .. } => {
                let named: Vec<String> = fields
                    .iter()
                    .filter_map(|&id| {
                        let field = self.item(id)?;
                        let field_type = self.field_type(id)?;
                        Some(format!(
                            "{}: {field_type}",
                            field.name.clone().unwrap_or_default()
                        ))
                    })
                    .collect();
                format!(" {{ {} }}", named.join(", "))
            }
        };
        self.line(format!("{attrs}pub variant {path}::{name}{shape}"));
    }

    fn impls(&mut self, impls: &[Id], path: &str) {
        let k = self.ctx;
        for &id in impls {
            let Some(ItemEnum::Impl(inner)) = self.item(id).map(|item| &item.inner) else {
                continue;
            };
            if inner.is_synthetic || inner.blanket_impl.is_some() {
                continue;
            }
            // `derive(PartialEq)`'s marker: the `PartialEq` line already says it.
            if inner
                .trait_
                .as_ref()
                .is_some_and(|trait_| trait_.path.ends_with("StructuralPartialEq"))
            {
                continue;
            }
            match &inner.trait_ {
                Some(trait_) => {
                    let negative = if inner.is_negative { "!" } else { "" };
                    let generics = generics_params(k, &inner.generics);
                    let wheres = where_clause(k, &inner.generics);
                    self.line(format!(
                        "impl{generics} {negative}{} for {}{wheres}",
                        path_of(k, trait_),
                        ty(k, &inner.for_)
                    ));
                }
                None => {
                    for &member in &inner.items {
                        if let Some(member) = self.item(member)
                            && matches!(member.visibility, Visibility::Public)
                        {
                            self.member(member, path);
                        }
                    }
                }
            }
        }
    }

    /// A method, associated constant or associated type of `path` (a type or a trait).
    fn member(&mut self, member: &Item, path: &str) {
        let k = self.ctx;
        let attrs = attributes(member);
        let name = member.name.clone().unwrap_or_default();
        let line = match &member.inner {
            ItemEnum::Function(function) => {
                let signature = function_signature(k, &function.sig, &function.generics);
                let qualifiers = qualifiers(&function.header);
                format!("{attrs}pub {qualifiers}fn {path}::{name}{signature}")
            }
            ItemEnum::AssocConst { type_, .. } => {
                format!("pub const {path}::{name}: {}", ty(k, type_))
            }
            ItemEnum::AssocType { type_, bounds, .. } => {
                let bounds = bounds_suffix(k, bounds);
                let value = type_
                    .as_ref()
                    .map(|value| format!(" = {}", ty(k, value)))
                    .unwrap_or_default();
                format!("pub type {path}::{name}{bounds}{value}")
            }
            other => format!("pub {:?} {path}::{name}", other.item_kind()),
        };
        self.line(line);
    }
}
