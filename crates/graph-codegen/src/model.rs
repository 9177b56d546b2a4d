//! The model crate generator: structs, polymorphic wrappers, update structs and open enums.

use graph_spec::Primitive;
use proc_macro2::{Ident, TokenStream};
use quote::quote;

use crate::ir::{EnumIr, FieldIr, FieldType, Ir, PolyIr, StructIr};
use crate::names::ident;
use crate::parts::{Item, Part};
use crate::render::{doc_attrs, doc_lines};

/// The model crate's `src/lib.rs`: docs, the runtime it uses and every part's items, each part
/// re-exported under its features and documented inline.
pub fn lib_rs(spec_label: &str, parts: &[Part]) -> TokenStream {
    let doc = format!(
        " The Microsoft Graph model types of `{spec_label}`, shared by the generated mock and \
         client, so the two can never drift apart."
    );
    let reexports = parts.iter().enumerate().map(|(index, part)| {
        let cfg = part.features.cfg();
        let part = ident(&part_crate(index));
        // Documented here, at the paths users name (`graph_model::User`): the parts are how
        // the model is built, not where its types live.
        quote! { #cfg #[doc(inline)] pub use #part::*; }
    });
    quote! {
        #![doc = #doc]
        //!
        //! - Every property is an `Option`: Graph returns partial objects under `$select`.
        //! - Properties the spec does not declare are kept in `additional_data`, so that a
        //!   read-modify-write loses nothing.
        //! - Enums keep members they do not know in their `Unrecognized` variant: the service
        //!   adds members over time, and a read must not fail on one.
        //! - Update bodies (`...Update` structs) use [`Patch`], so that leaving a property
        //!   alone, clearing it (`null`) and setting it are three different things.
        //! - A type with derived types is read through its `Any...` wrapper, which picks the
        //!   derived type by `@odata.type` and falls back to the base type.
        //! - [`schema()`] validates a write body the way the service does, with Graph's
        //!   messages.
        //!
        //! The types are built in small crates of their own (`parts/`), so that a change to
        //! one type rebuilds only its part and the parts that use it; this crate re-exports
        //! them all.

        #[rustfmt::skip]
        mod spec;

        // Before the other re-exports, where rustfmt would sort them.
        #(#reexports)*
        pub use graph_odata::from_json;
        pub use graph_odata::{CollectionPage, DateTimeOffset, DecodeError, Flags, GraphType};
        pub use graph_odata::{ODataError, OpenEnum, Patch, Schema, Violation, ViolationKind};
        pub use spec::schema;
    }
}

/// The Rust name of part `index`'s crate, as the model and the other parts name it.
pub fn part_crate(index: usize) -> String {
    crate::layout::part_key(index).replace('-', "_")
}

/// A part's `src/lib.rs`: its docs and its items, from `src/items.rs`.
pub fn part_lib_rs(spec_label: &str, index: usize) -> TokenStream {
    let doc = format!(
        " Part {index} of the Microsoft Graph model types of `{spec_label}`: use them through \
         the model crate, which re-exports every part."
    );
    quote! {
        #![doc = #doc]

        #[rustfmt::skip]
        mod items;

        pub use items::*;
    }
}

/// A part's `src/items.rs`: its structs, update structs, polymorphic wrappers and enums, over
/// the parts it uses.
pub fn part_items_rs(ir: &Ir, parts: &[Part], index: usize) -> TokenStream {
    let part = &parts[index];
    let uses = part.dependencies.iter().map(|&dependency| {
        let dependency = ident(&part_crate(dependency));
        quote! { use #dependency::*; }
    });
    let items = part.items.iter().map(|item| match *item {
        Item::Struct(i) => structure(ir, &ir.structs[i]),
        Item::Polymorphic(i) => polymorphic(&ir.polymorphic[i]),
        Item::Enum(i) => enumeration(&ir.enums[i]),
    });
    quote! {
        //! The part's items.
        #![allow(unused_imports)]

        use graph_odata::{DateTimeOffset, Flags, Patch};
        use serde_json::{Map, Value};

        #(#uses)*

        #(#items)*
    }
}

/// `src/spec.rs`: the runtime schema of the spec (its type system, no docs or examples),
/// embedded from `src/schema.json` beside it, as the mock embeds its spec.
pub fn spec_rs() -> TokenStream {
    quote! {
        //! The runtime schema of the spec this crate was generated from: its types and enums,
        //! embedded from `schema.json` as compact JSON.

        /// The schema, as compact JSON.
        const SCHEMA_JSON: &str = include_str!("schema.json");

        /// The schema of this crate's types, for validating write bodies the way the service
        /// does, and for what the mock reads of types at run time.
        pub fn schema() -> &'static graph_odata::Schema {
            static SCHEMA: ::std::sync::OnceLock<graph_odata::Schema> = ::std::sync::OnceLock::new();
            SCHEMA.get_or_init(|| graph_odata::Schema::from_embedded(SCHEMA_JSON))
        }
    }
}

/// Doc attributes for Graph prose, or for a generated fallback when the docs say nothing.
fn doc_or(text: &str, fallback: impl FnOnce() -> String) -> TokenStream {
    if text.trim().is_empty() {
        doc_lines(&fallback())
    } else {
        doc_attrs(text)
    }
}

fn field_type(field: &FieldIr) -> TokenStream {
    rust_type(
        &field.ty,
        field.collection,
        field.boxed,
        &TokenStream::new(),
    )
}

/// The Rust type of a value of `ty`; `prefix` (e.g. `graph_model::`) qualifies generated types
/// when the code lives outside the model crate.
pub fn rust_type(
    ty: &FieldType,
    collection: bool,
    boxed: bool,
    prefix: &TokenStream,
) -> TokenStream {
    let element = match ty {
        FieldType::Primitive(Primitive::DateTimeOffset) => quote!(#prefix DateTimeOffset),
        FieldType::Primitive(p) => primitive(*p),
        FieldType::Enum {
            rust_name,
            flags: false,
        } => {
            let name = ident(rust_name);
            quote!(#prefix #name)
        }
        FieldType::Enum {
            rust_name,
            flags: true,
        } => {
            let name = ident(rust_name);
            quote!(#prefix Flags<#prefix #name>)
        }
        FieldType::Struct(rust_name) | FieldType::Poly(rust_name) => {
            let name = ident(rust_name);
            quote!(#prefix #name)
        }
        FieldType::Json => quote!(serde_json::Value),
    };
    match (collection, boxed) {
        (true, _) => quote!(Vec<#element>),
        (false, true) => quote!(Box<#element>),
        (false, false) => element,
    }
}

fn primitive(p: Primitive) -> TokenStream {
    match p {
        Primitive::Boolean => quote!(bool),
        Primitive::Byte => quote!(u8),
        Primitive::Int16 => quote!(i16),
        Primitive::Int32 => quote!(i32),
        Primitive::Int64 => quote!(i64),
        // Single too: JSON numbers are doubles, and an f32 would change the documented digits.
        Primitive::Single | Primitive::Double | Primitive::Decimal => quote!(f64),
        Primitive::DateTimeOffset => quote!(DateTimeOffset),
        // Kept as text: lossless, and validated on writes by the schema.
        Primitive::String
        | Primitive::Duration
        | Primitive::Guid
        | Primitive::Binary
        | Primitive::Date
        | Primitive::TimeOfDay
        | Primitive::Stream => quote!(String),
    }
}

/// A struct field: `wrapper<T>` (`Option` on entities, `Patch` on update bodies), left out of
/// the JSON when `skip` says so.
fn field(f: &FieldIr, wrapper: TokenStream, skip: &str) -> TokenStream {
    let name = ident(&f.rust_name);
    let json = &f.json_name;
    let ty = field_type(f);
    let docs = doc_or(&f.doc, || format!("The `{json}` property."));
    quote! {
        #docs
        #[serde(rename = #json, skip_serializing_if = #skip)]
        pub #name: #wrapper<#ty>,
    }
}

/// `Deserialize` for a struct through [`graph_odata::read_fields`]: one match arm per declared
/// property, where a serde derive with `#[serde(flatten)]` would expand to several times the
/// code (the model's largest build cost).
fn read_fields(name: &Ident, graph_name: &str, fields: &[FieldIr]) -> TokenStream {
    let keys = fields.iter().map(|f| &f.json_name);
    let members = fields.iter().map(|f| ident(&f.rust_name));
    quote! {
        impl<'de> serde::Deserialize<'de> for #name {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                graph_odata::read_fields(deserializer)
            }
        }

        impl graph_odata::ReadFields for #name {
            const EXPECTING: &'static str = #graph_name;

            fn read_field<'de, A: serde::de::MapAccess<'de>>(
                &mut self,
                key: &str,
                map: &mut A,
            ) -> Result<bool, A::Error> {
                match key {
                    "@odata.type" => self.odata_type = map.next_value()?,
                    #( #keys => self.#members = map.next_value()?, )*
                    _ => return Ok(false),
                }
                Ok(true)
            }

            fn additional_data(&mut self) -> &mut Map<String, Value> {
                &mut self.additional_data
            }
        }
    }
}

/// `from_json` and `to_json` for a type, and `page_from_json` for one the spec lists. Besides
/// being handy, they are why its serde code is compiled in its part: debug builds share generic
/// instances between crates, so the client and the tests link to these instances of
/// `graph_odata::from_json` and `serde_json::to_vec` instead of generating their own, and a
/// change to one type regenerates its part's code, not the client's.
fn json_methods(name: &Ident, listed: bool) -> TokenStream {
    let page = listed.then(|| {
        quote! {
            /// Decodes one page of a collection of values (`{"value": [...]}` with its
            /// `@odata.nextLink`), naming the field of any error.
            pub fn page_from_json(
                json: &[u8],
            ) -> Result<graph_odata::CollectionPage<Self>, graph_odata::DecodeError> {
                graph_odata::from_json(json)
            }
        }
    });
    quote! {
        impl #name {
            /// Decodes a value from JSON, naming the field of any error.
            pub fn from_json(json: &[u8]) -> Result<Self, graph_odata::DecodeError> {
                graph_odata::from_json(json)
            }

            #page

            /// Encodes the value as JSON.
            pub fn to_json(&self) -> serde_json::Result<Vec<u8>> {
                serde_json::to_vec(self)
            }
        }
    }
}

fn structure(ir: &Ir, s: &StructIr) -> TokenStream {
    let name = ident(&s.rust_name);
    let graph_name = &s.graph_name;
    let odata_type = format!("#{}.{}", ir.namespace, s.graph_name);
    let mut doc = s.doc.clone();
    if s.undocumented {
        let note = format!(
            "`{graph_name}` is not documented by the imported pages, so any JSON is kept as it is."
        );
        let docs = doc_attrs(&note);
        return quote! { #docs pub type #name = Value; };
    }
    if s.is_abstract {
        doc.push_str("\n\nAn abstract type: values are of one of its derived types.");
    }
    let docs = doc_or(&doc, || format!("The `{graph_name}` type."));
    let fields = s
        .fields
        .iter()
        .map(|f| field(f, quote!(Option), "Option::is_none"));
    let update = s.update_name.as_ref().map(|update_name| {
        let update = ident(update_name);
        let update_doc = doc_lines(&format!(
            "An update (PATCH) body for [`{}`]: a field left [`Patch::Absent`] is not sent and keeps its value,\n[`Patch::Null`] clears it and [`Patch::Set`] sets it.",
            s.rust_name
        ));
        let fields = s.fields.iter().map(|f| field(f, quote!(Patch), "Patch::is_absent"));
        let read = read_fields(&update, graph_name, &s.fields);
        let json = json_methods(&update, false);
        quote! {
            #update_doc
            #[derive(Debug, Clone, PartialEq, Default, serde::Serialize)]
            pub struct #update {
                /// The `@odata.type` of the value, e.g. `#microsoft.graph.x`.
                #[serde(rename = "@odata.type", skip_serializing_if = "Option::is_none")]
                pub odata_type: Option<String>,
                #(#fields)*
                /// Properties the spec does not declare, kept as they are.
                #[serde(flatten)]
                pub additional_data: Map<String, Value>,
            }

            #read

            #json
        }
    });
    let read = read_fields(&name, graph_name, &s.fields);
    let json = json_methods(&name, s.listed);
    quote! {
        #docs
        #[derive(Debug, Clone, PartialEq, Default, serde::Serialize)]
        pub struct #name {
            /// The `@odata.type` of the value, e.g. `#microsoft.graph.x`.
            #[serde(rename = "@odata.type", skip_serializing_if = "Option::is_none")]
            pub odata_type: Option<String>,
            #(#fields)*
            /// Properties the spec does not declare, kept so that a read-modify-write loses nothing.
            #[serde(flatten)]
            pub additional_data: Map<String, Value>,
        }

        impl graph_odata::GraphType for #name {
            const NAME: &'static str = #graph_name;
            const ODATA_TYPE: &'static str = #odata_type;
        }

        #read

        #json

        #update
    }
}

fn polymorphic(p: &PolyIr) -> TokenStream {
    let name = ident(&p.rust_name);
    let base = ident(&p.base_struct);
    let doc = doc_lines(&format!(
        "A `{}` of any type derived from it, chosen by `@odata.type` on reads; a missing or unknown `@odata.type`\nreads as the base type, with unknown properties kept in `additional_data`.",
        p.base_graph_name
    ));
    let variants: Vec<_> = p.variants.iter().map(|(_, rust)| ident(rust)).collect();
    let variant_docs = p.variants.iter().map(|(graph, _)| format!(" A `{graph}`."));
    let derived_arms = p.variants.iter().skip(1).map(|(graph, rust)| {
        let variant = ident(rust);
        quote! { Some(#graph) => serde_json::from_value(value).map(Self::#variant), }
    });
    let names = p.variants.iter().map(|(graph, rust)| {
        let variant = ident(rust);
        quote! { Self::#variant(_) => #graph, }
    });
    let json = json_methods(&name, p.listed);
    let froms = variants.iter().map(|variant| {
        quote! {
            impl From<#variant> for #name {
                fn from(value: #variant) -> Self {
                    Self::#variant(value)
                }
            }
        }
    });
    quote! {
        #doc
        #[derive(Debug, Clone, PartialEq, serde::Serialize)]
        #[serde(untagged)]
        pub enum #name {
            #( #[doc = #variant_docs] #variants(#variants), )*
        }

        impl<'de> serde::Deserialize<'de> for #name {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let value = <Value as serde::Deserialize>::deserialize(deserializer)?;
                let result = match graph_odata::odata_type_name(&value) {
                    #(#derived_arms)*
                    _ => serde_json::from_value(value).map(Self::#base),
                };
                result.map_err(serde::de::Error::custom)
            }
        }

        #json

        impl #name {
            /// The Graph name of the type this value is.
            pub fn type_name(&self) -> &'static str {
                match self {
                    #(#names)*
                }
            }
        }

        #(#froms)*
    }
}

fn enumeration(e: &EnumIr) -> TokenStream {
    let name = ident(&e.rust_name);
    let mut doc = e.doc.clone();
    if e.is_flags {
        doc.push_str("\n\nA flags enum: properties of this type hold several members, comma-separated in JSON.");
    }
    let graph_name = &e.graph_name;
    let docs = doc_or(&doc, || format!("The `{graph_name}` enum."));
    let unknown = ident(&e.unknown_variant);
    let variants = e.members.iter().map(|m| {
        let variant = ident(&m.variant);
        let json = &m.json_name;
        let docs = doc_or(&m.doc, || format!("`{json}`"));
        quote! { #docs #variant, }
    });
    let to_str = e.members.iter().map(|m| {
        let variant = ident(&m.variant);
        let json = &m.json_name;
        quote! { Self::#variant => #json, }
    });
    let from_str = e.members.iter().map(|m| {
        let variant = ident(&m.variant);
        let json = &m.json_name;
        quote! { #json => Self::#variant, }
    });
    quote! {
        #docs
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        pub enum #name {
            #(#variants)*
            /// A member this crate does not know (the service adds members over time), kept as sent.
            #unknown(String),
        }

        impl graph_odata::OpenEnum for #name {
            fn as_str(&self) -> &str {
                match self {
                    #(#to_str)*
                    Self::#unknown(other) => other,
                }
            }

            fn from_member(name: &str) -> Self {
                match name {
                    #(#from_str)*
                    other => Self::#unknown(other.to_owned()),
                }
            }

            fn is_known(&self) -> bool {
                !matches!(self, Self::#unknown(_))
            }
        }

        graph_odata::open_enum_serde!(#name);
    }
}
