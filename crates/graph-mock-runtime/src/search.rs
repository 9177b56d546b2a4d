//! `$search`, as Graph reads it on the collections whose pages document it:
//! `"displayName:ada"` (a word of the property starts with the text, in any case), a bare
//! `"ada"` (a word of any of the entity's string properties), and clauses joined by `AND` and
//! `OR` (`AND` binding tighter), quoted or not. It is read into a `$filter` expression
//! ([`StringFunction::Words`] terms), so that listing, paging and counting need nothing more.
//! Where the page documents `ConsistencyLevel`, `$search` and `$count` need it
//! ([`check_consistency`]).

use axum::http::HeaderMap;

use crate::error::ApiError;
use crate::filter::{Expr, PropertyKind, StringFunction};
use crate::query::QueryOptions;

/// Graph's rule for the directory's advanced queries: where an operation's page documents the
/// `ConsistencyLevel` request header (users, groups, applications and the other directory
/// objects), `$search` and `$count` (`$count=true`, or a `/$count` path: `counting`) need it
/// set to `eventual`. Without it they are refused as Graph refuses them, naming the header.
pub fn check_consistency(
    operation: &graph_spec::Operation,
    options: &QueryOptions,
    counting: bool,
    headers: &HeaderMap,
) -> Result<(), ApiError> {
    if !(options.search || options.count || counting) {
        return Ok(());
    }
    let documented = (operation.headers.iter())
        .any(|header| header.name.eq_ignore_ascii_case(CONSISTENCY_LEVEL));
    let eventual = (headers.get_all(CONSISTENCY_LEVEL).iter()).any(|value| {
        value
            .to_str()
            .is_ok_and(|v| v.trim().eq_ignore_ascii_case("eventual"))
    });
    if !documented || eventual {
        return Ok(());
    }
    Err(match options.search {
        true => ApiError::new(
            axum::http::StatusCode::BAD_REQUEST,
            "Request_UnsupportedQuery",
            "Request with $search query parameter only works through MSGraph with a special request header: 'ConsistencyLevel: eventual'",
        ),
        false => ApiError::new(
            axum::http::StatusCode::BAD_REQUEST,
            "Request_BadRequest",
            "$count is not currently supported without the request header 'ConsistencyLevel: eventual'.",
        ),
    })
}

/// The request header the directory's advanced queries need.
const CONSISTENCY_LEVEL: &str = "ConsistencyLevel";

/// Parses a `$search` value. `kind_of` tells whether a clause's property exists and is a
/// string.
pub fn parse(
    value: &str,
    kind_of: &dyn Fn(&[String]) -> Option<PropertyKind>,
) -> Result<Expr, String> {
    let mut alternatives: Vec<Expr> = Vec::new();
    let mut all_of: Vec<Expr> = Vec::new();
    let mut expect_term = true;
    for token in tokens(value)? {
        match token {
            Token::And | Token::Or if expect_term => {
                return Err("$search has an operator where a term should be".to_owned());
            }
            Token::And => expect_term = true,
            Token::Or => {
                alternatives.extend(join(std::mem::take(&mut all_of), Expr::And));
                expect_term = true;
            }
            // Two terms side by side must both match, as `AND` says.
            Token::Term(text) => {
                all_of.push(term(&text, kind_of)?);
                expect_term = false;
            }
        }
    }
    if expect_term {
        return Err("$search is empty or ends with an operator".to_owned());
    }
    alternatives.extend(join(all_of, Expr::And));
    join(alternatives, Expr::Or).ok_or_else(|| "$search is empty".to_owned())
}

/// The expressions joined by `operator`, left to right; `None` for none.
fn join(exprs: Vec<Expr>, operator: fn(Box<Expr>, Box<Expr>) -> Expr) -> Option<Expr> {
    (exprs.into_iter()).reduce(|joined, next| operator(Box::new(joined), Box::new(next)))
}

#[derive(Debug, PartialEq)]
enum Token {
    And,
    Or,
    Term(String),
}

fn tokens(value: &str) -> Result<Vec<Token>, String> {
    let mut tokens = Vec::new();
    let mut rest = value.trim_start();
    while !rest.is_empty() {
        if let Some(quoted) = rest.strip_prefix('"') {
            let end = quoted
                .find('"')
                .ok_or_else(|| format!("$search has an unclosed quote: `{value}`"))?;
            tokens.push(Token::Term(quoted[..end].to_owned()));
            rest = &quoted[end + 1..];
        } else {
            let end = rest.find(char::is_whitespace).unwrap_or(rest.len());
            tokens.push(match &rest[..end] {
                "AND" => Token::And,
                "OR" => Token::Or,
                word => Token::Term(word.to_owned()),
            });
            rest = &rest[end..];
        }
        rest = rest.trim_start();
    }
    Ok(tokens)
}

/// One clause: `property:text`, or free `text` searched in every string property.
fn term(clause: &str, kind_of: &dyn Fn(&[String]) -> Option<PropertyKind>) -> Result<Expr, String> {
    let (path, text) = match clause.split_once(':') {
        Some((property, text)) if !property.trim().is_empty() => {
            let property = property.trim();
            match kind_of(&[property.to_owned()]) {
                Some(PropertyKind::String) => (vec![property.to_owned()], text),
                Some(_) => {
                    return Err(format!("the property '{property}' cannot be searched"));
                }
                None => {
                    return Err(format!(
                        "could not find a property named '{property}' on the type"
                    ));
                }
            }
        }
        _ => (Vec::new(), clause),
    };
    if !text.chars().any(char::is_alphanumeric) {
        return Err(format!(
            "the $search term `{clause}` has no text to search for"
        ));
    }
    Ok(Expr::Function {
        function: StringFunction::Words,
        path,
        text: text.to_owned(),
    })
}

#[cfg(test)]
mod tests {
    use serde_json::{Map, Value, json};

    use super::*;
    use crate::filter::matches;

    fn kinds(path: &[String]) -> Option<PropertyKind> {
        match path[0].as_str() {
            "displayName" | "mail" => Some(PropertyKind::String),
            "accountEnabled" => Some(PropertyKind::Boolean),
            _ => None,
        }
    }

    fn finds(search: &str, entity: Value) -> bool {
        let expr = parse(search, &kinds).unwrap();
        let entity: Map<String, Value> = serde_json::from_value(entity).unwrap();
        matches(&expr, &entity)
    }

    #[test]
    fn terms_match_the_starts_of_words_in_any_case() {
        let ada = json!({"displayName": "Ada Lovelace", "mail": "ada@contoso.com"});
        assert!(finds("\"displayName:love\"", ada.clone()));
        assert!(finds("\"displayName:ada LOVE\"", ada.clone()));
        assert!(!finds("\"displayName:ovelace\"", ada.clone()));
        assert!(finds("\"contoso\"", ada.clone()));
        assert!(finds("contoso", ada.clone()));
        assert!(!finds("\"displayName:contoso\"", ada.clone()));
        assert!(finds("\"displayName:grace\" OR \"mail:ada\"", ada.clone()));
        assert!(!finds(
            "\"displayName:grace\" AND \"mail:ada\"",
            ada.clone()
        ));
        assert!(finds(
            "\"displayName:x\" AND \"mail:y\" OR \"displayName:ada\"",
            ada.clone()
        ));
        assert!(!finds("\"displayName:ada\" \"mail:grace\"", ada));
    }

    #[test]
    fn bad_searches_say_what_is_wrong() {
        let error = |search: &str| parse(search, &kinds).unwrap_err();
        assert!(error("\"colour:red\"").contains("'colour'"));
        assert!(error("\"accountEnabled:true\"").contains("cannot be searched"));
        assert!(error("\"displayName:ada").contains("unclosed quote"));
        assert!(error("\"displayName:ada\" AND").contains("ends with an operator"));
        assert!(error("OR \"displayName:ada\"").contains("operator where a term"));
        assert!(error("").contains("empty"));
        assert!(error("\"displayName:\"").contains("no text"));
    }
}
