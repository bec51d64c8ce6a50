//! Signatures as text: types by the path users name them by, generics, bounds, where clauses,
//! and the attributes that are API.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use rustdoc_types::{
    Attribute, Crate, FunctionHeader, FunctionSignature, GenericArg, GenericArgs, GenericBound,
    GenericParamDef, GenericParamDefKind, Generics, Id, Item, Path, Term, TraitBoundModifier, Type,
    WherePredicate,
};

/// The crate and the path by which users name each of its items.
pub(super) struct Ctx<'a> {
    pub(super) krate: &'a Crate,
    // A type is written by its public path (`wa_stats_mock::Fault`), not where it is defined
    // (`wa_stats_mock::fault::Fault`): moving it between private modules changes no API.
    pub(super) public: BTreeMap<Id, String>,
}

/// The attributes that are API: `#[non_exhaustive]` decides whether users may match or build.
pub(super) fn attributes(item: &Item) -> &'static str {
    if item.attrs.contains(&Attribute::NonExhaustive) {
        "#[non_exhaustive] "
    } else {
        ""
    }
}

/// `const `, `async `, `unsafe `: what a caller must know before the name.
pub(super) fn qualifiers(header: &FunctionHeader) -> String {
    [
        (header.is_const, "const "),
        (header.is_async, "async "),
        (header.is_unsafe, "unsafe "),
    ]
    .iter()
    .filter(|(on, _)| *on)
    .map(|(_, word)| *word)
    .collect()
}

/// Generics, arguments, output and where clause: what follows the name.
pub(super) fn function_signature(
    k: &Ctx<'_>,
    sig: &FunctionSignature,
    generics: &Generics,
) -> String {
    let inputs: Vec<String> = sig
        .inputs
        .iter()
        .map(|(name, input)| argument(k, name, input))
        .collect();
    let mut out = format!("{}({})", generics_params(k, generics), inputs.join(", "));
    if let Some(output) = &sig.output {
        let _ = write!(out, " -> {}", ty(k, output));
    }
    out.push_str(&where_clause(k, generics));
    out
}

fn argument(k: &Ctx<'_>, name: &str, input: &Type) -> String {
    if name == "self" {
        match input {
            Type::Generic(this) if this == "Self" => return "self".to_owned(),
            Type::BorrowedRef {
                is_mutable, type_, ..
            } if matches!(&**type_, Type::Generic(this) if this == "Self") => {
                return if *is_mutable { "&mut self" } else { "&self" }.to_owned();
            }
            _ => {}
        }
    }
    format!("{name}: {}", ty(k, input))
}

pub(super) fn generics_params(k: &Ctx<'_>, generics: &Generics) -> String {
    let params: Vec<String> = generics
        .params
        .iter()
        .filter(|param| {
            // `impl Trait` arguments appear as synthetic parameters: shown where they are used.
            !matches!(
                param.kind,
                GenericParamDefKind::Type {
                    is_synthetic: true,
                    ..
                }
            )
        })
        .map(|param| generic_param(k, param))
        .collect();
    if params.is_empty() {
        String::new()
    } else {
        format!("<{}>", params.join(", "))
    }
}

fn generic_param(k: &Ctx<'_>, param: &GenericParamDef) -> String {
    match &param.kind {
        GenericParamDefKind::Lifetime { outlives } if outlives.is_empty() => param.name.clone(),
        GenericParamDefKind::Lifetime { outlives } => {
            format!("{}: {}", param.name, outlives.join(" + "))
        }
        GenericParamDefKind::Type {
            bounds, default, ..
        } => {
            let default = default
                .as_ref()
                .map(|value| format!(" = {}", ty(k, value)))
                .unwrap_or_default();
            format!("{}{}{default}", param.name, bounds_suffix(k, bounds))
        }
        GenericParamDefKind::Const { type_, .. } => {
            format!("const {}: {}", param.name, ty(k, type_))
        }
    }
}

pub(super) fn where_clause(k: &Ctx<'_>, generics: &Generics) -> String {
    let predicates: Vec<String> = generics
        .where_predicates
        .iter()
        .map(|predicate| match predicate {
            WherePredicate::BoundPredicate { type_, bounds, .. } => {
                format!("{}{}", ty(k, type_), bounds_suffix(k, bounds))
            }
            WherePredicate::LifetimePredicate { lifetime, outlives } => {
                format!("{lifetime}: {}", outlives.join(" + "))
            }
            WherePredicate::EqPredicate { lhs, rhs } => {
                format!("{} = {}", ty(k, lhs), term(k, rhs))
            }
        })
        .collect();
    if predicates.is_empty() {
        String::new()
    } else {
        format!(" where {}", predicates.join(", "))
    }
}

pub(super) fn bounds_suffix(k: &Ctx<'_>, bounds: &[GenericBound]) -> String {
    if bounds.is_empty() {
        String::new()
    } else {
        format!(": {}", bounds_text(k, bounds))
    }
}

fn bounds_text(k: &Ctx<'_>, bounds: &[GenericBound]) -> String {
    let parts: Vec<String> = bounds
        .iter()
        .map(|bound| match bound {
            GenericBound::TraitBound {
                trait_, modifier, ..
            } => {
                let maybe = match modifier {
                    TraitBoundModifier::None => "",
                    TraitBoundModifier::Maybe => "?",
                    TraitBoundModifier::MaybeConst => "~const ",
                };
                format!("{maybe}{}", path_of(k, trait_))
            }
            GenericBound::Outlives(lifetime) => lifetime.clone(),
            GenericBound::Use(_) => "use<..>".to_owned(),
        })
        .collect();
    parts.join(" + ")
}

fn term(k: &Ctx<'_>, term: &Term) -> String {
    match term {
        Term::Type(value) => ty(k, value),
        Term::Constant(constant) => constant.expr.clone(),
    }
}

/// A path with its generic arguments, named by where it is defined when rustdoc knows it.
pub(super) fn path_of(k: &Ctx<'_>, path: &Path) -> String {
    let name = k.public.get(&path.id).cloned().unwrap_or_else(|| {
        k.krate
            .paths
            .get(&path.id)
            .map_or_else(|| path.path.clone(), |summary| summary.path.join("::"))
    });
    let args = path
        .args
        .as_deref()
        .map(|args| generic_args(k, args))
        .unwrap_or_default();
    format!("{name}{args}")
}

fn generic_args(k: &Ctx<'_>, args: &GenericArgs) -> String {
    match args {
        GenericArgs::AngleBracketed { args, constraints } => {
            let mut parts: Vec<String> = args
                .iter()
                .map(|arg| match arg {
                    GenericArg::Lifetime(lifetime) => lifetime.clone(),
                    GenericArg::Type(value) => ty(k, value),
                    GenericArg::Const(constant) => constant.expr.clone(),
                    GenericArg::Infer => "_".to_owned(),
                })
                .collect();
            parts.extend(
                constraints
                    .iter()
                    .map(|constraint| match &constraint.binding {
                        rustdoc_types::AssocItemConstraintKind::Equality(value) => {
                            format!("{} = {}", constraint.name, term(k, value))
                        }
                        rustdoc_types::AssocItemConstraintKind::Constraint(bounds) => {
                            format!("{}: {}", constraint.name, bounds_text(k, bounds))
                        }
                    }),
            );
            if parts.is_empty() {
                String::new()
            } else {
                format!("<{}>", parts.join(", "))
            }
        }
        GenericArgs::Parenthesized { inputs, output } => {
            let inputs: Vec<String> = inputs.iter().map(|input| ty(k, input)).collect();
            let output = output
                .as_ref()
                .map(|value| format!(" -> {}", ty(k, value)))
                .unwrap_or_default();
            format!("({}){output}", inputs.join(", "))
        }
        GenericArgs::ReturnTypeNotation => "(..)".to_owned(),
    }
}

pub(super) fn ty(k: &Ctx<'_>, value: &Type) -> String {
    match value {
        Type::ResolvedPath(path) => path_of(k, path),
        Type::DynTrait(dyn_trait) => {
            let mut parts: Vec<String> = dyn_trait
                .traits
                .iter()
                .map(|poly| path_of(k, &poly.trait_))
                .collect();
            parts.extend(dyn_trait.lifetime.clone());
            format!("dyn {}", parts.join(" + "))
        }
        Type::Generic(name) | Type::Primitive(name) => name.clone(),
        Type::FunctionPointer(pointer) => {
            let inputs: Vec<String> = pointer
                .sig
                .inputs
                .iter()
                .map(|(_, input)| ty(k, input))
                .collect();
            let output = pointer
                .sig
                .output
                .as_ref()
                .map(|value| format!(" -> {}", ty(k, value)))
                .unwrap_or_default();
            format!("fn({}){output}", inputs.join(", "))
        }
        Type::Tuple(types) => {
            let types: Vec<String> = types.iter().map(|value| ty(k, value)).collect();
            format!("({})", types.join(", "))
        }
        Type::Slice(inner) => format!("[{}]", ty(k, inner)),
        Type::Array { type_, len } => format!("[{}; {len}]", ty(k, type_)),
        Type::Pat { type_, .. } => ty(k, type_),
        Type::ImplTrait(bounds) => format!("impl {}", bounds_text(k, bounds)),
        Type::Infer => "_".to_owned(),
        Type::RawPointer { is_mutable, type_ } => {
            let mutability = if *is_mutable { "mut" } else { "const" };
            format!("*{mutability} {}", ty(k, type_))
        }
        Type::BorrowedRef {
            lifetime,
            is_mutable,
            type_,
        } => {
            let lifetime = lifetime
                .as_ref()
                .map(|name| format!("{name} "))
                .unwrap_or_default();
            let mutability = if *is_mutable { "mut " } else { "" };
            format!("&{lifetime}{mutability}{}", ty(k, type_))
        }
        Type::QualifiedPath {
            name,
            self_type,
            trait_,
            ..
        } => match trait_ {
            Some(trait_) => format!("<{} as {}>::{name}", ty(k, self_type), path_of(k, trait_)),
            None => format!("{}::{name}", ty(k, self_type)),
        },
    }
}
