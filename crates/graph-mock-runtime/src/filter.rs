//! The `$filter` language: a parser into [`Expr`] and an evaluator over stored JSON entities.
//!
//! Supported: `eq ne gt ge lt le`, `in (...)`, `and or not`, parentheses, the functions
//! `startswith`, `endswith` and `contains`, on string, enum, number, boolean and DateTimeOffset
//! properties (nested properties as `a/b`), and the lambda operators `any` and `all` on
//! collections (`assignedLicenses/any(x:x/skuId eq 'id')`, `proxyAddresses/any(x:startswith(x,
//! 'smtp:'))`). Property names and literal types are checked against the entity's type when
//! parsing, so a bad filter is a 400, never a silent empty result.

use std::cmp::Ordering;

use serde_json::{Map, Value};
use time::OffsetDateTime;

/// What kind of value a property holds, as far as filtering cares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PropertyKind {
    /// String, Guid and other text primitives.
    String,
    /// An enum: compared by member name.
    Enum,
    /// Any numeric primitive.
    Number,
    /// Boolean.
    Boolean,
    /// DateTimeOffset.
    DateTime,
    /// A structured or collection value: not comparable.
    Other,
}

/// A parsed filter.
#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    /// `a or b`.
    Or(Box<Expr>, Box<Expr>),
    /// `a and b`.
    And(Box<Expr>, Box<Expr>),
    /// `not a`.
    Not(Box<Expr>),
    /// `property op literal`.
    Compare {
        /// The property path.
        path: Vec<String>,
        /// The operator.
        op: CompareOp,
        /// The literal.
        literal: Literal,
    },
    /// `startswith(property, 'text')` and friends.
    Function {
        /// Which function.
        function: StringFunction,
        /// The property path.
        path: Vec<String>,
        /// The text argument.
        text: String,
    },
    /// `property in (literal, ...)`: equal to one of them.
    In {
        /// The property path.
        path: Vec<String>,
        /// The literals.
        literals: Vec<Literal>,
    },
    /// `collection/any(x: ...)` or `collection/all(x: ...)`: whether some (or every) element
    /// passes `predicate`, whose paths start at the element ([`ELEMENT`]).
    Lambda {
        /// The collection's property path.
        path: Vec<String>,
        /// `all` rather than `any`.
        all: bool,
        /// The test of one element.
        predicate: Box<Expr>,
    },
}

/// The first segment of a path inside a lambda's predicate: the element itself (`x` of
/// `any(x: x/skuId eq ...)`). A property kind lookup sees it after the collection's path
/// (`assignedLicenses/*/skuId`).
pub const ELEMENT: &str = "*";

impl Expr {
    /// Whether it reads every property (a `$search` term without one), not only those
    /// [`Expr::top_level_properties`] names.
    pub fn reads_every_property(&self) -> bool {
        match self {
            Expr::Or(a, b) | Expr::And(a, b) => {
                a.reads_every_property() || b.reads_every_property()
            }
            Expr::Not(a) => a.reads_every_property(),
            Expr::Function { path, .. } => path.is_empty(),
            Expr::Compare { .. } | Expr::In { .. } | Expr::Lambda { .. } => false,
        }
    }

    /// Adds the first segment of every property path the filter reads to `out`.
    pub fn top_level_properties<'a>(&'a self, out: &mut Vec<&'a str>) {
        match self {
            Expr::Or(a, b) | Expr::And(a, b) => {
                a.top_level_properties(out);
                b.top_level_properties(out);
            }
            Expr::Not(a) => a.top_level_properties(out),
            Expr::Compare { path, .. }
            | Expr::In { path, .. }
            | Expr::Function { path, .. }
            | Expr::Lambda { path, .. } => {
                if let Some(first) = path.first()
                    && !out.contains(&first.as_str())
                {
                    out.push(first);
                }
            }
        }
    }
}

/// A comparison operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CompareOp {
    /// `eq`.
    Eq,
    /// `ne`.
    Ne,
    /// `gt`.
    Gt,
    /// `ge`.
    Ge,
    /// `lt`.
    Lt,
    /// `le`.
    Le,
}

/// A string function.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StringFunction {
    /// `startswith`.
    StartsWith,
    /// `endswith`.
    EndsWith,
    /// `contains`.
    Contains,
    /// A `$search` term (no `$filter` function): each word of the text starts a word of the
    /// value, in any case.
    Words,
}

/// A literal value.
#[derive(Debug, Clone, PartialEq)]
pub enum Literal {
    /// `'text'`.
    String(String),
    /// `42`, `-1.5`.
    Number(f64),
    /// `true`, `false`.
    Boolean(bool),
    /// `null`.
    Null,
    /// `2016-12-31T23:58:36Z`.
    DateTime(OffsetDateTime),
}

#[derive(Debug, Clone, PartialEq)]
enum Token {
    Open,
    Close,
    Comma,
    Quoted(String),
    Word(String),
}

fn tokenize(text: &str) -> Result<Vec<Token>, String> {
    let mut tokens = Vec::new();
    let mut chars = text.chars().peekable();
    while let Some(&c) = chars.peek() {
        match c {
            c if c.is_whitespace() => {
                chars.next();
            }
            '(' | ')' | ',' => {
                chars.next();
                tokens.push(match c {
                    '(' => Token::Open,
                    ')' => Token::Close,
                    _ => Token::Comma,
                });
            }
            '\'' => {
                chars.next();
                let mut text = String::new();
                loop {
                    match chars.next() {
                        Some('\'') if chars.peek() == Some(&'\'') => {
                            chars.next();
                            text.push('\'');
                        }
                        Some('\'') => break,
                        Some(c) => text.push(c),
                        None => return Err("a string literal is not closed with `'`".to_owned()),
                    }
                }
                tokens.push(Token::Quoted(text));
            }
            _ => {
                let mut word = String::new();
                while let Some(&c) = chars.peek() {
                    if c.is_whitespace() || matches!(c, '(' | ')' | ',' | '\'') {
                        break;
                    }
                    word.push(c);
                    chars.next();
                }
                tokens.push(Token::Word(word));
            }
        }
    }
    Ok(tokens)
}

/// Parses `text`; `kind_of` gives the kind of a property path, or `None` if the type has no
/// such property. Errors are messages for a 400.
pub fn parse(
    text: &str,
    kind_of: &dyn Fn(&[String]) -> Option<PropertyKind>,
) -> Result<Expr, String> {
    let tokens = tokenize(text)?;
    let mut parser = Parser {
        tokens,
        pos: 0,
        kind_of,
        depth: 0,
        lambda: None,
    };
    let expr = parser.or()?;
    match parser.tokens.get(parser.pos) {
        None => Ok(expr),
        Some(token) => Err(format!("unexpected {} in $filter", describe(token))),
    }
}

/// Filters nest at most this deep, so that a hostile filter cannot exhaust the stack.
const MAX_DEPTH: usize = 64;

struct Parser<'a> {
    tokens: Vec<Token>,
    pos: usize,
    kind_of: &'a dyn Fn(&[String]) -> Option<PropertyKind>,
    depth: usize,
    /// Inside a lambda's predicate: its variable and the collection's path.
    lambda: Option<(String, Vec<String>)>,
}

fn describe(token: &Token) -> String {
    match token {
        Token::Open => "`(`".to_owned(),
        Token::Close => "`)`".to_owned(),
        Token::Comma => "`,`".to_owned(),
        Token::Quoted(t) => format!("'{t}'"),
        Token::Word(w) => format!("`{w}`"),
    }
}

impl Parser<'_> {
    fn peek_word(&self, word: &str) -> bool {
        matches!(self.tokens.get(self.pos), Some(Token::Word(w)) if w == word)
    }

    fn next(&mut self) -> Result<Token, String> {
        let token = self
            .tokens
            .get(self.pos)
            .cloned()
            .ok_or("the $filter expression ends too early")?;
        self.pos += 1;
        Ok(token)
    }

    fn expect(&mut self, want: &Token) -> Result<(), String> {
        let token = self.next()?;
        if &token == want {
            Ok(())
        } else {
            Err(format!(
                "expected {} in $filter, found {}",
                describe(want),
                describe(&token)
            ))
        }
    }

    fn or(&mut self) -> Result<Expr, String> {
        let mut left = self.and()?;
        while self.peek_word("or") {
            self.pos += 1;
            left = Expr::Or(Box::new(left), Box::new(self.and()?));
        }
        Ok(left)
    }

    fn and(&mut self) -> Result<Expr, String> {
        let mut left = self.unary()?;
        while self.peek_word("and") {
            self.pos += 1;
            left = Expr::And(Box::new(left), Box::new(self.unary()?));
        }
        Ok(left)
    }

    fn unary(&mut self) -> Result<Expr, String> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(format!(
                "the $filter expression nests deeper than {MAX_DEPTH} levels"
            ));
        }
        let expr = if self.peek_word("not") {
            self.pos += 1;
            Expr::Not(Box::new(self.unary()?))
        } else {
            self.primary()?
        };
        self.depth -= 1;
        Ok(expr)
    }

    fn primary(&mut self) -> Result<Expr, String> {
        match self.next()? {
            Token::Open => {
                let inner = self.or()?;
                self.expect(&Token::Close)?;
                Ok(inner)
            }
            Token::Word(word) if matches!(self.tokens.get(self.pos), Some(Token::Open)) => {
                match word.rsplit_once('/') {
                    Some((collection, operator @ ("any" | "all"))) => {
                        self.lambda_call(collection, operator == "all")
                    }
                    _ => self.function(&word),
                }
            }
            Token::Word(word) if self.peek_word("in") => {
                self.pos += 1;
                self.membership(&word)
            }
            Token::Word(word) => {
                let path = self.property(&word)?;
                let op = match self.next()? {
                    Token::Word(op) => match op.as_str() {
                        "eq" => CompareOp::Eq,
                        "ne" => CompareOp::Ne,
                        "gt" => CompareOp::Gt,
                        "ge" => CompareOp::Ge,
                        "lt" => CompareOp::Lt,
                        "le" => CompareOp::Le,
                        other => {
                            return Err(format!("`{other}` is not a supported $filter operator"));
                        }
                    },
                    other => {
                        return Err(format!(
                            "expected an operator after `{word}`, found {}",
                            describe(&other)
                        ));
                    }
                };
                let literal = self.literal()?;
                check_compatible(&word, self.kind(&path), &literal, op)?;
                Ok(Expr::Compare { path, op, literal })
            }
            other => Err(format!(
                "expected a property, `not` or `(` in $filter, found {}",
                describe(&other)
            )),
        }
    }

    fn function(&mut self, name: &str) -> Result<Expr, String> {
        let function = match name.to_ascii_lowercase().as_str() {
            "startswith" => StringFunction::StartsWith,
            "endswith" => StringFunction::EndsWith,
            "contains" => StringFunction::Contains,
            _ => return Err(format!("`{name}` is not a supported $filter function")),
        };
        self.expect(&Token::Open)?;
        let property = match self.next()? {
            Token::Word(w) => w,
            other => {
                return Err(format!(
                    "expected a property in {name}(), found {}",
                    describe(&other)
                ));
            }
        };
        let path = self.property(&property)?;
        if !matches!(self.kind(&path), PropertyKind::String | PropertyKind::Enum) {
            return Err(format!(
                "{name}() needs a string property, and `{property}` is not one"
            ));
        }
        self.expect(&Token::Comma)?;
        let text = match self.next()? {
            Token::Quoted(text) => text,
            other => {
                return Err(format!(
                    "expected a string literal in {name}(), found {}",
                    describe(&other)
                ));
            }
        };
        self.expect(&Token::Close)?;
        Ok(Expr::Function {
            function,
            path,
            text,
        })
    }

    /// `word` as a property path: of the entity, or, inside a lambda, of its element when it
    /// starts with the lambda's variable (`x/skuId` is `[ELEMENT, "skuId"]`).
    fn property(&self, word: &str) -> Result<Vec<String>, String> {
        let mut path: Vec<String> = word.split('/').map(str::to_owned).collect();
        if let Some((variable, _)) = &self.lambda
            && path[0] == *variable
        {
            path[0] = ELEMENT.to_owned();
        }
        match (self.kind_of)(&self.full_path(&path)) {
            Some(_) => Ok(path),
            None => Err(format!(
                "Could not find a property named '{word}' on the type"
            )),
        }
    }

    /// A path as the kind lookup sees it: an element's path after its collection's.
    fn full_path(&self, path: &[String]) -> Vec<String> {
        match &self.lambda {
            Some((_, collection)) if path.first().is_some_and(|p| p == ELEMENT) => {
                collection.iter().chain(path).cloned().collect()
            }
            _ => path.to_vec(),
        }
    }

    /// The kind of a parsed property path.
    fn kind(&self, path: &[String]) -> PropertyKind {
        (self.kind_of)(&self.full_path(path)).unwrap_or(PropertyKind::Other)
    }

    /// `property in ('a', 'b')`: one list, not a chain of `or`s, so that a long list nests
    /// nothing.
    fn membership(&mut self, word: &str) -> Result<Expr, String> {
        let path = self.property(word)?;
        let kind = self.kind(&path);
        self.expect(&Token::Open)?;
        let mut literals = Vec::new();
        loop {
            let literal = self.literal()?;
            check_compatible(word, kind, &literal, CompareOp::Eq)?;
            literals.push(literal);
            match self.next()? {
                Token::Comma => {}
                Token::Close => break,
                other => {
                    return Err(format!(
                        "expected `,` or `)` in the list of `{word} in (...)`, found {}",
                        describe(&other)
                    ));
                }
            }
        }
        Ok(Expr::In { path, literals })
    }

    /// `collection/any(x: predicate)` (or `all`); `collection/any()` is whether it has any
    /// element.
    fn lambda_call(&mut self, collection: &str, all: bool) -> Result<Expr, String> {
        let operator = if all { "all" } else { "any" };
        if self.lambda.is_some() {
            return Err(format!(
                "a lambda inside a lambda (`{collection}/{operator}`) is not supported"
            ));
        }
        let path = self.property(collection)?;
        if (self.kind_of)(&[path.clone(), vec![ELEMENT.to_owned()]].concat()).is_none() {
            return Err(format!(
                "`{collection}/{operator}`: `{collection}` is not a collection"
            ));
        }
        self.expect(&Token::Open)?;
        if matches!(self.tokens.get(self.pos), Some(Token::Close)) && !all {
            self.pos += 1;
            let element = Expr::Compare {
                path: vec![ELEMENT.to_owned()],
                op: CompareOp::Ne,
                literal: Literal::Null,
            };
            return Ok(Expr::Lambda {
                path,
                all,
                predicate: Box::new(element),
            });
        }
        // `x:x/skuId eq ...` is one word: the variable, then the predicate's first token.
        let (variable, rest) = match self.tokens.get(self.pos) {
            Some(Token::Word(word)) => match word.split_once(':') {
                Some((variable, rest)) if !variable.is_empty() => {
                    (variable.to_owned(), rest.to_owned())
                }
                _ => {
                    return Err(format!(
                        "expected `variable:` in `{collection}/{operator}(...)`, found `{word}`"
                    ));
                }
            },
            Some(other) => {
                return Err(format!(
                    "expected `variable:` in `{collection}/{operator}(...)`, found {}",
                    describe(other)
                ));
            }
            None => return Err("the $filter expression ends too early".to_owned()),
        };
        if rest.is_empty() {
            self.pos += 1;
        } else {
            self.tokens[self.pos] = Token::Word(rest);
        }
        self.lambda = Some((variable, path.clone()));
        let predicate = self.or();
        self.lambda = None;
        let predicate = predicate?;
        self.expect(&Token::Close)?;
        Ok(Expr::Lambda {
            path,
            all,
            predicate: Box::new(predicate),
        })
    }

    fn literal(&mut self) -> Result<Literal, String> {
        match self.next()? {
            Token::Quoted(text) => Ok(Literal::String(text)),
            Token::Word(word) => match word.as_str() {
                "null" => Ok(Literal::Null),
                "true" => Ok(Literal::Boolean(true)),
                "false" => Ok(Literal::Boolean(false)),
                // OData writes a Guid unquoted (`skuId eq 184efa21-98c3-4e5d-95ab-d07053a96e67`).
                _ if uuid::Uuid::try_parse(&word).is_ok() => Ok(Literal::String(word)),
                _ => {
                    if let Ok(number) = word.parse::<f64>()
                        && number.is_finite()
                    {
                        return Ok(Literal::Number(number));
                    }
                    graph_odata::DateTimeOffset::parse(&word)
                        .map(|d| Literal::DateTime(d.to_offset_date_time()))
                        .map_err(|_| format!("`{word}` is not a valid $filter literal"))
                }
            },
            other => Err(format!(
                "expected a literal in $filter, found {}",
                describe(&other)
            )),
        }
    }
}

fn check_compatible(
    property: &str,
    kind: PropertyKind,
    literal: &Literal,
    op: CompareOp,
) -> Result<(), String> {
    let ok = match (kind, literal) {
        (_, Literal::Null) => matches!(op, CompareOp::Eq | CompareOp::Ne),
        (PropertyKind::String | PropertyKind::Enum, Literal::String(_)) => true,
        (PropertyKind::Number, Literal::Number(_)) => true,
        (PropertyKind::Boolean, Literal::Boolean(_)) => matches!(op, CompareOp::Eq | CompareOp::Ne),
        (PropertyKind::DateTime, Literal::DateTime(_)) => true,
        _ => false,
    };
    if ok {
        Ok(())
    } else {
        Err(format!(
            "A binary operator with incompatible types was detected: the property '{property}' cannot be compared with {literal:?}"
        ))
    }
}

/// The value at `path` in `entity` (`Null` when absent); a path from [`ELEMENT`] starts at
/// `element`, the collection element a lambda tests.
fn lookup<'a>(
    entity: &'a Map<String, Value>,
    element: Option<&'a Value>,
    path: &[String],
) -> &'a Value {
    let mut current: Option<&Value> = None;
    for (i, segment) in path.iter().enumerate() {
        current = match (i, element) {
            (0, Some(element)) if segment == ELEMENT => Some(element),
            (0, _) => entity.get(segment),
            _ => current.and_then(|v| v.get(segment)),
        };
    }
    current.unwrap_or(&Value::Null)
}

/// Whether `entity` passes the filter.
pub fn matches(expr: &Expr, entity: &Map<String, Value>) -> bool {
    passes(expr, entity, None)
}

/// Whether `entity` passes `expr`, with `element` the collection element a lambda tests.
fn passes(expr: &Expr, entity: &Map<String, Value>, element: Option<&Value>) -> bool {
    match expr {
        Expr::Or(a, b) => passes(a, entity, element) || passes(b, entity, element),
        Expr::And(a, b) => passes(a, entity, element) && passes(b, entity, element),
        Expr::Not(a) => !passes(a, entity, element),
        Expr::Lambda {
            path,
            all,
            predicate,
        } => {
            let items = lookup(entity, element, path).as_array().map(Vec::as_slice);
            let mut items = items.unwrap_or_default().iter();
            let test = |item: &Value| passes(predicate, entity, Some(item));
            match all {
                true => items.all(test),
                false => items.any(test),
            }
        }
        // A `$search` term without a property is searched for in every string property.
        Expr::Function {
            function: StringFunction::Words,
            path,
            text,
        } if path.is_empty() => has_words(entity.values().filter_map(Value::as_str), text),
        Expr::Function {
            function,
            path,
            text,
        } => lookup(entity, element, path)
            .as_str()
            .is_some_and(|value| match function {
                StringFunction::Words => has_words(std::iter::once(value), text),
                StringFunction::StartsWith => {
                    value.to_lowercase().starts_with(&text.to_lowercase())
                }
                StringFunction::EndsWith => value.to_lowercase().ends_with(&text.to_lowercase()),
                StringFunction::Contains => value.to_lowercase().contains(&text.to_lowercase()),
            }),
        Expr::Compare { path, op, literal } => {
            compares(lookup(entity, element, path), *op, literal)
        }
        Expr::In { path, literals } => {
            let value = lookup(entity, element, path);
            (literals.iter()).any(|literal| compares(value, CompareOp::Eq, literal))
        }
    }
}

/// Whether each word of `text` starts a word of one of `values`, in any case: how Graph's
/// `$search` matches a term (`"displayName:ada love"` finds `Ada Lovelace`).
fn has_words<'a>(mut values: impl Iterator<Item = &'a str>, text: &str) -> bool {
    let wanted = words(text);
    values.any(|value| {
        let have = words(value);
        (wanted.iter()).all(|wanted| have.iter().any(|word| word.starts_with(wanted.as_str())))
    })
}

/// The words of `text`, lower case: its runs of letters and digits.
fn words(text: &str) -> Vec<String> {
    (text.split(|c: char| !c.is_alphanumeric()))
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect()
}

/// Whether `value op literal` holds.
fn compares(value: &Value, op: CompareOp, literal: &Literal) -> bool {
    match (op, compare_to_literal(value, literal)) {
        (CompareOp::Eq, Some(o)) => o == Ordering::Equal,
        (CompareOp::Ne, Some(o)) => o != Ordering::Equal,
        (CompareOp::Ne, None) => true,
        (CompareOp::Gt, Some(o)) => o == Ordering::Greater,
        (CompareOp::Ge, Some(o)) => o != Ordering::Less,
        (CompareOp::Lt, Some(o)) => o == Ordering::Less,
        (CompareOp::Le, Some(o)) => o != Ordering::Greater,
        (_, None) => false,
    }
}

/// How a stored value compares with a literal; `None` when they cannot be compared (a missing
/// value against anything but `null`).
fn compare_to_literal(value: &Value, literal: &Literal) -> Option<Ordering> {
    match (value, literal) {
        (Value::Null, Literal::Null) => Some(Ordering::Equal),
        (_, Literal::Null) => Some(Ordering::Greater),
        (Value::String(s), Literal::String(t)) => Some(s.as_str().cmp(t.as_str())),
        (Value::Number(n), Literal::Number(m)) => n.as_f64().and_then(|n| n.partial_cmp(m)),
        (Value::Bool(b), Literal::Boolean(c)) => Some(b.cmp(c)),
        (Value::String(s), Literal::DateTime(t)) => graph_odata::DateTimeOffset::parse(s)
            .ok()
            .map(|d| d.to_offset_date_time().cmp(t)),
        _ => None,
    }
}

/// The `$orderby` order of two stored values: nulls first, then by JSON type's natural order;
/// timestamps compare as instants.
pub fn compare_values(a: &Value, b: &Value) -> Ordering {
    match (a, b) {
        (Value::Null, Value::Null) => Ordering::Equal,
        (Value::Null, _) => Ordering::Less,
        (_, Value::Null) => Ordering::Greater,
        (Value::Number(x), Value::Number(y)) => x
            .as_f64()
            .partial_cmp(&y.as_f64())
            .unwrap_or(Ordering::Equal),
        (Value::Bool(x), Value::Bool(y)) => x.cmp(y),
        (Value::String(x), Value::String(y)) => {
            match (
                graph_odata::DateTimeOffset::parse(x),
                graph_odata::DateTimeOffset::parse(y),
            ) {
                (Ok(x), Ok(y)) => x.to_offset_date_time().cmp(&y.to_offset_date_time()),
                _ => x.cmp(y),
            }
        }
        _ => a.to_string().cmp(&b.to_string()),
    }
}

/// The `$orderby` value of a property path in an entity.
pub fn sort_key<'a>(entity: &'a Map<String, Value>, path: &[String]) -> &'a Value {
    lookup(entity, None, path)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn kinds(path: &[String]) -> Option<PropertyKind> {
        match path.join("/").as_str() {
            "displayName" | "target/groupId" | "tags/*" | "licenses/*/skuId" => {
                Some(PropertyKind::String)
            }
            "tags" | "licenses" | "licenses/*" => Some(PropertyKind::Other),
            "state" => Some(PropertyKind::Enum),
            "count" => Some(PropertyKind::Number),
            "enabled" => Some(PropertyKind::Boolean),
            "when" => Some(PropertyKind::DateTime),
            _ => None,
        }
    }

    fn check(filter: &str, entity: serde_json::Value) -> bool {
        let expr = parse(filter, &kinds).unwrap_or_else(|e| panic!("{filter}: {e}"));
        matches(&expr, entity.as_object().unwrap())
    }

    #[test]
    fn every_operator() {
        let e = json!({"displayName": "Alpha O'Neil", "state": "active", "count": 5, "enabled": true,
                       "when": "2020-01-01T00:00:00Z", "target": {"groupId": "g1"}});
        assert!(check("state eq 'active'", e.clone()));
        assert!(check("state ne 'error'", e.clone()));
        assert!(check(
            "count gt 4 and count ge 5 and count lt 6 and count le 5",
            e.clone()
        ));
        assert!(!check("count gt 5", e.clone()));
        assert!(check("enabled eq true", e.clone()));
        assert!(!check(
            "when gt 2019-12-31T23:00:00-02:00 or count eq 0",
            e.clone()
        ));
        assert!(check("when lt 2019-12-31T23:00:00-02:00", e.clone()));
        assert!(check("not (state eq 'error')", e.clone()));
        assert!(check("startswith(displayName, 'alpha')", e.clone()));
        assert!(check("contains(displayName, 'o''neil')", e.clone()));
        assert!(check("endswith(displayName, 'Neil')", e.clone()));
        assert!(check("target/groupId eq 'g1'", e.clone()));
        assert!(check(
            "(state eq 'error' or state eq 'active') and not enabled eq false",
            e.clone()
        ));
        assert!(check("displayName ne null", e.clone()));
        assert!(check("state eq null", json!({})));
    }

    /// `in`, and the lambda operators on collections of strings and of objects.
    #[test]
    fn membership_and_lambdas() {
        let e = json!({"state": "active", "count": 5, "tags": ["smtp:a@x", "b"],
                       "licenses": [{"skuId": "s1"}, {"skuId": "s2"}]});
        assert!(check("state in ('error', 'active')", e.clone()));
        assert!(!check("state in ('error')", e.clone()));
        assert!(check(
            "count in (1, 5) and not state in ('x', 'y')",
            e.clone()
        ));
        assert!(check("tags/any(x:x eq 'b')", e.clone()));
        assert!(check("tags/any(t: startswith(t, 'SMTP:'))", e.clone()));
        assert!(!check("tags/all(t: startswith(t, 'smtp:'))", e.clone()));
        assert!(check("licenses/any(l:l/skuId eq 's2')", e.clone()));
        assert!(check("licenses/all(l:l/skuId in ('s1', 's2'))", e.clone()));
        assert!(!check("licenses/any(l:l/skuId eq 's3')", e.clone()));
        assert!(check("licenses/any()", e.clone()));
        let guid = json!({"licenses": [{"skuId": "184efa21-98c3-4e5d-95ab-d07053a96e67"}]});
        assert!(check(
            "licenses/any(s:s/skuId eq 184efa21-98c3-4e5d-95ab-d07053a96e67)",
            guid
        ));
        assert!(!check("licenses/any(l:l/skuId eq 's1')", json!({})));
        assert!(check(
            "licenses/all(l:l/skuId eq 's1')",
            json!({"licenses": []})
        ));
        // A long list nests nothing: no stack to exhaust.
        let long = (0..100_000)
            .map(|n| n.to_string())
            .collect::<Vec<_>>()
            .join(",");
        assert!(check(
            &format!("count in ({long})"),
            json!({"count": 99_999})
        ));
    }

    #[test]
    fn bad_filters_say_why() {
        let err = |f: &str| parse(f, &kinds).unwrap_err();
        assert!(err("colour eq 'red'").contains("'colour'"));
        assert!(err("count eq 'five'").contains("incompatible"));
        assert!(err("state eq 'a").contains("not closed"));
        assert!(err("state like 'a'").contains("`like`"));
        assert!(err("startswith(count, 'a')").contains("string property"));
        assert!(err("state eq").contains("ends too early"));
        assert!(err("state eq 'a' 'b'").contains("unexpected"));
        assert!(err(&"(".repeat(10_000)).contains("deeper"));
        assert!(err(&"not ".repeat(10_000)).contains("deeper"));
        assert!(err("state in ('a' 'b')").contains("`,` or `)`"));
        assert!(err("count in ('a')").contains("incompatible"));
        assert!(err("displayName/any(x:x eq 'a')").contains("not a collection"));
        assert!(err("tags/any(x eq 'a')").contains("variable:"));
        assert!(err("licenses/any(l:l/colour eq 'a')").contains("'l/colour'"));
        assert!(err("licenses/any(l:tags/any(t:t eq 'a'))").contains("inside a lambda"));
    }

    #[test]
    fn ordering_puts_nulls_first_and_compares_instants() {
        assert_eq!(compare_values(&json!(null), &json!("a")), Ordering::Less);
        assert_eq!(
            compare_values(
                &json!("2020-01-01T00:00:00+01:00"),
                &json!("2020-01-01T00:00:00Z")
            ),
            Ordering::Less
        );
        assert_eq!(compare_values(&json!(2), &json!(10)), Ordering::Less);
    }
}
