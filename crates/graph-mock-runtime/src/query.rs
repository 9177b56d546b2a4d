//! OData query options: `$top`, `$skip`, `$skiptoken`, `$filter`, `$orderby`, `$select`,
//! `$count`, `$expand`, `$search` (where the operation's page documents it) and (on delta
//! functions) `$deltatoken`, with or without the `$` prefix (beta accepts both). Anything else
//! is a 400 that names the option.

use crate::error::ApiError;
use crate::filter::{self, Expr, PropertyKind};

/// The parsed options of one request.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct QueryOptions {
    /// `$top`.
    pub top: Option<usize>,
    /// `$skip`.
    pub skip: usize,
    /// `$skiptoken`, as sent: where the previous page ended, signed for the tenant it was
    /// given to ([`SkipToken::verify`]).
    pub skip_token: Option<String>,
    /// `$filter`, and with it the terms of `$search`.
    pub filter: Option<Expr>,
    /// Whether `$search` was given (its terms are part of `filter`).
    pub search: bool,
    /// `$orderby`: its keys, first to last.
    pub order_by: Vec<OrderBy>,
    /// `$select`.
    pub select: Option<Vec<String>>,
    /// `$count=true`.
    pub count: bool,
    /// `$expand`: navigation properties to embed, each with its own `$select`.
    pub expand: Vec<Expand>,
    /// A delta function's `$deltatoken` or `$skiptoken`, as sent: the delta handler reads it.
    pub delta_token: Option<String>,
    /// A download's `$format` (`text/csv`, `application/json`; a file's conversion target).
    pub format: Option<String>,
}

/// One key of `$orderby`: `address/city desc`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderBy {
    /// The property path, `["address", "city"]`.
    pub path: Vec<String>,
    /// `desc` (else `asc`, the default).
    pub descending: bool,
}

/// A query option the mock knows, by its name without the `$`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum QueryOption {
    Top,
    Skip,
    SkipToken,
    DeltaToken,
    Filter,
    OrderBy,
    Select,
    Count,
    Expand,
    Format,
    Search,
}

impl QueryOption {
    const ALL: [QueryOption; 11] = [
        QueryOption::Top,
        QueryOption::Skip,
        QueryOption::SkipToken,
        QueryOption::DeltaToken,
        QueryOption::Filter,
        QueryOption::OrderBy,
        QueryOption::Select,
        QueryOption::Count,
        QueryOption::Expand,
        QueryOption::Format,
        QueryOption::Search,
    ];

    /// Its name, lower case, without the `$`.
    fn name(self) -> &'static str {
        match self {
            QueryOption::Top => "top",
            QueryOption::Skip => "skip",
            QueryOption::SkipToken => "skiptoken",
            QueryOption::DeltaToken => "deltatoken",
            QueryOption::Filter => "filter",
            QueryOption::OrderBy => "orderby",
            QueryOption::Select => "select",
            QueryOption::Count => "count",
            QueryOption::Expand => "expand",
            QueryOption::Format => "format",
            QueryOption::Search => "search",
        }
    }

    /// The option a query key names (`$top`, `top`, `$TOP`), if the mock knows it.
    fn named(key: &str) -> Option<QueryOption> {
        let name = key.strip_prefix('$').unwrap_or(key);
        (QueryOption::ALL.into_iter()).find(|option| option.name().eq_ignore_ascii_case(name))
    }

    /// Whether an empty value is no option at all, as OData's parser reads it (`$select=`
    /// selects everything).
    fn is_expression(self) -> bool {
        matches!(
            self,
            QueryOption::Filter
                | QueryOption::OrderBy
                | QueryOption::Select
                | QueryOption::Expand
                | QueryOption::SkipToken
                | QueryOption::DeltaToken
                | QueryOption::Search
        )
    }
}

/// One `$expand` item: `assignments`, or `assignments($select=id,target)`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Expand {
    /// The navigation property.
    pub property: String,
    /// Its nested `$select`.
    pub select: Option<Vec<String>>,
}

/// Where a page ended: how many items of the result were already returned, and the store
/// position of the last one (so that an unfiltered list resumes in O(page)).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SkipToken {
    /// Items already returned.
    pub returned: usize,
    /// The store sequence number of the last returned item.
    pub last_seq: u64,
}

impl SkipToken {
    /// The token's text.
    pub fn encode(&self) -> String {
        format!("{}-{}", self.returned, self.last_seq)
    }

    /// The token of a `$skiptoken` that `tenant` was given with `key`, or a Graph 400.
    pub fn verify(
        text: &str,
        tenant: &crate::tenant::Tenant,
        key: crate::tenant::TokenKey,
    ) -> Result<SkipToken, ApiError> {
        (tenant.verify(key, text).and_then(SkipToken::decode)).ok_or_else(|| {
            ApiError::bad_request(format!(
                "The value '{text}' of '$skiptoken' is not a valid skip token."
            ))
        })
    }

    fn decode(text: &str) -> Option<SkipToken> {
        let (returned, last_seq) = text.split_once('-')?;
        Some(SkipToken {
            returned: returned.parse().ok()?,
            last_seq: last_seq.parse().ok()?,
        })
    }
}

/// Which options a route accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Allowed {
    /// Lists accept them all, `$search` where their page documents it.
    Collection {
        /// Whether `$search` is accepted.
        search: bool,
    },
    /// A single entity accepts `$select` only.
    Single,
    /// A delta function accepts `$select`, `$filter` and its state tokens.
    Delta,
    /// A download (a usage report) accepts `$format`.
    Download,
    /// Writes, actions and functions accept none.
    None,
}

impl Allowed {
    /// Whether a route of this kind accepts `option`.
    fn permits(self, option: QueryOption) -> bool {
        match self {
            Allowed::Collection { search } => match option {
                QueryOption::DeltaToken => false,
                QueryOption::Search => search,
                _ => true,
            },
            Allowed::Single => matches!(option, QueryOption::Select | QueryOption::Expand),
            Allowed::Delta => matches!(
                option,
                QueryOption::Select
                    | QueryOption::Filter
                    | QueryOption::SkipToken
                    | QueryOption::DeltaToken
            ),
            Allowed::Download => option == QueryOption::Format,
            Allowed::None => false,
        }
    }
}

/// Parses a raw query string. `kind_of` describes the entity's properties for `$filter`,
/// `$orderby` and `$select`.
pub fn parse(
    raw: Option<&str>,
    allowed: Allowed,
    kind_of: &dyn Fn(&[String]) -> Option<PropertyKind>,
) -> Result<QueryOptions, ApiError> {
    let mut options = QueryOptions::default();
    let Some(raw) = raw else { return Ok(options) };
    let mut seen = Vec::new();
    let mut searched = None;
    for (key, value) in form_urlencoded::parse(raw.as_bytes()) {
        let option = QueryOption::named(&key)
            .filter(|option| allowed.permits(*option))
            .ok_or_else(|| {
                ApiError::bad_request(format!(
                    "Query option '{key}' is not supported on this request."
                ))
            })?;
        if seen.contains(&option) {
            return Err(ApiError::bad_request(format!(
                "Query option '${}' was specified more than once; it must be specified at most once.",
                option.name()
            )));
        }
        seen.push(option);
        if option.is_expression() && value.is_empty() {
            continue;
        }
        match option {
            // A delta function's state; elsewhere only `$skiptoken` is permitted: a list's page.
            QueryOption::SkipToken | QueryOption::DeltaToken if allowed == Allowed::Delta => {
                if options.delta_token.is_some() {
                    return Err(ApiError::bad_request(
                        "Only one of '$skiptoken' and '$deltatoken' may be given.",
                    ));
                }
                options.delta_token = Some(value.into_owned());
            }
            // Checked where the tenant it was signed for is known (the list handler).
            QueryOption::SkipToken | QueryOption::DeltaToken => {
                options.skip_token = Some(value.into_owned())
            }
            QueryOption::Top => options.top = Some(number(&key, &value)?),
            QueryOption::Skip => options.skip = number(&key, &value)?,
            QueryOption::Filter => {
                options.filter = Some(
                    filter::parse(&value, kind_of)
                        .map_err(|e| ApiError::bad_request(format!("Invalid $filter: {e}")))?,
                )
            }
            QueryOption::OrderBy => options.order_by = order_by(&value, kind_of)?,
            QueryOption::Select => options.select = Some(select(&value, kind_of)?),
            QueryOption::Expand => options.expand = expand(&value)?,
            QueryOption::Count => {
                options.count = match value.as_ref() {
                    "true" => true,
                    "false" => false,
                    other => {
                        return Err(ApiError::bad_request(format!(
                            "The value '{other}' of '{key}' is not true or false."
                        )));
                    }
                }
            }
            QueryOption::Format => options.format = Some(value.into_owned()),
            QueryOption::Search => {
                let terms = crate::search::parse(&value, kind_of)
                    .map_err(|e| ApiError::bad_request(format!("Invalid $search: {e}")))?;
                searched = Some(terms);
            }
        }
    }
    // `$search` narrows what `$filter` selects, wherever the two appear in the query.
    if let Some(terms) = searched {
        options.search = true;
        options.filter = Some(match options.filter.take() {
            Some(filter) => Expr::And(Box::new(filter), Box::new(terms)),
            None => terms,
        });
    }
    Ok(options)
}

/// A non-negative Edm.Int64 (`$top`, `$skip`); larger values are refused, as the service does.
fn number(key: &str, value: &str) -> Result<usize, ApiError> {
    value
        .parse::<i64>()
        .ok()
        .filter(|n| *n >= 0)
        .map(|n| usize::try_from(n).unwrap_or(usize::MAX))
        .ok_or_else(|| {
            ApiError::bad_request(format!(
                "The value '{value}' of '{key}' is not a non-negative Int64."
            ))
        })
}

fn order_by(
    value: &str,
    kind_of: &dyn Fn(&[String]) -> Option<PropertyKind>,
) -> Result<Vec<OrderBy>, ApiError> {
    value
        .split(',')
        .map(|clause| {
            let mut words = clause.split_whitespace();
            let property = words
                .next()
                .ok_or_else(|| ApiError::bad_request("$orderby has an empty clause."))?;
            let descending = match words.next() {
                None | Some("asc") => false,
                Some("desc") => true,
                Some(other) => {
                    return Err(ApiError::bad_request(format!(
                        "`{other}` in $orderby is not asc or desc."
                    )));
                }
            };
            if let Some(extra) = words.next() {
                return Err(ApiError::bad_request(format!(
                    "Unexpected `{extra}` in $orderby."
                )));
            }
            let path: Vec<String> = property.split('/').map(str::to_owned).collect();
            match kind_of(&path) {
                Some(PropertyKind::Other) => Err(ApiError::bad_request(format!(
                    "The property '{property}' cannot be used in $orderby."
                ))),
                Some(_) => Ok(OrderBy { path, descending }),
                None => Err(ApiError::bad_request(format!(
                    "Could not find a property named '{property}' on the type."
                ))),
            }
        })
        .collect()
}

/// `a,b($select=x,y)`: the items, split at the commas outside parentheses. Which properties
/// can be expanded is the handler's to check, against the entity's navigation properties.
fn expand(value: &str) -> Result<Vec<Expand>, ApiError> {
    let mut items = Vec::new();
    let (mut depth, mut start) = (0usize, 0usize);
    for (at, c) in value.char_indices().chain([(value.len(), ',')]) {
        match c {
            '(' => depth += 1,
            ')' => depth = depth.saturating_sub(1),
            ',' if depth == 0 => {
                items.push(expand_item(value[start..at].trim())?);
                start = at + 1;
            }
            _ => {}
        }
    }
    if depth != 0 {
        return Err(ApiError::bad_request(format!(
            "Invalid $expand '{value}': its parentheses do not match."
        )));
    }
    Ok(items)
}

fn expand_item(item: &str) -> Result<Expand, ApiError> {
    let invalid = || ApiError::bad_request(format!("Invalid $expand item '{item}'."));
    let (property, nested) = match item.split_once('(') {
        Some((property, rest)) => (
            property.trim(),
            Some(rest.strip_suffix(')').ok_or_else(invalid)?),
        ),
        None => (item, None),
    };
    if property.is_empty()
        || !property
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_')
    {
        return Err(invalid());
    }
    let select = match nested {
        None => None,
        Some(options) => {
            let (name, list) = options.split_once('=').ok_or_else(invalid)?;
            if !name
                .trim()
                .trim_start_matches('$')
                .eq_ignore_ascii_case("select")
            {
                return Err(ApiError::bad_request(format!(
                    "Query option '{}' is not supported inside $expand; only $select is.",
                    name.trim()
                )));
            }
            Some(list.split(',').map(|p| p.trim().to_owned()).collect())
        }
    };
    Ok(Expand {
        property: property.to_owned(),
        select,
    })
}

fn select(
    value: &str,
    kind_of: &dyn Fn(&[String]) -> Option<PropertyKind>,
) -> Result<Vec<String>, ApiError> {
    value
        .split(',')
        .map(str::trim)
        .map(|property| match kind_of(&[property.to_owned()]) {
            Some(_) => Ok(property.to_owned()),
            None => Err(ApiError::bad_request(format!(
                "Could not find a property named '{property}' on the type."
            ))),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A list whose page documents no `$search`.
    const LIST: Allowed = Allowed::Collection { search: false };

    fn kinds(path: &[String]) -> Option<PropertyKind> {
        match path.join("/").as_str() {
            "displayName" => Some(PropertyKind::String),
            "target" => Some(PropertyKind::Other),
            _ => None,
        }
    }

    #[test]
    fn search_narrows_the_filter_where_the_page_documents_it() {
        let searchable = Allowed::Collection { search: true };
        let q = parse(
            Some("$search=%22displayName:ada%22&$filter=displayName%20ne%20'x'"),
            searchable,
            &kinds,
        )
        .unwrap();
        assert!(q.search);
        assert!(matches!(q.filter, Some(Expr::And(..))), "{:?}", q.filter);
        let q = parse(Some("search=ada"), searchable, &kinds).unwrap();
        assert!(q.search && matches!(q.filter, Some(Expr::Function { .. })));
        let error = parse(Some("$search=%22colour:red%22"), searchable, &kinds).unwrap_err();
        assert!(error.message.contains("'colour'"), "{}", error.message);
    }

    #[test]
    fn options_parse_with_and_without_dollar() {
        let q = parse(
            Some("$top=5&skip=2&$count=true&select=displayName&$orderby=displayName%20desc"),
            LIST,
            &kinds,
        )
        .unwrap();
        assert_eq!((q.top, q.skip, q.count), (Some(5), 2, true));
        assert_eq!(q.select.unwrap(), ["displayName"]);
        assert_eq!(
            q.order_by,
            [OrderBy {
                path: vec!["displayName".to_owned()],
                descending: true
            }]
        );
    }

    #[test]
    fn bad_options_name_themselves() {
        let message = |raw: &str, allowed| parse(Some(raw), allowed, &kinds).unwrap_err().message;
        assert!(message("$search=x", LIST).contains("'$search'"));
        assert!(message("$expand=a(b", Allowed::Single).contains("parentheses"));
        assert!(message("$top=-1", LIST).contains("'$top'"));
        assert!(message("$top=1", Allowed::Single).contains("'$top'"));
        assert!(message("$select=colour", Allowed::Single).contains("'colour'"));
        assert!(message("$orderby=target", LIST).contains("'target'"));
        assert!(message("$top=1&top=2", LIST).contains("more than once"));
        assert!(message("$deltatoken=zz", LIST).contains("'$deltatoken'"));
        assert!(message("$top=5", Allowed::Delta).contains("'$top'"));
        assert!(message("$format=application/json", Allowed::Single).contains("'$format'"));
        assert!(message("$skiptoken=a&$deltatoken=b", Allowed::Delta).contains("Only one"));
    }

    #[test]
    fn delta_functions_take_their_tokens_as_sent() {
        let q = parse(
            Some("$select=displayName&$deltatoken=abc.1"),
            Allowed::Delta,
            &kinds,
        )
        .unwrap();
        assert_eq!(q.delta_token.as_deref(), Some("abc.1"));
        assert_eq!(q.skip_token, None);
    }

    #[test]
    fn empty_expressions_and_tokens_are_no_options() {
        for allowed in [LIST, Allowed::Delta] {
            let q = parse(Some("$filter=&$select=&$skiptoken="), allowed, &kinds).unwrap();
            assert_eq!(q, QueryOptions::default());
        }
        let q = parse(Some("$orderby=&$expand="), LIST, &kinds).unwrap();
        assert_eq!(q, QueryOptions::default());
        let q = parse(Some("$deltatoken="), Allowed::Delta, &kinds).unwrap();
        assert_eq!(q.delta_token, None);
        // Still only where the option is allowed, and still a number where one is needed.
        assert!(parse(Some("$filter="), Allowed::None, &kinds).is_err());
        assert!(parse(Some("$top="), LIST, &kinds).is_err());
    }

    #[test]
    fn skip_tokens_round_trip_for_their_tenant_only() {
        let token = SkipToken {
            returned: 100,
            last_seq: 4711,
        };
        let tenant = crate::tenant::Tenant::default();
        let key = crate::tenant::TokenKey::random();
        let signed = tenant.sign(key, &token.encode());
        assert_eq!(SkipToken::verify(&signed, &tenant, key).ok(), Some(token));
        let refused = SkipToken::verify("zz", &tenant, key).unwrap_err().message;
        assert!(refused.contains("skip token"), "{refused}");
    }
}
