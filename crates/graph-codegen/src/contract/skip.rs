//! Why a doc example's contract case is skipped: a closed set of kinds, so that
//! `cargo xtask corpus` can count the skips of each kind and cap them, and a change that turns
//! cases into skips of some kind is heard.

use std::fmt;

/// The kind of a skipped case: printed first in its reason (`redirect: ...`), counted and capped
/// by kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum SkipKind {
    /// An operation at the service root, which no area's builders reach.
    ServiceRoot,
    /// The response example breaks its own schema (a doc defect).
    ResponseBreaksSchema,
    /// The documented answer is a redirect, which the mock does not model.
    Redirect,
    /// A `$ref` example without an `@odata.id` link (a doc defect).
    RefWithoutLink,
    /// A `$ref` request on a page that does not link an entity (a doc defect).
    RefOnUnlinkedPage,
    /// A request example the importer found invalid, without a body to send.
    InvalidWithoutBody,
    /// A create whose page gives no request body type.
    CreateWithoutBodyType,
    /// A create example without a request body (a doc defect).
    CreateWithoutBody,
    /// A get example that shows no entity (a doc defect).
    GetWithoutEntity,
    /// An update whose type has no update struct.
    UpdateWithoutType,
    /// An update example that changes the entity's `id` (a doc defect).
    UpdateChangesId,
    /// A function example whose arguments do not parse (a doc defect).
    UnparsableArguments,
    /// An example passing arguments its page does not declare (a doc defect).
    UndeclaredArguments,
    /// A download example that is neither the redirect nor a JSON answer (a doc defect).
    UnrecognisedDownload,
}

impl SkipKind {
    /// Every kind, in order.
    pub const ALL: [SkipKind; 14] = [
        SkipKind::ServiceRoot,
        SkipKind::ResponseBreaksSchema,
        SkipKind::Redirect,
        SkipKind::RefWithoutLink,
        SkipKind::RefOnUnlinkedPage,
        SkipKind::InvalidWithoutBody,
        SkipKind::CreateWithoutBodyType,
        SkipKind::CreateWithoutBody,
        SkipKind::GetWithoutEntity,
        SkipKind::UpdateWithoutType,
        SkipKind::UpdateChangesId,
        SkipKind::UnparsableArguments,
        SkipKind::UndeclaredArguments,
        SkipKind::UnrecognisedDownload,
    ];

    /// The kind's name in a skip reason and in the corpus's caps.
    pub fn label(self) -> &'static str {
        match self {
            SkipKind::ServiceRoot => "service-root",
            SkipKind::ResponseBreaksSchema => "response-breaks-schema",
            SkipKind::Redirect => "redirect",
            SkipKind::RefWithoutLink => "ref-without-link",
            SkipKind::RefOnUnlinkedPage => "ref-on-unlinked-page",
            SkipKind::InvalidWithoutBody => "invalid-without-body",
            SkipKind::CreateWithoutBodyType => "create-without-body-type",
            SkipKind::CreateWithoutBody => "create-without-body",
            SkipKind::GetWithoutEntity => "get-without-entity",
            SkipKind::UpdateWithoutType => "update-without-type",
            SkipKind::UpdateChangesId => "update-changes-id",
            SkipKind::UnparsableArguments => "unparsable-arguments",
            SkipKind::UndeclaredArguments => "undeclared-arguments",
            SkipKind::UnrecognisedDownload => "unrecognised-download",
        }
    }

    /// The kind a skip reason starts with, if any.
    pub fn of_reason(reason: &str) -> Option<SkipKind> {
        let label = reason.split(':').next()?.trim();
        SkipKind::ALL.into_iter().find(|kind| kind.label() == label)
    }

    /// Whether the docs are at fault (rather than what the generator or the mock covers).
    pub fn is_doc_defect(self) -> bool {
        !matches!(
            self,
            SkipKind::ServiceRoot
                | SkipKind::Redirect
                | SkipKind::InvalidWithoutBody
                | SkipKind::CreateWithoutBodyType
                | SkipKind::UpdateWithoutType
        )
    }
}

impl fmt::Display for SkipKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// Why one case is skipped: its kind and what in the example made it so.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skip {
    /// The kind.
    pub kind: SkipKind,
    /// The particulars.
    pub detail: String,
}

impl fmt::Display for Skip {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let what = if self.kind.is_doc_defect() {
            "doc defect"
        } else {
            "not covered"
        };
        write!(f, "{}: {what}: {}", self.kind, self.detail)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_reason_names_its_kind_first() {
        for kind in SkipKind::ALL {
            let skip = Skip {
                kind,
                detail: "x: y".to_owned(),
            };
            assert_eq!(SkipKind::of_reason(&skip.to_string()), Some(kind));
        }
        assert_eq!(SkipKind::of_reason("doc defect: x"), None);
    }
}
