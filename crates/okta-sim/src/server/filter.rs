//! The SCIM filter subset Okta accepts in `filter` and `search` parameters.
//!
//! Grammar: `expr := term ("or" term)*`, `term := factor ("and" factor)*`,
//! `factor := "not" factor | "(" expr ")" | path op value | path "pr"`, with operators
//! `eq ne co sw ew gt ge lt le`. Strings compare without regard to case; timestamps compare as
//! instants; an attribute inside an array matches when any element matches (`target.id`).

use chrono::DateTime;
use serde_json::Value;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    Eq,
    Ne,
    Co,
    Sw,
    Ew,
    Gt,
    Ge,
    Lt,
    Le,
    Pr,
}

impl Op {
    fn parse(word: &str) -> Option<Op> {
        Some(match word.to_ascii_lowercase().as_str() {
            "eq" => Op::Eq,
            "ne" => Op::Ne,
            "co" => Op::Co,
            "sw" => Op::Sw,
            "ew" => Op::Ew,
            "gt" => Op::Gt,
            "ge" => Op::Ge,
            "lt" => Op::Lt,
            "le" => Op::Le,
            "pr" => Op::Pr,
            _ => return None,
        })
    }
}

/// A parsed filter expression.
#[derive(Debug, Clone, PartialEq)]
pub enum Filter {
    Compare { path: String, op: Op, value: Value },
    And(Box<Filter>, Box<Filter>),
    Or(Box<Filter>, Box<Filter>),
    Not(Box<Filter>),
}

#[derive(Debug, Clone, PartialEq)]
enum Token {
    Word(String),
    Str(String),
    Open,
    Close,
}

fn tokenize(input: &str) -> Result<Vec<Token>, String> {
    let mut tokens = Vec::new();
    let mut chars = input.char_indices().peekable();
    while let Some(&(at, c)) = chars.peek() {
        match c {
            c if c.is_whitespace() => {
                chars.next();
            }
            '(' => {
                chars.next();
                tokens.push(Token::Open);
            }
            ')' => {
                chars.next();
                tokens.push(Token::Close);
            }
            '"' => {
                chars.next();
                let mut s = String::new();
                loop {
                    match chars.next() {
                        Some((_, '"')) => break,
                        Some((_, '\\')) => match chars.next() {
                            Some((_, e)) => s.push(e),
                            None => return Err(format!("unterminated string starting at {at}")),
                        },
                        Some((_, ch)) => s.push(ch),
                        None => return Err(format!("unterminated string starting at {at}")),
                    }
                }
                tokens.push(Token::Str(s));
            }
            _ => {
                let mut word = String::new();
                while let Some(&(_, ch)) = chars.peek() {
                    if ch.is_whitespace() || ch == '(' || ch == ')' || ch == '"' {
                        break;
                    }
                    word.push(ch);
                    chars.next();
                }
                tokens.push(Token::Word(word));
            }
        }
    }
    Ok(tokens)
}

struct Parser {
    tokens: Vec<Token>,
    pos: usize,
}

impl Parser {
    fn peek_word(&self, word: &str) -> bool {
        matches!(self.tokens.get(self.pos), Some(Token::Word(w)) if w.eq_ignore_ascii_case(word))
    }

    fn expr(&mut self) -> Result<Filter, String> {
        let mut left = self.term()?;
        while self.peek_word("or") {
            self.pos += 1;
            left = Filter::Or(Box::new(left), Box::new(self.term()?));
        }
        Ok(left)
    }

    fn term(&mut self) -> Result<Filter, String> {
        let mut left = self.factor()?;
        while self.peek_word("and") {
            self.pos += 1;
            left = Filter::And(Box::new(left), Box::new(self.factor()?));
        }
        Ok(left)
    }

    fn factor(&mut self) -> Result<Filter, String> {
        if self.peek_word("not") {
            self.pos += 1;
            return Ok(Filter::Not(Box::new(self.factor()?)));
        }
        match self.tokens.get(self.pos).cloned() {
            Some(Token::Open) => {
                self.pos += 1;
                let inner = self.expr()?;
                if self.tokens.get(self.pos) != Some(&Token::Close) {
                    return Err("missing ')'".into());
                }
                self.pos += 1;
                Ok(inner)
            }
            Some(Token::Word(path)) => {
                if !path.chars().all(|c| c.is_ascii_alphanumeric() || "._$-".contains(c))
                    || !path.starts_with(|c: char| c.is_ascii_alphabetic())
                {
                    return Err(format!("'{path}' is not an attribute name"));
                }
                self.pos += 1;
                let op = match self.tokens.get(self.pos) {
                    Some(Token::Word(w)) => Op::parse(w).ok_or_else(|| format!("'{w}' is not an operator"))?,
                    _ => return Err(format!("an operator must follow '{path}'")),
                };
                self.pos += 1;
                if op == Op::Pr {
                    return Ok(Filter::Compare { path, op, value: Value::Null });
                }
                let value = match self.tokens.get(self.pos).cloned() {
                    Some(Token::Str(s)) => Value::String(s),
                    Some(Token::Word(w)) => match w.as_str() {
                        "true" => Value::Bool(true),
                        "false" => Value::Bool(false),
                        "null" => Value::Null,
                        number => serde_json::from_str::<serde_json::Number>(number)
                            .map(Value::Number)
                            .map_err(|_| format!("'{number}' is not a value (strings need double quotes)"))?,
                    },
                    _ => return Err(format!("a value must follow '{path}'")),
                };
                self.pos += 1;
                Ok(Filter::Compare { path, op, value })
            }
            Some(other) => Err(format!("unexpected {other:?}")),
            None => Err("the expression ends too early".into()),
        }
    }
}

impl Filter {
    /// Parses an expression; the error says what is wrong, for Okta's E0000031 cause.
    pub fn parse(input: &str) -> Result<Filter, String> {
        let tokens = tokenize(input)?;
        if tokens.is_empty() {
            return Err("the expression is empty".into());
        }
        let mut parser = Parser { tokens, pos: 0 };
        let filter = parser.expr()?;
        if parser.pos != parser.tokens.len() {
            return Err(format!("unexpected text after the expression: {:?}", parser.tokens[parser.pos]));
        }
        Ok(filter)
    }

    /// Every `(attribute, operator)` used, so an endpoint can refuse what Okta refuses.
    pub fn comparisons(&self) -> Vec<(&str, Op)> {
        match self {
            Filter::Compare { path, op, .. } => vec![(path.as_str(), *op)],
            Filter::And(a, b) | Filter::Or(a, b) => {
                let mut v = a.comparisons();
                v.extend(b.comparisons());
                v
            }
            Filter::Not(a) => a.comparisons(),
        }
    }

    pub fn matches(&self, object: &Value) -> bool {
        match self {
            Filter::And(a, b) => a.matches(object) && b.matches(object),
            Filter::Or(a, b) => a.matches(object) || b.matches(object),
            Filter::Not(a) => !a.matches(object),
            Filter::Compare { path, op, value } => {
                let mut found = Vec::new();
                collect(object, &path.split('.').collect::<Vec<_>>(), &mut found);
                match op {
                    Op::Pr => found.iter().any(|v| !v.is_null()),
                    // `ne` holds when no value equals (an absent attribute is "not equal").
                    Op::Ne => !found.iter().any(|v| compare(v, Op::Eq, value)),
                    _ => found.iter().any(|v| compare(v, *op, value)),
                }
            }
        }
    }
}

fn collect<'a>(value: &'a Value, path: &[&str], out: &mut Vec<&'a Value>) {
    match value {
        Value::Array(items) => items.iter().for_each(|item| collect(item, path, out)),
        _ if path.is_empty() => out.push(value),
        Value::Object(map) => {
            if let Some(next) = map.get(path[0]) {
                collect(next, &path[1..], out);
            }
        }
        _ => {}
    }
}

fn compare(actual: &Value, op: Op, expected: &Value) -> bool {
    use std::cmp::Ordering;
    let ordering: Option<Ordering> = match (actual, expected) {
        (Value::String(a), Value::String(b)) => {
            match (DateTime::parse_from_rfc3339(a), DateTime::parse_from_rfc3339(b)) {
                (Ok(x), Ok(y)) => Some(x.cmp(&y)),
                _ => {
                    let (a, b) = (a.to_lowercase(), b.to_lowercase());
                    match op {
                        Op::Co => return a.contains(&b),
                        Op::Sw => return a.starts_with(&b),
                        Op::Ew => return a.ends_with(&b),
                        _ => Some(a.cmp(&b)),
                    }
                }
            }
        }
        (Value::Number(a), Value::Number(b)) => a.as_f64().zip(b.as_f64()).and_then(|(a, b)| a.partial_cmp(&b)),
        (Value::Bool(a), Value::Bool(b)) => Some(a.cmp(b)),
        (Value::Null, Value::Null) => Some(Ordering::Equal),
        (Value::Bool(a), Value::String(b)) => Some(a.to_string().cmp(&b.to_lowercase())),
        (Value::Number(a), Value::String(b)) => Some(a.to_string().cmp(b)),
        _ => None,
    };
    let Some(ordering) = ordering else { return false };
    match op {
        Op::Eq => ordering == Ordering::Equal,
        Op::Gt => ordering == Ordering::Greater,
        Op::Ge => ordering != Ordering::Less,
        Op::Lt => ordering == Ordering::Less,
        Op::Le => ordering != Ordering::Greater,
        Op::Co | Op::Sw | Op::Ew => ordering == Ordering::Equal,
        Op::Ne | Op::Pr => unreachable!("handled by the caller"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn event() -> Value {
        json!({
            "eventType": "user.session.start",
            "published": "2024-05-01T10:00:00.000Z",
            "outcome": {"result": "FAILURE", "reason": "INVALID_CREDENTIALS"},
            "actor": {"id": "00u1", "alternateId": "Jane.Doe@Acme.example"},
            "target": [{"id": "0oa1", "type": "AppInstance"}, {"id": "00u2", "type": "User"}],
            "client": {"ipAddress": "1.2.3.4", "zone": null},
            "debugContext": {"debugData": {"count": 3}}
        })
    }

    #[test]
    fn okta_examples_match() {
        let cases = [
            (r#"eventType eq "user.session.start" and outcome.result eq "FAILURE""#, true),
            (r#"eventType sw "user.mfa""#, false),
            (r#"target.id eq "00u2""#, true),
            (r#"target.type eq "Group""#, false),
            (r#"actor.alternateId eq "jane.doe@acme.example""#, true),
            (r#"not (client.ipAddress eq "1.2.3.4")"#, false),
            (r#"client.zone pr"#, false),
            (r#"actor.id pr or client.zone pr"#, true),
            (r#"debugContext.debugData.count gt 2"#, true),
            (r#"published gt "2024-05-01T09:00:00Z""#, true),
            (r#"eventType ne "user.session.end""#, true),
            (r#"actor.alternateId co "DOE@""#, true),
        ];
        for (filter, expected) in cases {
            assert_eq!(Filter::parse(filter).unwrap().matches(&event()), expected, "{filter}");
        }
    }

    #[test]
    fn malformed_expressions_are_refused() {
        for bad in
            ["", "eventType eq", "eventType equals \"x\"", "(eventType eq \"x\"", "eventType eq x y", "\"x\" eq 1"]
        {
            assert!(Filter::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn comparisons_are_listed() {
        let f = Filter::parse(r#"status eq "ACTIVE" or lastUpdated gt "2024-01-01T00:00:00.000Z""#).unwrap();
        assert_eq!(f.comparisons(), vec![("status", Op::Eq), ("lastUpdated", Op::Gt)]);
    }
}
