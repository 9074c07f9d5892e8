/*!
PostgreSQL-dialect `SELECT` → SQLite SQL with the same answers.

The translator walks the `sqlparser` AST of one query and writes SQLite SQL for the constructs it
knows; anything else is refused with the construct's position, never passed through. It binds
names as PostgreSQL does (FROM items, aliases, CTEs, outer queries), infers each expression's
PostgreSQL type, and uses the types where the two engines differ. (It writes SQL text rather than
mutating the AST in place: the rewrites depend on types known only bottom-up and on name scopes,
and writing every construct explicitly is what makes the allow-list exhaustive.)

| PostgreSQL | SQLite |
|---|---|
| `a @> b`, `b <@ a` (jsonb) | `pg_jsonb_contains(a, b)`, plus `json_extract(a, '$."k"') = 'v'` for each string key of a literal pattern on a column (uses the `okta/org` expression index) |
| `j -> 'k'`, `j -> 2`, `j ->> ...` | `pg_jsonb_get(j, k)` (jsonb text), `pg_jsonb_get_text(j, k)` (numbers as `numeric` prints them, `true`/`false`, objects as jsonb text, JSON null as NULL) |
| `j #> path`, `j #>> path` (`'{a,1}'`, `ARRAY[...]`) | `pg_jsonb_path(j, '["a","1"]')`, `pg_jsonb_path_text(...)` |
| `j ? k`, `j ?\| arr`, `j ?& arr` | `pg_jsonb_exists`, `pg_jsonb_exists_any`, `pg_jsonb_exists_all` (no `?` reaches SQLite) |
| `=`/`<>` between jsonb | `pg_jsonb_eq` (numbers by value, objects by key) |
| `LIKE`, `NOT LIKE`, `~~`, `ILIKE`, `~~*`, `... ESCAPE c` | `pg_like`/`pg_ilike`: case-sensitive LIKE, `\` default escape, Unicode case folding for ILIKE |
| `::jsonb`/`::json`, `::text`/`::varchar`, `::int`/`::integer`/`::bigint`/`::smallint`, `::numeric`, `::real`/`::float8`, `::boolean`, `CAST(x AS ...)` | `pg_jsonb` (validates and normalises), `pg_jsonb(j)` for jsonb→text, `CASE` for boolean→`'true'`/`'false'`, `pg_int(x, bits)` (rounds numerics, parses text strictly, range-checks), `pg_numeric`, `pg_float`, `pg_bool`, `pg_jsonb_num` (jsonb number → number); literals are converted at translation |
| `'literal'` next to a typed value | converted to that type (`count(*) > '1'`, `resources = 'yes'`, `labels = '{...}'`) as PostgreSQL's `unknown` type is |
| `/`, `%` | `pg_div`, `pg_mod` (integer division truncates, division by zero is an error) |
| `ORDER BY x [ASC\|DESC]` | `NULLS LAST` ascending, `NULLS FIRST` descending, unless given |
| `count`, `sum`, `avg`, `min`, `max` (with `DISTINCT`, `FILTER`) | the same |
| `string_agg(x, sep [ORDER BY ...])` | `group_concat(x, sep [ORDER BY ...])` |
| `array_agg(x [ORDER BY])`, `jsonb_agg`, `json_agg` | `nullif(json_group_array(...), '[]')` (NULL over no rows; `DISTINCT` sorts as PostgreSQL does) |
| `bool_and`/`every`, `bool_or` | `min`, `max` |
| `lower`, `upper` | `pg_lower`, `pg_upper` (Unicode) |
| `substr`, `substring(s FROM a FOR b)` | `pg_substr` (PostgreSQL's bounds for start < 1) |
| `length`, `char_length`, `octet_length`, `replace`, `trim`/`btrim`/`ltrim`/`rtrim`, `TRIM(... FROM ...)`, `position(a IN b)`, `strpos`, `concat`, `coalesce`, `nullif`, `abs` | the SQLite functions of the same meaning (`instr` for position) |
| `round`, `ceil`/`ceiling`, `floor` | `pg_round` (half away from zero on decimal digits), `pg_ceil`, `pg_floor` |
| `jsonb_typeof`, `jsonb_array_length` (and `json_`) | `pg_jsonb_typeof`, `pg_jsonb_array_length` |
| `jsonb_array_elements[_text]`, `jsonb_each[_text]`, `jsonb_object_keys` in FROM (implicitly lateral), or one in the select list | table-valued functions `pg_jsonb_array_elements(...)` etc. (`crate::table_functions`) |
| `now()`, `current_timestamp` | the statement's start time as RFC 3339 text (the format timestamps are stored in) |
| `x = ANY(ARRAY[...])`, `x <> ALL(...)` | `IN`, `NOT IN` |
| joins (inner, left, right, full, cross, `USING`, `NATURAL`), subqueries, `EXISTS`, `IN (SELECT)`, CTEs (also `RECURSIVE`), `UNION [ALL]`, `INTERSECT`, `EXCEPT`, `VALUES`, `CASE`, `BETWEEN`, `IS [NOT] NULL/TRUE/FALSE/DISTINCT FROM`, `LIMIT`/`OFFSET`/`FETCH FIRST` | the same, with every column qualified, `*` expanded in PostgreSQL's order, set-operation arms wrapped where SQLite's grammar or precedence differs |

Refused, with the position of the construct: any statement but `SELECT`/`WITH ... SELECT`; more
than one statement; `SELECT ... INTO`; `FOR UPDATE`; data-modifying CTEs; functions not listed
above (`load_extension`, `readfile`, `sqlite_version`, `randomblob`, `date_trunc`, ...); window
functions; regular expressions (`~`, `SIMILAR TO`); intervals and date/time arithmetic; `COLLATE`;
arrays other than as listed; `DISTINCT ON`; `GROUPING SETS`/`ROLLUP`/`CUBE`; `LATERAL`
subqueries; ordering or `<`/`>` on jsonb; `||` on jsonb; `INTERSECT ALL`/`EXCEPT ALL`; parameters.
Errors PostgreSQL raises are raised too: unknown tables and columns, ambiguous names,
`text = integer` and other type mismatches, non-boolean conditions, ungrouped columns in an
aggregate query (a table's primary key in GROUP BY allows its other columns), bad casts.

Output columns are named as PostgreSQL names them (`count`, `?column?`, `int4`, ...), and each
carries its type so results show `jsonb` as JSON and booleans as `true`/`false`.
*/

use super::catalog::{Catalog, Ty};
use crate::error::Error;
use crate::jsonb::Jsonb;
use crate::table_functions::SetFunction;
use sqlparser::ast::{
    BinaryOperator, CastKind, CeilFloorKind, DataType, DateTimeField, Distinct, DuplicateTreatment, Expr, Function,
    FunctionArg, FunctionArgExpr, FunctionArgumentClause, FunctionArguments, GroupByExpr, Ident, InTarget,
    JoinConstraint, JoinOperator, LimitClause, ObjectName, ObjectNamePart, OrderBy, OrderByExpr, OrderByKind,
    OrderBySort, Query, Select, SelectFlavor, SelectItem, SelectItemQualifiedWildcardKind, SetExpr, SetOperator,
    SetQuantifier, Spanned, Statement, TableFactor, TableWithJoins, TrimWhereField, UnaryOperator, Value,
    WildcardAdditionalOptions,
};
use sqlparser::dialect::PostgreSqlDialect;
use sqlparser::parser::Parser;
use sqlparser::tokenizer::Span;

type R<T> = Result<T, Error>;

/// A translated query.
#[derive(Debug, Clone)]
pub(crate) struct Translation {
    /// SQLite SQL.
    pub(crate) sql: String,
    /// The output columns with PostgreSQL's names and types.
    pub(crate) columns: Vec<OutColumn>,
}

/// An output column.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct OutColumn {
    pub(crate) name: String,
    pub(crate) ty: Ty,
}

/// Functions the emitted SQL may call: SQLite's own that behave as PostgreSQL's do for the
/// arguments the translator gives them, and the `pg_*` functions of `crate::functions`.
pub(crate) const EMITTED_FUNCTIONS: &[&str] = &[
    "abs",
    "avg",
    "coalesce",
    "concat",
    "count",
    "group_concat",
    "instr",
    "json",
    "json_array",
    "json_extract",
    "json_group_array",
    "length",
    "ltrim",
    "max",
    "min",
    "nullif",
    "octet_length",
    "replace",
    "rtrim",
    "sum",
    "trim",
];

/// Parses and translates one user query. `now` is the text `now()` stands for (PostgreSQL's
/// `now()` is fixed for the whole statement).
pub(crate) fn translate(sql: &str, catalog: &Catalog, now: &str) -> R<Translation> {
    let query = single_query(sql)?;
    let mut translator = Translator { catalog, now, ctes: Vec::new(), levels: Vec::new() };
    let (sql, columns) = translator.query(&query, None)?;
    Ok(Translation { sql, columns })
}

/// Parses user SQL that must be exactly one query (`SELECT`, `WITH ... SELECT`, `VALUES`), refusing
/// anything else with the position of the offending statement.
pub(crate) fn single_query(sql: &str) -> R<Box<Query>> {
    let statements = parse(sql)?;
    let statement = match statements.as_slice() {
        [] => return Err(Error::sql("the query is empty", None)),
        [one] => one,
        [_, second, ..] => {
            return Err(Error::sql(
                "only one statement can run at a time; remove everything after the first `;`",
                pos(second.span()).or_else(|| second_statement_position(sql)),
            ));
        }
    };
    match statement {
        Statement::Query(query) => Ok(query.clone()),
        other => Err(Error::sql(
            format!(
                "{} is not allowed: queries are read-only, only SELECT (and WITH ... SELECT) can run",
                statement_name(other)
            ),
            first_token_position(sql),
        )),
    }
}

fn parse(sql: &str) -> R<Vec<Statement>> {
    Parser::new(&PostgreSqlDialect {}).try_with_sql(sql).and_then(|mut p| whole_text(&mut p)).map_err(|e| {
        // A statement that is not a query at all is refused as such, even if it does not parse
        // as PostgreSQL (PRAGMA, VACUUM, ...).
        let first: String = sql.trim_start().chars().take_while(|c| c.is_ascii_alphabetic()).collect();
        let first = first.to_uppercase();
        if !first.is_empty() && !matches!(first.as_str(), "SELECT" | "WITH" | "VALUES" | "TABLE") {
            return Error::sql(
                format!("{first} is not allowed: queries are read-only, only SELECT (and WITH ... SELECT) can run"),
                first_token_position(sql),
            );
        }
        let text = e.to_string();
        let text = text.strip_prefix("sql parser error: ").unwrap_or(&text).to_string();
        match text.rfind(" at Line: ") {
            Some(at) => {
                let position = parse_line_column(&text[at + " at Line: ".len()..]);
                Error::sql(format!("syntax error: {}", &text[..at]), position)
            }
            None if text.ends_with("found: EOF") => {
                Error::sql(format!("syntax error at end of input: {text}"), end_position(sql))
            }
            None => Error::sql(format!("syntax error: {text}"), None),
        }
    })
}

/// Every statement of the text, and nothing left over: sqlparser stops at a keyword that ends a
/// block (`SELECT 1 END, pg_read_file('/etc/passwd')` is `SELECT 1` to it) and leaves the rest
/// unread, while PostgreSQL reads `END` as a column alias and runs what follows, so the checks
/// would not see what runs. Found by fuzzing (`user_sql`).
fn whole_text(parser: &mut Parser<'_>) -> Result<Vec<Statement>, sqlparser::parser::ParserError> {
    let statements = parser.parse_statements()?;
    let next = parser.peek_token();
    if next.token != sqlparser::tokenizer::Token::EOF {
        return Err(sqlparser::parser::ParserError::ParserError(format!(
            "Expected: end of statement, found: {}{}",
            next.token, next.span.start
        )));
    }
    Ok(statements)
}

/// The position just after the last character.
fn end_position(sql: &str) -> Option<(u64, u64)> {
    let line = sql.matches('\n').count() as u64 + 1;
    let column = sql.rsplit('\n').next().map_or(0, |l| l.chars().count()) as u64 + 1;
    Some((line, column))
}

/// `"3, Column: 14"` → `(3, 14)`.
fn parse_line_column(text: &str) -> Option<(u64, u64)> {
    let (line, rest) = text.split_once(", Column: ")?;
    let column: String = rest.chars().take_while(char::is_ascii_digit).collect();
    Some((line.trim().parse().ok()?, column.parse().ok()?))
}

pub(crate) fn pos(span: Span) -> Option<(u64, u64)> {
    (span.start.line > 0).then_some((span.start.line, span.start.column))
}

fn first_token_position(sql: &str) -> Option<(u64, u64)> {
    let chars: Vec<char> = sql.chars().collect();
    let (mut i, mut line, mut column) = (0, 1, 1);
    let advance = |i: &mut usize, line: &mut u64, column: &mut u64| {
        if chars[*i] == '\n' {
            *line += 1;
            *column = 1;
        } else {
            *column += 1;
        }
        *i += 1;
    };
    while i < chars.len() {
        if chars[i].is_whitespace() {
            advance(&mut i, &mut line, &mut column);
        } else if chars[i] == '-' && chars.get(i + 1) == Some(&'-') {
            while i < chars.len() && chars[i] != '\n' {
                advance(&mut i, &mut line, &mut column);
            }
        } else if chars[i] == '/' && chars.get(i + 1) == Some(&'*') {
            while i < chars.len() && !(chars[i] == '*' && chars.get(i + 1) == Some(&'/')) {
                advance(&mut i, &mut line, &mut column);
            }
            for _ in 0..2 {
                if i < chars.len() {
                    advance(&mut i, &mut line, &mut column);
                }
            }
        } else {
            return Some((line, column));
        }
    }
    None
}

fn second_statement_position(sql: &str) -> Option<(u64, u64)> {
    let at = sql.find(';')?;
    let (line, column) = first_token_position(&sql[at + 1..])?;
    let before = &sql[..=at];
    let base_line = before.matches('\n').count() as u64 + 1;
    let base_column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) as u64;
    Some(if line == 1 { (base_line, base_column + column) } else { (base_line + line - 1, column) })
}

/// `INSERT`, `CREATE TABLE`, `PRAGMA`, ... for messages.
pub(crate) fn statement_name(statement: &Statement) -> String {
    let text = statement.to_string();
    let words: Vec<String> = text.split_whitespace().take(4).map(str::to_uppercase).collect();
    match words.first().map(String::as_str) {
        Some("CREATE" | "DROP" | "ALTER") => {
            let rest: Vec<&str> = words[1..]
                .iter()
                .map(String::as_str)
                .filter(|w| !matches!(*w, "OR" | "REPLACE" | "TEMP" | "TEMPORARY" | "UNIQUE" | "IF"))
                .take(1)
                .collect();
            format!("{} {}", words[0], rest.join(" "))
        }
        Some(first) => first.to_string(),
        None => "this statement".into(),
    }
}

/// A quoted identifier.
fn q(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// A quoted string literal.
fn lit(text: &str) -> String {
    format!("'{}'", text.replace('\'', "''"))
}

/// An identifier as PostgreSQL folds it.
fn fold(ident: &Ident) -> String {
    if ident.quote_style.is_some() { ident.value.clone() } else { ident.value.to_lowercase() }
}

fn refuse(span: Span, message: impl Into<String>) -> Error {
    Error::sql(message, pos(span))
}

fn unsupported(span: Span, what: &str) -> Error {
    refuse(span, format!("not supported by the embedded store: {what}"))
}

/// A literal whose value the translator knows.
#[derive(Debug, Clone, PartialEq)]
enum Lit {
    Str(String),
    Num(String),
    Bool(bool),
    Null,
}

/// A reference to a column of the query level being translated, outside any aggregate.
#[derive(Debug, Clone)]
struct ColRef {
    rel: String,
    name: String,
    span: Span,
}

/// A translated expression.
#[derive(Debug, Clone)]
struct E {
    sql: String,
    ty: Ty,
    lit: Option<Lit>,
    /// Columns of this level used outside aggregates (for PostgreSQL's grouping rule).
    cols: Vec<ColRef>,
    /// Contains an aggregate of this level.
    agg: bool,
    /// Is a plain column reference.
    column: bool,
}

impl E {
    fn new(sql: impl Into<String>, ty: Ty) -> E {
        E { sql: sql.into(), ty, lit: None, cols: Vec::new(), agg: false, column: false }
    }

    /// A new expression built from `parts`: inherits their column uses and aggregates.
    fn from(sql: impl Into<String>, ty: Ty, parts: &[&E]) -> E {
        let mut e = E::new(sql, ty);
        for part in parts {
            e.cols.extend(part.cols.iter().cloned());
            e.agg |= part.agg;
        }
        e
    }

    fn is_null_literal(&self) -> bool {
        self.lit == Some(Lit::Null)
    }
}

/// A column visible in a FROM clause.
#[derive(Debug, Clone)]
struct Col {
    name: String,
    sql: String,
    ty: Ty,
    rel: String,
}

/// A FROM item with a name (table, CTE, subquery).
#[derive(Debug, Clone)]
struct Rel {
    name: String,
    columns: Vec<Col>,
    /// SQL of the single-column primary key.
    primary_key: Option<String>,
    /// A single-column set-returning function: its name also stands for its one column.
    scalar: bool,
}

/// A CTE visible by name.
#[derive(Debug, Clone)]
struct CteDef {
    name: String,
    columns: Vec<OutColumn>,
}

/// One query level (a SELECT): its FROM items and what its clauses may do.
#[derive(Debug, Default)]
struct Level {
    rels: Vec<Rel>,
    /// Columns visible without qualification, in `SELECT *` order.
    visible: Vec<Col>,
    /// Inside an aggregate's arguments.
    agg_depth: usize,
    /// Whether aggregates may appear in the clause being translated.
    aggregates_allowed: bool,
    /// GROUP BY expressions (SQL), while translating the clauses they govern.
    group: Option<Vec<String>>,
    /// A set-returning function may appear (in the select list).
    set_functions_allowed: bool,
    /// The FROM item a set-returning function of the select list became.
    set_function: Option<String>,
}

struct Translator<'a> {
    catalog: &'a Catalog,
    now: &'a str,
    ctes: Vec<CteDef>,
    levels: Vec<Level>,
}

/// What a SELECT level gives back.
struct SelectOut {
    sql: String,
    columns: Vec<OutColumn>,
}

impl Translator<'_> {
    fn level(&self) -> &Level {
        self.levels.last().expect("a query level")
    }

    fn level_mut(&mut self) -> &mut Level {
        self.levels.last_mut().expect("a query level")
    }

    // ---------------------------------------------------------------- queries

    fn query(&mut self, query: &Query, rename: Option<&[Ident]>) -> R<(String, Vec<OutColumn>)> {
        let span = query.span();
        if !query.locks.is_empty() {
            return Err(refuse(span, "FOR UPDATE/SHARE is not allowed: queries are read-only"));
        }
        if query.for_clause.is_some() || query.settings.is_some() || query.format_clause.is_some() {
            return Err(unsupported(span, "this query clause"));
        }
        if !query.pipe_operators.is_empty() {
            return Err(unsupported(span, "pipe syntax"));
        }
        let ctes_before = self.ctes.len();
        let result = self.query_inner(query, rename);
        self.ctes.truncate(ctes_before);
        result
    }

    fn query_inner(&mut self, query: &Query, rename: Option<&[Ident]>) -> R<(String, Vec<OutColumn>)> {
        let mut sql = String::new();
        if let Some(with) = &query.with {
            sql.push_str(if with.recursive { "WITH RECURSIVE " } else { "WITH " });
            for (i, cte) in with.cte_tables.iter().enumerate() {
                if cte.from.is_some() {
                    return Err(unsupported(cte.alias.name.span, "CTE ... FROM"));
                }
                let name = fold(&cte.alias.name);
                let alias_columns: Vec<Ident> = cte.alias.columns.iter().map(|c| c.name.clone()).collect();
                if cte.alias.columns.iter().any(|c| c.data_type.is_some()) {
                    return Err(unsupported(cte.alias.name.span, "typed CTE columns"));
                }
                let rename = (!alias_columns.is_empty()).then_some(alias_columns.as_slice());
                if with.recursive {
                    // The recursive part refers to the CTE itself: register it with the types of
                    // the non-recursive part first.
                    if let SetExpr::SetOperation { left, .. } = cte.query.body.as_ref()
                        && let Ok((_, columns)) = self.set_expr(left, None, rename)
                    {
                        self.ctes.push(CteDef { name: name.clone(), columns });
                    }
                }
                let (body, columns) = self.query(&cte.query, rename)?;
                if with.recursive && self.ctes.last().is_some_and(|c| c.name == name) {
                    self.ctes.pop();
                }
                if i > 0 {
                    sql.push_str(", ");
                }
                let column_list: Vec<String> = columns.iter().map(|c| q(&c.name)).collect();
                let materialized = match &cte.materialized {
                    Some(sqlparser::ast::CteAsMaterialized::Materialized) => "MATERIALIZED ",
                    Some(sqlparser::ast::CteAsMaterialized::NotMaterialized) => "NOT MATERIALIZED ",
                    None => "",
                };
                sql.push_str(&format!("{}({}) AS {materialized}({body})", q(&name), column_list.join(", ")));
                self.ctes.push(CteDef { name, columns });
            }
            sql.push(' ');
        }
        let (body, columns) = match query.body.as_ref() {
            SetExpr::Select(select) => {
                let out = self.select(select, query.order_by.as_ref(), rename)?;
                (out.sql, out.columns)
            }
            other => {
                let (body, columns) = self.set_expr(other, None, rename)?;
                let body = match other {
                    SetExpr::Query(_) => format!("SELECT * FROM ({body})"),
                    _ => body,
                };
                match &query.order_by {
                    Some(order_by) => {
                        let order = self.set_order_by(order_by, &columns)?;
                        (format!("{body} ORDER BY {order}"), columns)
                    }
                    None => (body, columns),
                }
            }
        };
        sql.push_str(&body);
        sql.push_str(&self.limit(query)?);
        Ok((sql, columns))
    }

    /// LIMIT / OFFSET / FETCH FIRST.
    fn limit(&mut self, query: &Query) -> R<String> {
        let (limit, offset) = match &query.limit_clause {
            None => (None, None),
            Some(LimitClause::LimitOffset { limit, offset, limit_by }) => {
                if let Some(e) = limit_by.first() {
                    return Err(unsupported(e.span(), "LIMIT BY"));
                }
                (limit.as_ref(), offset.as_ref().map(|o| &o.value))
            }
            Some(LimitClause::OffsetCommaLimit { offset, .. }) => {
                return Err(unsupported(offset.span(), "LIMIT offset, count"));
            }
        };
        let fetch_quantity;
        let limit = match &query.fetch {
            None => limit,
            Some(fetch) => {
                if fetch.with_ties || fetch.percent {
                    return Err(unsupported(query.span(), "FETCH ... WITH TIES / PERCENT"));
                }
                if limit.is_some() {
                    return Err(refuse(query.span(), "LIMIT and FETCH cannot both be given"));
                }
                fetch_quantity = fetch.quantity.clone().unwrap_or(Expr::value(Value::Number("1".into(), false)));
                Some(&fetch_quantity)
            }
        };
        let mut sql = String::new();
        if limit.is_some() || offset.is_some() {
            let limit_sql = match limit {
                Some(e) => self.count_clause(e, "LIMIT", "-1")?,
                None => "-1".into(),
            };
            sql.push_str(&format!(" LIMIT {limit_sql}"));
            if let Some(e) = offset {
                sql.push_str(&format!(" OFFSET {}", self.count_clause(e, "OFFSET", "0")?));
            }
        }
        Ok(sql)
    }

    /// The value of LIMIT or OFFSET: a number without column references; NULL means none.
    fn count_clause(&mut self, expr: &Expr, clause: &str, null_means: &str) -> R<String> {
        self.levels.push(Level::default());
        let e = self.expr(expr);
        self.levels.pop();
        let e = e?;
        match &e.lit {
            Some(Lit::Null) => return Ok(null_means.into()),
            Some(Lit::Num(n)) if n.starts_with('-') => {
                return Err(refuse(expr.span(), format!("{clause} must not be negative")));
            }
            Some(Lit::Num(n)) => return Ok(n.clone()),
            _ => {}
        }
        if !matches!(e.ty, Ty::Int | Ty::Num | Ty::Unknown) {
            return Err(refuse(
                expr.span(),
                format!("argument of {clause} must be type bigint, not type {}", e.ty.pg_name()),
            ));
        }
        Ok(format!("coalesce({}, {null_means})", e.sql))
    }

    /// A query body: a SELECT, a set operation, VALUES or a parenthesised query.
    fn set_expr(
        &mut self,
        body: &SetExpr,
        order_by: Option<&OrderBy>,
        rename: Option<&[Ident]>,
    ) -> R<(String, Vec<OutColumn>)> {
        match body {
            SetExpr::Select(select) => {
                let out = self.select(select, order_by, rename)?;
                Ok((out.sql, out.columns))
            }
            SetExpr::Query(query) => self.query(query, rename),
            SetExpr::SetOperation { left, op, set_quantifier, right } => {
                let keyword = match (op, set_quantifier) {
                    (SetOperator::Union, SetQuantifier::All) => "UNION ALL",
                    (SetOperator::Union, SetQuantifier::Distinct | SetQuantifier::None) => "UNION",
                    (SetOperator::Intersect, SetQuantifier::Distinct | SetQuantifier::None) => "INTERSECT",
                    (SetOperator::Except, SetQuantifier::Distinct | SetQuantifier::None) => "EXCEPT",
                    _ => return Err(unsupported(body.span(), &format!("{op} {set_quantifier}"))),
                };
                let (left_sql, left_columns) = self.set_arm(left, rename, true)?;
                let (right_sql, right_columns) = self.set_arm(right, None, false)?;
                if left_columns.len() != right_columns.len() {
                    return Err(refuse(right.span(), format!("each {op} query must have the same number of columns")));
                }
                let columns = left_columns
                    .into_iter()
                    .zip(right_columns)
                    .map(|(l, r)| OutColumn { ty: if l.ty == Ty::Unknown { r.ty } else { l.ty }, name: l.name })
                    .collect();
                Ok((format!("{left_sql} {keyword} {right_sql}"), columns))
            }
            SetExpr::Values(values) => {
                let mut rows = Vec::new();
                let mut types: Vec<Ty> = Vec::new();
                self.levels.push(Level::default());
                let result = (|| {
                    for row in &values.rows {
                        let mut items = Vec::new();
                        for (i, expr) in row.iter().enumerate() {
                            let e = self.expr(expr)?;
                            match types.get_mut(i) {
                                Some(t) if *t == Ty::Unknown => *t = e.ty,
                                Some(_) => {}
                                None => types.push(e.ty),
                            }
                            items.push(e.sql);
                        }
                        if !rows.is_empty() && items.len() != types.len() {
                            return Err(refuse(body.span(), "VALUES lists must all be the same length"));
                        }
                        rows.push(format!("({})", items.join(", ")));
                    }
                    Ok(())
                })();
                self.levels.pop();
                result?;
                let names: Vec<String> = (1..=types.len())
                    .map(|i| rename.and_then(|r| r.get(i - 1)).map_or_else(|| format!("column{i}"), fold))
                    .collect();
                let columns: Vec<OutColumn> =
                    names.iter().zip(&types).map(|(name, ty)| OutColumn { name: name.clone(), ty: *ty }).collect();
                let values_sql = format!("VALUES {}", rows.join(", "));
                if rename.is_some() {
                    let items: Vec<String> =
                        names.iter().enumerate().map(|(i, n)| format!("\"column{}\" AS {}", i + 1, q(n))).collect();
                    Ok((format!("SELECT {} FROM ({values_sql})", items.join(", ")), columns))
                } else {
                    Ok((values_sql, columns))
                }
            }
            SetExpr::Insert(statement)
            | SetExpr::Update(statement)
            | SetExpr::Delete(statement)
            | SetExpr::Merge(statement) => {
                Err(refuse(body.span(), format!("{} is not allowed: queries are read-only", statement_name(statement))))
            }
            other => Err(unsupported(other.span(), "this kind of query")),
        }
    }

    /// One side of a set operation, as SQLite wants it: a plain SELECT.
    fn set_arm(&mut self, arm: &SetExpr, rename: Option<&[Ident]>, left: bool) -> R<(String, Vec<OutColumn>)> {
        let (sql, columns) = self.set_expr(arm, None, rename)?;
        let plain = match arm {
            SetExpr::Select(_) | SetExpr::Values(_) => true,
            // Set operations are left-associative in SQLite; PostgreSQL's INTERSECT binds
            // tighter, which the AST shows as a nested right side.
            SetExpr::SetOperation { .. } => left,
            _ => false,
        };
        Ok((if plain { sql } else { format!("SELECT * FROM ({sql})") }, columns))
    }

    /// ORDER BY of a set operation or VALUES: output column names or positions only.
    fn set_order_by(&mut self, order_by: &OrderBy, columns: &[OutColumn]) -> R<String> {
        let items = order_by_items(order_by)?;
        let mut out = Vec::new();
        for item in items {
            let position = match &item.expr {
                Expr::Identifier(ident) => {
                    let name = fold(ident);
                    let matches: Vec<usize> =
                        columns.iter().enumerate().filter(|(_, c)| c.name == name).map(|(i, _)| i).collect();
                    match matches.as_slice() {
                        [one] => *one,
                        [] => return Err(refuse(ident.span, format!("column \"{name}\" does not exist"))),
                        _ => return Err(refuse(ident.span, format!("ORDER BY \"{name}\" is ambiguous"))),
                    }
                }
                Expr::Value(v) if matches!(v.value, Value::Number(..)) => ordinal(&item.expr, columns.len())?,
                other => {
                    return Err(refuse(
                        other.span(),
                        "invalid UNION/INTERSECT/EXCEPT ORDER BY clause: only result column names can be used, \
                         not expressions or functions",
                    ));
                }
            };
            if columns[position].ty == Ty::Json || columns[position].ty == Ty::Array {
                return Err(unsupported(item.expr.span(), "ordering by jsonb or array values"));
            }
            out.push(format!("{}{}", position + 1, order_suffix(item)?));
        }
        Ok(out.join(", "))
    }

    fn select(&mut self, select: &Select, order_by: Option<&OrderBy>, rename: Option<&[Ident]>) -> R<SelectOut> {
        check_select(select)?;
        self.levels.push(Level::default());
        let result = self.select_in_level(select, order_by, rename);
        self.levels.pop();
        result
    }

    fn select_in_level(
        &mut self,
        select: &Select,
        order_by: Option<&OrderBy>,
        rename: Option<&[Ident]>,
    ) -> R<SelectOut> {
        // FROM
        let mut from = Vec::new();
        for item in &select.from {
            let (sql, cols) = self.joined_tables(item)?;
            self.level_mut().visible.extend(cols);
            from.push(sql);
        }

        // WHERE
        let mut where_sql = None;
        if let Some(expr) = &select.selection {
            let e = self.expr(expr)?;
            let e = self.condition(e, expr, "WHERE")?;
            where_sql = Some(e.sql);
        }

        // GROUP BY
        let mut group = Vec::new();
        match &select.group_by {
            GroupByExpr::All(_) => return Err(unsupported(select.span(), "GROUP BY ALL")),
            GroupByExpr::Expressions(exprs, modifiers) => {
                if !modifiers.is_empty() {
                    return Err(unsupported(select.span(), "GROUP BY modifiers"));
                }
                for expr in exprs {
                    let e = self.group_by_item(expr, select)?;
                    if e.agg {
                        return Err(refuse(expr.span(), "aggregate functions are not allowed in GROUP BY"));
                    }
                    if e.ty == Ty::Array {
                        return Err(unsupported(expr.span(), "grouping by arrays"));
                    }
                    group.push(e.sql);
                }
            }
        }
        let grouped = !group.is_empty();
        self.level_mut().group = Some(group.clone());
        self.level_mut().aggregates_allowed = true;

        // Projection
        self.level_mut().set_functions_allowed = true;
        let mut items: Vec<(String, String, Ty)> = Vec::new();
        let mut uses: Vec<ColRef> = Vec::new();
        let mut has_aggregate = false;
        for item in &select.projection {
            match item {
                SelectItem::UnnamedExpr(expr) => {
                    let e = self.expr(expr)?;
                    uses.extend(e.cols.iter().cloned());
                    has_aggregate |= e.agg;
                    items.push((e.sql, colname(expr).0, e.ty));
                }
                SelectItem::ExprWithAlias { expr, alias } => {
                    let e = self.expr(expr)?;
                    uses.extend(e.cols.iter().cloned());
                    has_aggregate |= e.agg;
                    items.push((e.sql, fold(alias), e.ty));
                }
                SelectItem::Wildcard(options) => {
                    check_wildcard(options)?;
                    let span = options.wildcard_token.0.span;
                    let visible = self.level().visible.clone();
                    if visible.is_empty() {
                        return Err(refuse(span, "SELECT * with no tables specified is not valid"));
                    }
                    for col in visible {
                        uses.push(ColRef { rel: col.rel.clone(), name: col.name.clone(), span });
                        items.push((col.sql, col.name, col.ty));
                    }
                }
                SelectItem::QualifiedWildcard(kind, options) => {
                    check_wildcard(options)?;
                    let SelectItemQualifiedWildcardKind::ObjectName(name) = kind else {
                        return Err(unsupported(item.span(), "this wildcard"));
                    };
                    let rel_name = single_name(name)?;
                    let Some(rel) = self.level().rels.iter().find(|r| r.name == rel_name).cloned() else {
                        return Err(refuse(name.span(), format!("missing FROM-clause entry for table \"{rel_name}\"")));
                    };
                    for col in rel.columns {
                        uses.push(ColRef { rel: col.rel.clone(), name: col.name.clone(), span: name.span() });
                        items.push((col.sql, col.name, col.ty));
                    }
                }
                SelectItem::ExprWithAliases { .. } => return Err(unsupported(item.span(), "multiple aliases")),
            }
        }
        self.level_mut().set_functions_allowed = false;
        if let Some(set_function) = self.level_mut().set_function.take() {
            if grouped || has_aggregate || select.having.is_some() {
                return Err(unsupported(
                    select.span(),
                    "a set-returning function together with aggregates or GROUP BY in one select list",
                ));
            }
            from.push(set_function);
        }
        if let Some(rename) = rename {
            if rename.len() > items.len() {
                return Err(refuse(
                    rename[0].span,
                    format!("{} column aliases given for {} columns", rename.len(), items.len()),
                ));
            }
            for (item, name) in items.iter_mut().zip(rename) {
                item.1 = fold(name);
            }
        }

        // HAVING
        let mut having_sql = None;
        if let Some(expr) = &select.having {
            let e = self.expr(expr)?;
            let e = self.condition(e, expr, "HAVING")?;
            uses.extend(e.cols.iter().cloned());
            has_aggregate = true;
            having_sql = Some(e.sql);
        }

        // ORDER BY
        let distinct = match &select.distinct {
            None | Some(Distinct::All) => false,
            Some(Distinct::Distinct) => true,
            Some(Distinct::On(exprs)) => {
                return Err(unsupported(exprs.first().map_or(select.span(), Spanned::span), "DISTINCT ON"));
            }
        };
        let mut order_sql = Vec::new();
        if let Some(order_by) = order_by {
            for item in order_by_items(order_by)? {
                let named = match &item.expr {
                    Expr::Identifier(ident) => {
                        let name = fold(ident);
                        let matches: Vec<usize> =
                            items.iter().enumerate().filter(|(_, c)| c.1 == name).map(|(i, _)| i).collect();
                        match matches.as_slice() {
                            [one] => Some(*one),
                            [] => None,
                            _ => return Err(refuse(ident.span, format!("ORDER BY \"{name}\" is ambiguous"))),
                        }
                    }
                    Expr::Value(v) if matches!(v.value, Value::Number(..)) => Some(ordinal(&item.expr, items.len())?),
                    _ => None,
                };
                let (sql, ty) = match named {
                    Some(i) => ((i + 1).to_string(), items[i].2),
                    None => {
                        let e = self.expr(&item.expr)?;
                        uses.extend(e.cols.iter().cloned());
                        has_aggregate |= e.agg;
                        match items.iter().position(|i| i.0 == e.sql) {
                            Some(i) => ((i + 1).to_string(), e.ty),
                            None if distinct => {
                                return Err(refuse(
                                    item.expr.span(),
                                    "for SELECT DISTINCT, ORDER BY expressions must appear in select list",
                                ));
                            }
                            None => (e.sql, e.ty),
                        }
                    }
                };
                if ty == Ty::Json || ty == Ty::Array {
                    return Err(unsupported(item.expr.span(), "ordering by jsonb or array values"));
                }
                order_sql.push(format!("{sql}{}", order_suffix(item)?));
            }
        }

        // PostgreSQL's grouping rule: in an aggregate query every column outside an aggregate is
        // grouped, or belongs to a table whose primary key is grouped.
        if grouped || has_aggregate {
            let grouped_rels: Vec<String> = self
                .level()
                .rels
                .iter()
                .filter(|r| r.primary_key.as_ref().is_some_and(|pk| group.contains(pk)))
                .map(|r| r.name.clone())
                .collect();
            if let Some(bad) = uses.iter().find(|c| !grouped_rels.contains(&c.rel)) {
                return Err(refuse(
                    bad.span,
                    format!(
                        "column \"{}.{}\" must appear in the GROUP BY clause or be used in an aggregate function",
                        bad.rel, bad.name
                    ),
                ));
            }
        }

        let mut sql = String::from("SELECT ");
        if distinct {
            sql.push_str("DISTINCT ");
        }
        let projection: Vec<String> = items.iter().map(|(s, name, _)| format!("{s} AS {}", q(name))).collect();
        sql.push_str(&projection.join(", "));
        if !from.is_empty() {
            sql.push_str(" FROM ");
            sql.push_str(&from.join(", "));
        }
        if let Some(w) = where_sql {
            sql.push_str(" WHERE ");
            sql.push_str(&w);
        }
        if grouped {
            sql.push_str(" GROUP BY ");
            sql.push_str(&group.join(", "));
        }
        if let Some(h) = having_sql {
            sql.push_str(" HAVING ");
            sql.push_str(&h);
        }
        if !order_sql.is_empty() {
            sql.push_str(" ORDER BY ");
            sql.push_str(&order_sql.join(", "));
        }
        let columns = items.into_iter().map(|(_, name, ty)| OutColumn { name, ty }).collect();
        Ok(SelectOut { sql, columns })
    }

    /// A GROUP BY item: an input column or expression, else an output column name or position.
    fn group_by_item(&mut self, expr: &Expr, select: &Select) -> R<E> {
        let output = |i: usize| -> Option<&Expr> {
            match select.projection.get(i)? {
                SelectItem::UnnamedExpr(e) | SelectItem::ExprWithAlias { expr: e, .. } => Some(e),
                _ => None,
            }
        };
        match expr {
            Expr::Value(v) if matches!(v.value, Value::Number(..)) => {
                let i = ordinal(expr, select.projection.len())?;
                let target = output(i).ok_or_else(|| unsupported(expr.span(), "GROUP BY the position of a *"))?;
                self.expr(target)
            }
            Expr::Identifier(ident) => {
                let name = fold(ident);
                if self.level().visible.iter().any(|c| c.name == name) {
                    return self.expr(expr);
                }
                let aliased = select.projection.iter().find_map(|item| match item {
                    SelectItem::ExprWithAlias { expr, alias } if fold(alias) == name => Some(expr),
                    _ => None,
                });
                match aliased {
                    Some(target) => self.expr(target),
                    None => self.expr(expr),
                }
            }
            _ => self.expr(expr),
        }
    }

    /// Checks a WHERE/HAVING/ON condition: boolean, and no aggregate where none may be.
    fn condition(&mut self, e: E, expr: &Expr, clause: &str) -> R<E> {
        if e.agg && clause != "HAVING" {
            return Err(refuse(expr.span(), format!("aggregate functions are not allowed in {clause}")));
        }
        self.boolean(e, expr.span(), &format!("argument of {clause}"))
    }

    /// An expression that must be boolean: unknown literals are read as booleans.
    fn boolean(&mut self, e: E, span: Span, what: &str) -> R<E> {
        match e.ty {
            Ty::Bool => Ok(e),
            Ty::Unknown => coerce(e, Ty::Bool, span),
            other => Err(refuse(span, format!("{what} must be type boolean, not type {}", other.pg_name()))),
        }
    }

    // ---------------------------------------------------------------- FROM

    fn joined_tables(&mut self, item: &TableWithJoins) -> R<(String, Vec<Col>)> {
        let (mut sql, mut cols) = self.table_factor(&item.relation)?;
        for join in &item.joins {
            if join.global {
                return Err(unsupported(join.relation.span(), "GLOBAL JOIN"));
            }
            let (keyword, constraint) = match &join.join_operator {
                JoinOperator::Join(c) | JoinOperator::Inner(c) => ("JOIN", c),
                JoinOperator::Left(c) | JoinOperator::LeftOuter(c) => ("LEFT JOIN", c),
                JoinOperator::Right(c) | JoinOperator::RightOuter(c) => ("RIGHT JOIN", c),
                JoinOperator::FullOuter(c) => ("FULL JOIN", c),
                JoinOperator::CrossJoin(c) => ("CROSS JOIN", c),
                _ => return Err(unsupported(join.relation.span(), "this kind of join")),
            };
            // A function on the right may use the columns on the left (PostgreSQL's implicit LATERAL).
            let saved = self.level().visible.len();
            self.level_mut().visible.extend(cols.iter().cloned());
            let right = self.table_factor(&join.relation);
            self.level_mut().visible.truncate(saved);
            let (right_sql, right_cols) = right?;
            match constraint {
                JoinConstraint::None if keyword == "CROSS JOIN" => {
                    sql = format!("{sql} CROSS JOIN {right_sql}");
                    cols.extend(right_cols);
                }
                JoinConstraint::On(expr) if keyword != "CROSS JOIN" => {
                    let saved = self.level().visible.len();
                    self.level_mut().visible.extend(cols.iter().cloned());
                    self.level_mut().visible.extend(right_cols.iter().cloned());
                    let e = self.expr(expr);
                    self.level_mut().visible.truncate(saved);
                    let e = self.condition(e?, expr, "JOIN/ON")?;
                    sql = format!("{sql} {keyword} {right_sql} ON {}", e.sql);
                    cols.extend(right_cols);
                }
                JoinConstraint::Using(_) | JoinConstraint::Natural if keyword != "CROSS JOIN" => {
                    let names: Vec<(String, Span)> = match constraint {
                        JoinConstraint::Using(names) => {
                            names.iter().map(|n| Ok((single_name(n)?, n.span()))).collect::<R<_>>()?
                        }
                        _ => {
                            let mut common = Vec::new();
                            for c in &cols {
                                if right_cols.iter().any(|r| r.name == c.name)
                                    && !common.iter().any(|(n, _)| n == &c.name)
                                {
                                    common.push((c.name.clone(), join.relation.span()));
                                }
                            }
                            common
                        }
                    };
                    let mut merged = Vec::new();
                    let mut conditions = Vec::new();
                    let mut left_rest = cols.clone();
                    let mut right_rest = right_cols.clone();
                    for (name, span) in &names {
                        let take = |list: &mut Vec<Col>, side: &str| -> R<Col> {
                            let found: Vec<usize> =
                                list.iter().enumerate().filter(|(_, c)| &c.name == name).map(|(i, _)| i).collect();
                            match found.as_slice() {
                                [one] => Ok(list.remove(*one)),
                                [] => Err(refuse(
                                    *span,
                                    format!(
                                        "column \"{name}\" specified in USING clause does not exist in {side} table"
                                    ),
                                )),
                                _ => Err(refuse(
                                    *span,
                                    format!("common column name \"{name}\" appears more than once in {side} table"),
                                )),
                            }
                        };
                        let l = take(&mut left_rest, "left")?;
                        let r = take(&mut right_rest, "right")?;
                        conditions.push(format!("({} = {})", l.sql, r.sql));
                        let (merged_sql, rel) = match keyword {
                            "RIGHT JOIN" => (r.sql.clone(), r.rel.clone()),
                            "FULL JOIN" => (format!("coalesce({}, {})", l.sql, r.sql), String::new()),
                            _ => (l.sql.clone(), l.rel.clone()),
                        };
                        merged.push(Col { name: name.clone(), sql: merged_sql, ty: l.ty, rel });
                    }
                    let on = if conditions.is_empty() { "1".to_string() } else { conditions.join(" AND ") };
                    sql = format!("{sql} {keyword} {right_sql} ON {on}");
                    merged.extend(left_rest);
                    merged.extend(right_rest);
                    cols = merged;
                }
                _ => return Err(refuse(join.relation.span(), "this JOIN needs ON, USING or NATURAL")),
            }
        }
        Ok((sql, cols))
    }

    fn add_rel(&mut self, rel: Rel, span: Span) -> R<()> {
        if self.level().rels.iter().any(|r| r.name == rel.name) {
            return Err(refuse(span, format!("table name \"{}\" specified more than once", rel.name)));
        }
        self.level_mut().rels.push(rel);
        Ok(())
    }

    fn table_factor(&mut self, factor: &TableFactor) -> R<(String, Vec<Col>)> {
        match factor {
            TableFactor::Table {
                name,
                alias,
                args,
                with_hints,
                version,
                with_ordinality,
                partitions,
                json_path,
                sample,
                index_directives,
                inheritance,
            } => {
                if let Some(args) = args {
                    if args.settings.is_some() {
                        return Err(unsupported(factor.span(), "SETTINGS"));
                    }
                    return self.table_function(name, &args.args, alias.as_ref(), factor.span());
                }
                if !with_hints.is_empty()
                    || version.is_some()
                    || *with_ordinality
                    || !partitions.is_empty()
                    || json_path.is_some()
                    || sample.is_some()
                    || !index_directives.is_empty()
                    || inheritance.is_some()
                {
                    return Err(unsupported(factor.span(), "this table option"));
                }
                let table = table_name(name)?;
                let (source, columns, primary_key): (String, Vec<(String, Ty)>, Option<String>) =
                    if let Some(cte) = self.ctes.iter().rev().find(|c| c.name == table) {
                        (q(&table), cte.columns.iter().map(|c| (c.name.clone(), c.ty)).collect(), None)
                    } else if let Some(t) = self.catalog.table(&table) {
                        (q(&table), t.columns.iter().map(|c| (c.name.clone(), c.ty)).collect(), t.primary_key.clone())
                    } else {
                        return Err(refuse(name.span(), format!("relation \"{table}\" does not exist")));
                    };
                let rel_name = alias.as_ref().map_or_else(|| table.clone(), |a| fold(&a.name));
                let mut names: Vec<String> = columns.iter().map(|c| c.0.clone()).collect();
                if let Some(alias) = alias {
                    if alias.columns.len() > names.len() {
                        return Err(refuse(
                            alias.name.span,
                            format!(
                                "table \"{rel_name}\" has {} columns available but {} columns specified",
                                names.len(),
                                alias.columns.len()
                            ),
                        ));
                    }
                    for (n, c) in names.iter_mut().zip(&alias.columns) {
                        *n = fold(&c.name);
                    }
                }
                let cols: Vec<Col> = columns
                    .iter()
                    .zip(names)
                    .map(|((real, ty), name)| Col {
                        name,
                        sql: format!("{}.{}", q(&rel_name), q(real)),
                        ty: *ty,
                        rel: rel_name.clone(),
                    })
                    .collect();
                let primary_key = primary_key.map(|pk| format!("{}.{}", q(&rel_name), q(&pk)));
                self.add_rel(
                    Rel { name: rel_name.clone(), columns: cols.clone(), primary_key, scalar: false },
                    name.span(),
                )?;
                let sql = if rel_name == table { source } else { format!("{source} AS {}", q(&rel_name)) };
                Ok((sql, cols))
            }
            TableFactor::Derived { lateral, subquery, alias, sample } => {
                if *lateral {
                    return Err(unsupported(factor.span(), "LATERAL"));
                }
                if sample.is_some() {
                    return Err(unsupported(factor.span(), "TABLESAMPLE"));
                }
                let Some(alias) = alias else {
                    return Err(refuse(subquery.span(), "subquery in FROM must have an alias"));
                };
                if alias.columns.iter().any(|c| c.data_type.is_some()) {
                    return Err(unsupported(alias.name.span, "typed column aliases"));
                }
                let rel_name = fold(&alias.name);
                let rename: Vec<Ident> = alias.columns.iter().map(|c| c.name.clone()).collect();
                let (sub_sql, columns) = self.query(subquery, (!rename.is_empty()).then_some(rename.as_slice()))?;
                let cols: Vec<Col> = columns
                    .iter()
                    .map(|c| Col {
                        name: c.name.clone(),
                        sql: format!("{}.{}", q(&rel_name), q(&c.name)),
                        ty: c.ty,
                        rel: rel_name.clone(),
                    })
                    .collect();
                self.add_rel(
                    Rel { name: rel_name.clone(), columns: cols.clone(), primary_key: None, scalar: false },
                    alias.name.span,
                )?;
                Ok((format!("({sub_sql}) AS {}", q(&rel_name)), cols))
            }
            TableFactor::Function { lateral: _, name, args, with_ordinality: false, alias } => {
                self.table_function(name, args, alias.as_ref(), factor.span())
            }
            TableFactor::NestedJoin { table_with_joins, alias: None } => {
                let (sql, cols) = self.joined_tables(table_with_joins)?;
                Ok((format!("({sql})"), cols))
            }
            other => Err(unsupported(other.span(), "this FROM item")),
        }
    }

    /// A set-returning function in FROM (`jsonb_array_elements(x) AS e`). Like PostgreSQL, it
    /// may refer to the FROM items before it.
    fn table_function(
        &mut self,
        name: &ObjectName,
        args: &[FunctionArg],
        alias: Option<&sqlparser::ast::TableAlias>,
        span: Span,
    ) -> R<(String, Vec<Col>)> {
        let function_name = single_name(name)?;
        let Some(function) = SetFunction::for_name(&function_name) else {
            return Err(unsupported(span, &format!("the table function {function_name}()")));
        };
        let arg = self.set_function_argument(&function_name, args, span)?;
        let rel_name = alias.map_or_else(|| function_name.clone(), |a| fold(&a.name));
        let outputs = function.columns();
        let mut names: Vec<String> = outputs.iter().map(|c| c.1.to_string()).collect();
        if let Some(alias) = alias {
            if alias.columns.len() > names.len() {
                return Err(refuse(alias.name.span, format!("too many column aliases for {function_name}")));
            }
            if function == SetFunction::ObjectKeys && alias.columns.is_empty() {
                names[0] = rel_name.clone();
            }
            for (n, c) in names.iter_mut().zip(&alias.columns) {
                *n = fold(&c.name);
            }
        }
        let cols: Vec<Col> = outputs
            .iter()
            .zip(names)
            .map(|((sqlite_column, _, json), name)| Col {
                name,
                sql: format!("{}.{}", q(&rel_name), q(sqlite_column)),
                ty: if *json { Ty::Json } else { Ty::Text },
                rel: rel_name.clone(),
            })
            .collect();
        let scalar = cols.len() == 1;
        self.add_rel(Rel { name: rel_name.clone(), columns: cols.clone(), primary_key: None, scalar }, name.span())?;
        Ok((format!("{}({}) AS {}", function.sqlite_name(), arg.sql, q(&rel_name)), cols))
    }

    /// The one jsonb argument of a set-returning function.
    fn set_function_argument(&mut self, function: &str, args: &[FunctionArg], span: Span) -> R<E> {
        let [FunctionArg::Unnamed(FunctionArgExpr::Expr(arg))] = args else {
            return Err(refuse(span, format!("function {function} takes one argument")));
        };
        let e = self.expr(arg)?;
        if e.agg {
            return Err(refuse(arg.span(), "aggregate functions are not allowed in set-returning function arguments"));
        }
        match e.ty {
            Ty::Json => Ok(e),
            Ty::Unknown => coerce(e, Ty::Json, arg.span()),
            other => Err(refuse(arg.span(), format!("function {function}({}) does not exist", other.pg_name()))),
        }
    }

    /// A set-returning function in the select list: it becomes a FROM item after the others (one
    /// row per element, as PostgreSQL gives), and the expression its value.
    fn select_list_set_function(
        &mut self,
        name: &str,
        function: SetFunction,
        args: &[FunctionArg],
        span: Span,
    ) -> R<E> {
        if !self.level().set_functions_allowed {
            return Err(refuse(span, format!("set-returning functions such as {name}() are not allowed here")));
        }
        if self.level().set_function.is_some() {
            return Err(unsupported(span, "more than one set-returning function in a select list"));
        }
        if matches!(function, SetFunction::Each | SetFunction::EachText) {
            return Err(unsupported(
                span,
                &format!("{name}() in the select list (use it in FROM: FROM {name}(...) AS e)"),
            ));
        }
        let arg = self.set_function_argument(name, args, span)?;
        let alias = "pg set function";
        let from = format!("{}({}) AS {}", function.sqlite_name(), arg.sql, q(alias));
        self.level_mut().set_function = Some(from);
        let json = function.columns()[0].2;
        Ok(E::from(format!("{}.\"value\"", q(alias)), if json { Ty::Json } else { Ty::Text }, &[&arg]))
    }

    // ---------------------------------------------------------------- names

    fn column(&mut self, ident: &Ident) -> R<E> {
        let name = fold(ident);
        let depth = self.levels.len();
        for (i, level) in self.levels.iter().enumerate().rev() {
            let found: Vec<&Col> = level.visible.iter().filter(|c| c.name == name).collect();
            match found.as_slice() {
                [] => {
                    // A single-column set-returning function's alias stands for its column.
                    if let Some(rel) = level.rels.iter().find(|r| r.scalar && r.name == name) {
                        let col = rel.columns[0].clone();
                        return Ok(self.column_expr(col, i + 1 == depth, ident.span));
                    }
                    continue;
                }
                [col] => {
                    let col = (*col).clone();
                    return Ok(self.column_expr(col, i + 1 == depth, ident.span));
                }
                _ => return Err(refuse(ident.span, format!("column reference \"{name}\" is ambiguous"))),
            }
        }
        Err(refuse(ident.span, format!("column \"{name}\" does not exist")))
    }

    fn qualified_column(&mut self, parts: &[Ident]) -> R<E> {
        let (rel_ident, col_ident) = match parts {
            [rel, col] => (rel, col),
            [schema, rel, col] if fold(schema) == "public" => (rel, col),
            _ => return Err(unsupported(parts[0].span, "this qualified name")),
        };
        let rel_name = fold(rel_ident);
        let name = fold(col_ident);
        let depth = self.levels.len();
        for (i, level) in self.levels.iter().enumerate().rev() {
            if let Some(rel) = level.rels.iter().find(|r| r.name == rel_name) {
                let Some(col) = rel.columns.iter().find(|c| c.name == name) else {
                    return Err(refuse(col_ident.span, format!("column {rel_name}.{name} does not exist")));
                };
                return Ok(self.column_expr(col.clone(), i + 1 == depth, col_ident.span));
            }
        }
        Err(refuse(rel_ident.span, format!("missing FROM-clause entry for table \"{rel_name}\"")))
    }

    fn column_expr(&self, col: Col, this_level: bool, span: Span) -> E {
        let mut e = E::new(col.sql, col.ty);
        e.column = true;
        if this_level && self.level().agg_depth == 0 {
            e.cols.push(ColRef { rel: col.rel, name: col.name, span });
        }
        e
    }

    // ---------------------------------------------------------------- expressions

    fn expr(&mut self, expr: &Expr) -> R<E> {
        let mut e = self.expr_inner(expr)?;
        if let Some(group) = &self.level().group
            && !e.cols.is_empty()
            && group.contains(&e.sql)
        {
            e.cols.clear();
        }
        Ok(e)
    }

    fn expr_inner(&mut self, expr: &Expr) -> R<E> {
        let span = expr.span();
        match expr {
            Expr::Identifier(ident) => self.column(ident),
            Expr::CompoundIdentifier(parts) => self.qualified_column(parts),
            Expr::Value(value) => literal(&value.value, span),
            Expr::TypedString(typed) => {
                let Some(text) = typed.value.value.clone().into_string() else {
                    return Err(unsupported(span, "this typed literal"));
                };
                let e = string_literal(text);
                self.cast(e, &typed.data_type, span)
            }
            Expr::Nested(inner) => {
                let mut e = self.expr(inner)?;
                e.sql = format!("({})", e.sql);
                e.column = false;
                Ok(e)
            }
            Expr::BinaryOp { left, op, right } => self.binary(left, op, right, span),
            Expr::UnaryOp { op, expr: inner } => {
                let e = self.expr(inner)?;
                match op {
                    UnaryOperator::Not => {
                        let e = self.boolean(e, inner.span(), "argument of NOT")?;
                        Ok(E::from(format!("(NOT {})", e.sql), Ty::Bool, &[&e]))
                    }
                    UnaryOperator::Minus | UnaryOperator::Plus => {
                        let e = if e.ty == Ty::Unknown && !e.is_null_literal() { coerce(e, Ty::Num, span)? } else { e };
                        if !matches!(e.ty, Ty::Int | Ty::Num | Ty::Unknown) {
                            return Err(refuse(span, format!("operator does not exist: {op} {}", e.ty.pg_name())));
                        }
                        if *op == UnaryOperator::Plus {
                            return Ok(e);
                        }
                        let mut out = E::from(format!("(- {})", e.sql), e.ty, &[&e]);
                        if let Some(Lit::Num(n)) = &e.lit {
                            let negated = n.strip_prefix('-').map_or_else(|| format!("-{n}"), str::to_string);
                            out.lit = Some(Lit::Num(negated));
                        }
                        Ok(out)
                    }
                    other => Err(unsupported(span, &format!("the operator {other}"))),
                }
            }
            Expr::IsNull(inner) | Expr::IsNotNull(inner) | Expr::IsUnknown(inner) | Expr::IsNotUnknown(inner) => {
                let e = self.expr(inner)?;
                let negated = matches!(expr, Expr::IsNotNull(_) | Expr::IsNotUnknown(_));
                if matches!(expr, Expr::IsUnknown(_) | Expr::IsNotUnknown(_)) {
                    self.boolean(e.clone(), inner.span(), "argument of IS UNKNOWN")?;
                }
                let sql = format!("({} IS {}NULL)", e.sql, if negated { "NOT " } else { "" });
                Ok(E::from(sql, Ty::Bool, &[&e]))
            }
            Expr::IsTrue(inner) | Expr::IsNotTrue(inner) | Expr::IsFalse(inner) | Expr::IsNotFalse(inner) => {
                let e = self.expr(inner)?;
                let e = self.boolean(e, inner.span(), "argument of IS TRUE/FALSE")?;
                let test = match expr {
                    Expr::IsTrue(_) => "IS TRUE",
                    Expr::IsNotTrue(_) => "IS NOT TRUE",
                    Expr::IsFalse(_) => "IS FALSE",
                    _ => "IS NOT FALSE",
                };
                Ok(E::from(format!("({} {test})", e.sql), Ty::Bool, &[&e]))
            }
            Expr::IsDistinctFrom(a, b) | Expr::IsNotDistinctFrom(a, b) => {
                let (l, r) = self.comparable(a, b, "IS DISTINCT FROM")?;
                if l.ty == Ty::Json || r.ty == Ty::Json {
                    return Err(unsupported(span, "IS DISTINCT FROM on jsonb"));
                }
                let test = if matches!(expr, Expr::IsDistinctFrom(..)) { "IS NOT" } else { "IS" };
                Ok(E::from(format!("({} {test} {})", l.sql, r.sql), Ty::Bool, &[&l, &r]))
            }
            Expr::In { expr: inner, target: InTarget::List(list), negated, global: false } => {
                let e = self.expr(inner)?;
                let mut target = e.ty;
                let mut items = Vec::new();
                for item in list {
                    let i = self.expr(item)?;
                    if target == Ty::Unknown && i.ty != Ty::Unknown {
                        target = i.ty;
                    }
                    items.push((i, item.span()));
                }
                if matches!(target, Ty::Json | Ty::Array) {
                    return Err(unsupported(span, "IN with jsonb or array values"));
                }
                let e = coerce(e, target, inner.span())?;
                let mut parts = vec![e.clone()];
                let mut sqls = Vec::new();
                for (i, item_span) in items {
                    let i = coerce(i, target, item_span)?;
                    check_comparable(e.ty, i.ty, "=", item_span)?;
                    sqls.push(i.sql.clone());
                    parts.push(i);
                }
                let refs: Vec<&E> = parts.iter().collect();
                let sql = format!("({} {}IN ({}))", e.sql, if *negated { "NOT " } else { "" }, sqls.join(", "));
                Ok(E::from(sql, Ty::Bool, &refs))
            }
            Expr::In { expr: inner, target: InTarget::Subquery(subquery), negated, global: false } => {
                let e = self.expr(inner)?;
                let (sub, columns) = self.query(subquery, None)?;
                if columns.len() != 1 {
                    return Err(refuse(subquery.span(), "subquery has too many columns"));
                }
                if matches!(e.ty, Ty::Json | Ty::Array) || matches!(columns[0].ty, Ty::Json | Ty::Array) {
                    return Err(unsupported(span, "IN with jsonb or array values"));
                }
                let e = coerce(e, columns[0].ty, inner.span())?;
                check_comparable(e.ty, columns[0].ty, "=", span)?;
                let sql = format!("({} {}IN ({sub}))", e.sql, if *negated { "NOT " } else { "" });
                Ok(E::from(sql, Ty::Bool, &[&e]))
            }
            Expr::Between { expr: inner, negated, low, high } => {
                let (e, lo) = self.comparable(inner, low, "BETWEEN")?;
                let (e, hi) = {
                    let hi = self.expr(high)?;
                    let (e, hi) = unify(e, hi, span)?;
                    check_comparable(e.ty, hi.ty, "<=", span)?;
                    (e, hi)
                };
                if [e.ty, lo.ty, hi.ty].iter().any(|t| matches!(t, Ty::Json | Ty::Array)) {
                    return Err(unsupported(span, "BETWEEN on jsonb"));
                }
                let sql =
                    format!("({} {}BETWEEN {} AND {})", e.sql, if *negated { "NOT " } else { "" }, lo.sql, hi.sql);
                Ok(E::from(sql, Ty::Bool, &[&e, &lo, &hi]))
            }
            Expr::Like { negated, any, expr: inner, pattern, escape_char }
            | Expr::ILike { negated, any, expr: inner, pattern, escape_char } => {
                if *any {
                    return Err(unsupported(span, "LIKE ANY"));
                }
                let function = if matches!(expr, Expr::ILike { .. }) { "pg_ilike" } else { "pg_like" };
                self.like(function, *negated, inner, pattern, escape_char.as_deref())
            }
            Expr::Cast { kind, expr: inner, data_type, format } => {
                if format.is_some() || matches!(kind, CastKind::TryCast | CastKind::SafeCast) {
                    return Err(unsupported(span, "this cast"));
                }
                let e = self.expr(inner)?;
                self.cast(e, data_type, span)
            }
            Expr::Case { operand, conditions, else_result, .. } => {
                self.case(operand.as_deref(), conditions, else_result.as_deref())
            }
            Expr::Exists { subquery, negated } => {
                let (sub, _) = self.query(subquery, None)?;
                Ok(E::new(format!("({}EXISTS ({sub}))", if *negated { "NOT " } else { "" }), Ty::Bool))
            }
            Expr::Subquery(subquery) => {
                let (sub, columns) = self.query(subquery, None)?;
                if columns.len() != 1 {
                    return Err(refuse(span, "subquery must return only one column"));
                }
                Ok(E::new(format!("({sub})"), columns[0].ty))
            }
            Expr::Function(function) => self.function(function, span),
            Expr::Substring { expr: inner, substring_from, substring_for, .. } => {
                let s = self.text_arg(inner, "substring")?;
                let mut args = vec![s];
                for part in [substring_from, substring_for].into_iter().flatten() {
                    let e = self.expr(part)?;
                    if matches!(e.ty, Ty::Text) || matches!(e.lit, Some(Lit::Str(_))) {
                        return Err(unsupported(part.span(), "substring with a regular expression"));
                    }
                    args.push(self.int_arg(e, part.span())?);
                }
                if substring_from.is_none() {
                    args.push(E::new("1", Ty::Int));
                }
                let refs: Vec<&E> = args.iter().collect();
                let list: Vec<&str> = args.iter().map(|a| a.sql.as_str()).collect();
                Ok(E::from(format!("pg_substr({})", list.join(", ")), Ty::Text, &refs))
            }
            Expr::Position { expr: needle, r#in: haystack } => {
                let n = self.text_arg(needle, "position")?;
                let h = self.text_arg(haystack, "position")?;
                Ok(E::from(format!("instr({}, {})", h.sql, n.sql), Ty::Int, &[&n, &h]))
            }
            Expr::Trim { trim_where, trim_what, expr: inner, trim_characters } => {
                let s = self.text_arg(inner, "trim")?;
                let function = match trim_where {
                    None | Some(TrimWhereField::Both) => "trim",
                    Some(TrimWhereField::Leading) => "ltrim",
                    Some(TrimWhereField::Trailing) => "rtrim",
                };
                let chars = match (trim_what, trim_characters.as_deref()) {
                    (Some(what), None) => Some(self.text_arg(what, "trim")?),
                    (None, Some([one])) => Some(self.text_arg(one, "trim")?),
                    (None, None) => None,
                    _ => return Err(unsupported(span, "this form of trim")),
                };
                Ok(match chars {
                    Some(c) => E::from(format!("{function}({}, {})", s.sql, c.sql), Ty::Text, &[&s, &c]),
                    None => E::from(format!("{function}({}, ' ')", s.sql), Ty::Text, &[&s]),
                })
            }
            Expr::Ceil { expr: inner, field } | Expr::Floor { expr: inner, field } => {
                if !matches!(field, CeilFloorKind::DateTimeField(DateTimeField::NoDateTime)) {
                    return Err(unsupported(span, "ceil/floor with a scale"));
                }
                let function = if matches!(expr, Expr::Ceil { .. }) { "pg_ceil" } else { "pg_floor" };
                let e = self.expr(inner)?;
                let e = self.numeric_arg(e, inner.span(), function)?;
                Ok(E::from(format!("{function}({})", e.sql), e.ty, &[&e]))
            }
            Expr::AnyOp { left, compare_op, right, is_some: _ } | Expr::AllOp { left, compare_op, right } => {
                let all = matches!(expr, Expr::AllOp { .. });
                let negated = match (compare_op, all) {
                    (BinaryOperator::Eq, false) => false,
                    (BinaryOperator::NotEq, true) => true,
                    _ => return Err(unsupported(span, "this ANY/ALL comparison (only = ANY and <> ALL)")),
                };
                let e = self.expr(left)?;
                if matches!(e.ty, Ty::Json | Ty::Array) {
                    return Err(unsupported(span, "ANY/ALL on jsonb"));
                }
                let items = self.array_items(right)?;
                let mut sqls = Vec::new();
                let mut parts = vec![e.clone()];
                for (item, item_span) in items {
                    let item = coerce(item, e.ty, item_span)?;
                    check_comparable(e.ty, item.ty, "=", item_span)?;
                    sqls.push(item.sql.clone());
                    parts.push(item);
                }
                if sqls.is_empty() {
                    // = ANY('{}') is false, <> ALL('{}') is true, even for NULL.
                    return Ok(E::new(if negated { "1" } else { "0" }, Ty::Bool));
                }
                let refs: Vec<&E> = parts.iter().collect();
                let sql = format!("({} {}IN ({}))", e.sql, if negated { "NOT " } else { "" }, sqls.join(", "));
                Ok(E::from(sql, Ty::Bool, &refs))
            }
            Expr::Array(_) => Err(unsupported(span, "an ARRAY value here (arrays work after ?| ?& #> #>> and = ANY)")),
            Expr::Interval(_) => Err(unsupported(span, "interval arithmetic")),
            Expr::Extract { .. } | Expr::AtTimeZone { .. } => Err(unsupported(span, "date/time functions")),
            Expr::SimilarTo { .. } | Expr::RLike { .. } => Err(unsupported(span, "regular expressions")),
            Expr::Collate { .. } => Err(unsupported(span, "COLLATE")),
            Expr::Wildcard(_) | Expr::QualifiedWildcard(..) => Err(refuse(span, "* is not allowed here")),
            _ => Err(unsupported(span, "this expression")),
        }
    }

    /// Translates `a` and `b` and gives both one type (a literal takes the other side's type).
    fn comparable(&mut self, a: &Expr, b: &Expr, op: &str) -> R<(E, E)> {
        let l = self.expr(a)?;
        let r = self.expr(b)?;
        let (l, r) = unify(l, r, b.span())?;
        check_comparable(l.ty, r.ty, op, a.span().union(&b.span()))?;
        Ok((l, r))
    }

    fn binary(&mut self, left: &Expr, op: &BinaryOperator, right: &Expr, span: Span) -> R<E> {
        use BinaryOperator as B;
        match op {
            B::And | B::Or => {
                let l = self.expr(left)?;
                let l = self.boolean(l, left.span(), &format!("argument of {op}"))?;
                let r = self.expr(right)?;
                let r = self.boolean(r, right.span(), &format!("argument of {op}"))?;
                Ok(E::from(format!("({} {op} {})", l.sql, r.sql), Ty::Bool, &[&l, &r]))
            }
            B::Eq | B::NotEq | B::Lt | B::LtEq | B::Gt | B::GtEq => {
                let symbol = match op {
                    B::Eq => "=",
                    B::NotEq => "<>",
                    B::Lt => "<",
                    B::LtEq => "<=",
                    B::Gt => ">",
                    _ => ">=",
                };
                let (l, r) = self.comparable(left, right, symbol)?;
                if l.ty == Ty::Json || r.ty == Ty::Json {
                    return match op {
                        B::Eq => Ok(E::from(format!("pg_jsonb_eq({}, {})", l.sql, r.sql), Ty::Bool, &[&l, &r])),
                        B::NotEq => {
                            Ok(E::from(format!("(NOT pg_jsonb_eq({}, {}))", l.sql, r.sql), Ty::Bool, &[&l, &r]))
                        }
                        _ => Err(unsupported(span, "ordering comparisons between jsonb values")),
                    };
                }
                if l.ty == Ty::Array || r.ty == Ty::Array {
                    return Err(unsupported(span, "comparisons between arrays"));
                }
                Ok(E::from(format!("({} {symbol} {})", l.sql, r.sql), Ty::Bool, &[&l, &r]))
            }
            B::Plus | B::Minus | B::Multiply | B::Divide | B::Modulo => {
                let l = self.expr(left)?;
                let r = self.expr(right)?;
                let (l, r) = unify(l, r, span)?;
                if l.ty == Ty::Unknown && r.ty == Ty::Unknown && !l.is_null_literal() && !r.is_null_literal() {
                    return Err(refuse(span, format!("operator is not unique: unknown {op} unknown")));
                }
                for e in [&l, &r] {
                    if !matches!(e.ty, Ty::Int | Ty::Num | Ty::Unknown) {
                        return Err(refuse(
                            span,
                            format!("operator does not exist: {} {op} {}", l.ty.pg_name(), r.ty.pg_name()),
                        ));
                    }
                }
                let ty = if l.ty == Ty::Num || r.ty == Ty::Num { Ty::Num } else { Ty::Int };
                let sql = match op {
                    // A numeric operand divides exactly even when its value is a whole number.
                    B::Divide if ty == Ty::Num => format!("pg_div({}, {}, 1)", l.sql, r.sql),
                    B::Divide => format!("pg_div({}, {})", l.sql, r.sql),
                    B::Modulo => format!("pg_mod({}, {})", l.sql, r.sql),
                    _ => format!("({} {op} {})", l.sql, r.sql),
                };
                Ok(E::from(sql, ty, &[&l, &r]))
            }
            B::StringConcat => {
                let l = self.expr(left)?;
                let r = self.expr(right)?;
                if l.ty == Ty::Json || r.ty == Ty::Json || l.ty == Ty::Array || r.ty == Ty::Array {
                    return Err(unsupported(span, "|| on jsonb or arrays"));
                }
                if l.ty != Ty::Text && l.ty != Ty::Unknown && r.ty != Ty::Text && r.ty != Ty::Unknown {
                    return Err(refuse(
                        span,
                        format!("operator does not exist: {} || {}", l.ty.pg_name(), r.ty.pg_name()),
                    ));
                }
                let ls = text_of(&l);
                let rs = text_of(&r);
                Ok(E::from(format!("({ls} || {rs})"), Ty::Text, &[&l, &r]))
            }
            B::Arrow | B::LongArrow => {
                let j = self.json_operand(left, op, right)?;
                let k = self.expr(right)?;
                if !matches!(k.ty, Ty::Text | Ty::Unknown | Ty::Int) {
                    return Err(refuse(span, format!("operator does not exist: jsonb {op} {}", k.ty.pg_name())));
                }
                let (function, ty) =
                    if *op == B::Arrow { ("pg_jsonb_get", Ty::Json) } else { ("pg_jsonb_get_text", Ty::Text) };
                Ok(E::from(format!("{function}({}, {})", j.sql, k.sql), ty, &[&j, &k]))
            }
            B::HashArrow | B::HashLongArrow => {
                let j = self.json_operand(left, op, right)?;
                let path = self.text_array(right)?;
                let (function, ty) =
                    if *op == B::HashArrow { ("pg_jsonb_path", Ty::Json) } else { ("pg_jsonb_path_text", Ty::Text) };
                Ok(E::from(format!("{function}({}, {})", j.sql, path.sql), ty, &[&j, &path]))
            }
            B::AtArrow | B::ArrowAt => {
                let (container, contained) = if *op == B::AtArrow { (left, right) } else { (right, left) };
                let a = self.json_operand(container, op, contained)?;
                let b = self.json_operand(contained, op, container)?;
                let mut sql = format!("pg_jsonb_contains({}, {})", a.sql, b.sql);
                // An indexable, necessary pre-filter for flat patterns on a column: `@>` with
                // {"k": "v"} implies json_extract(col, '$."k"') = 'v'.
                if a.column
                    && let Some(Lit::Str(pattern)) = &b.lit
                    && let Ok(Jsonb::Object(pairs)) = Jsonb::parse(pattern)
                {
                    let mut filters = Vec::new();
                    for (key, value) in &pairs {
                        if let Jsonb::String(v) = value
                            && !key.contains(['"', '\\'])
                        {
                            filters.push(format!(
                                "json_extract({}, {}) = {}",
                                a.sql,
                                lit(&format!("$.\"{key}\"")),
                                lit(v)
                            ));
                        }
                    }
                    if !filters.is_empty() {
                        sql = format!("({} AND {sql})", filters.join(" AND "));
                    }
                }
                Ok(E::from(sql, Ty::Bool, &[&a, &b]))
            }
            B::Question => {
                let j = self.json_operand(left, op, right)?;
                let k = self.expr(right)?;
                if !matches!(k.ty, Ty::Text | Ty::Unknown) {
                    return Err(refuse(span, format!("operator does not exist: jsonb ? {}", k.ty.pg_name())));
                }
                Ok(E::from(format!("pg_jsonb_exists({}, {})", j.sql, k.sql), Ty::Bool, &[&j, &k]))
            }
            B::QuestionPipe | B::QuestionAnd => {
                let j = self.json_operand(left, op, right)?;
                let keys = self.text_array(right)?;
                let function = if *op == B::QuestionPipe { "pg_jsonb_exists_any" } else { "pg_jsonb_exists_all" };
                Ok(E::from(format!("{function}({}, {})", j.sql, keys.sql), Ty::Bool, &[&j, &keys]))
            }
            B::PGLikeMatch | B::PGNotLikeMatch => self.like("pg_like", *op == B::PGNotLikeMatch, left, right, None),
            B::PGILikeMatch | B::PGNotILikeMatch => self.like("pg_ilike", *op == B::PGNotILikeMatch, left, right, None),
            B::PGRegexMatch | B::PGRegexIMatch | B::PGRegexNotMatch | B::PGRegexNotIMatch => {
                Err(unsupported(span, "regular expression matching (~)"))
            }
            B::Custom(text) => match split_trailing_sign(text) {
                Some((op, signs)) => {
                    let mut operand = right.clone();
                    for sign in signs.iter().rev() {
                        operand = Expr::UnaryOp { op: *sign, expr: Box::new(operand) };
                    }
                    self.binary(left, &op, &operand, span)
                }
                None => Err(unsupported(span, &format!("the operator {text}"))),
            },
            other => Err(unsupported(span, &format!("the operator {other}"))),
        }
    }

    /// The left side of a jsonb operator: jsonb, or a string literal read as jsonb.
    fn json_operand(&mut self, expr: &Expr, op: &BinaryOperator, other: &Expr) -> R<E> {
        let e = self.expr(expr)?;
        match e.ty {
            Ty::Json => Ok(e),
            Ty::Unknown => coerce(e, Ty::Json, expr.span()),
            ty => Err(refuse(
                expr.span(),
                format!(
                    "operator does not exist: {} {op} {} (cast the value to jsonb)",
                    ty.pg_name(),
                    literal_type_name(other)
                ),
            )),
        }
    }

    /// A `text[]` operand (`ARRAY['a','b']`, `'{a,b}'`, `'{a,b}'::text[]`) as SQL giving a JSON array
    /// of strings and nulls.
    fn text_array(&mut self, expr: &Expr) -> R<E> {
        let items = self.array_items(expr)?;
        let mut literal = Vec::new();
        let mut all_literal = true;
        for (item, span) in &items {
            match &item.lit {
                Some(Lit::Str(s)) => literal.push(serde_json::Value::String(s.clone())),
                Some(Lit::Null) => literal.push(serde_json::Value::Null),
                _ => {
                    all_literal = false;
                    if !matches!(item.ty, Ty::Text | Ty::Unknown) {
                        return Err(refuse(*span, format!("expected a text array, found {}", item.ty.pg_name())));
                    }
                }
            }
        }
        if all_literal {
            return Ok(E::new(lit(&serde_json::Value::Array(literal).to_string()), Ty::Text));
        }
        let refs: Vec<&E> = items.iter().map(|(e, _)| e).collect();
        let sqls: Vec<&str> = items.iter().map(|(e, _)| e.sql.as_str()).collect();
        Ok(E::from(format!("json_array({})", sqls.join(", ")), Ty::Text, &refs))
    }

    /// The elements of an array operand: `ARRAY[...]`, or an array literal `'{...}'` (optionally
    /// cast to an array type).
    fn array_items(&mut self, expr: &Expr) -> R<Vec<(E, Span)>> {
        match expr {
            Expr::Nested(inner) => self.array_items(inner),
            Expr::Array(array) => {
                let mut items = Vec::new();
                for e in &array.elem {
                    items.push((self.expr(e)?, e.span()));
                }
                Ok(items)
            }
            Expr::Cast { expr: inner, data_type: DataType::Array(element), kind, format: None }
                if !matches!(kind, CastKind::TryCast | CastKind::SafeCast) =>
            {
                let element_ty = match element {
                    sqlparser::ast::ArrayElemTypeDef::SquareBracket(t, _)
                    | sqlparser::ast::ArrayElemTypeDef::AngleBracket(t)
                    | sqlparser::ast::ArrayElemTypeDef::Parenthesis(t) => scalar_cast_target(t),
                    _ => None,
                };
                let Some(element_ty) = element_ty.filter(|t| matches!(t, Target::Text | Target::Int(_))) else {
                    return Err(unsupported(expr.span(), "this array type"));
                };
                let items = self.array_items(inner)?;
                items
                    .into_iter()
                    .map(|(e, span)| {
                        let ty = if matches!(element_ty, Target::Int(_)) { Ty::Int } else { Ty::Text };
                        Ok((coerce(e, ty, span)?, span))
                    })
                    .collect()
            }
            Expr::Value(v) => {
                let Some(text) = string_value(&v.value) else {
                    return Err(unsupported(expr.span(), "this array operand"));
                };
                let elements = parse_pg_array(&text).map_err(|m| refuse(expr.span(), m))?;
                Ok(elements
                    .into_iter()
                    .map(|e| {
                        let mut item = match e {
                            Some(s) => string_literal(s),
                            None => E::new("NULL", Ty::Unknown),
                        };
                        if item.lit.is_none() {
                            item.lit = Some(Lit::Null);
                        }
                        (item, expr.span())
                    })
                    .collect())
            }
            other => Err(unsupported(other.span(), "this array operand (use ARRAY[...] or '{...}')")),
        }
    }

    fn like(&mut self, function: &str, negated: bool, value: &Expr, pattern: &Expr, escape: Option<&Expr>) -> R<E> {
        let v = self.text_arg(value, if function == "pg_like" { "LIKE" } else { "ILIKE" })?;
        let p = self.text_arg(pattern, if function == "pg_like" { "LIKE" } else { "ILIKE" })?;
        let mut args = vec![v, p];
        if let Some(escape) = escape {
            args.push(self.text_arg(escape, "ESCAPE")?);
        }
        let list: Vec<&str> = args.iter().map(|a| a.sql.as_str()).collect();
        let call = format!("{function}({})", list.join(", "));
        let refs: Vec<&E> = args.iter().collect();
        Ok(E::from(if negated { format!("(NOT {call})") } else { call }, Ty::Bool, &refs))
    }

    /// An argument that must be text (a literal of unknown type is text).
    fn text_arg(&mut self, expr: &Expr, function: &str) -> R<E> {
        let e = self.expr(expr)?;
        match e.ty {
            Ty::Text | Ty::Unknown => Ok(E { ty: Ty::Text, ..e }),
            other => Err(refuse(
                expr.span(),
                format!("{function} expects text, not {}; cast the value with ::text", other.pg_name()),
            )),
        }
    }

    fn int_arg(&mut self, e: E, span: Span) -> R<E> {
        match e.ty {
            Ty::Int => Ok(e),
            Ty::Unknown => coerce(e, Ty::Int, span),
            other => Err(refuse(span, format!("expected an integer, found {}", other.pg_name()))),
        }
    }

    fn numeric_arg(&mut self, e: E, span: Span, function: &str) -> R<E> {
        match e.ty {
            Ty::Int | Ty::Num => Ok(e),
            Ty::Unknown => coerce(e, Ty::Num, span),
            other => Err(refuse(span, format!("function {function}({}) does not exist", other.pg_name()))),
        }
    }

    fn case(
        &mut self,
        operand: Option<&Expr>,
        conditions: &[sqlparser::ast::CaseWhen],
        else_result: Option<&Expr>,
    ) -> R<E> {
        let operand = operand.map(|o| self.expr(o)).transpose()?;
        let mut whens = Vec::new();
        let mut results = Vec::new();
        for when in conditions {
            let c = self.expr(&when.condition)?;
            let c = match &operand {
                Some(o) => {
                    let (_, c) = unify(o.clone(), c, when.condition.span())?;
                    check_comparable(o.ty, c.ty, "=", when.condition.span())?;
                    if o.ty == Ty::Json || c.ty == Ty::Json {
                        return Err(unsupported(when.condition.span(), "CASE on jsonb values"));
                    }
                    c
                }
                None => self.boolean(c, when.condition.span(), "argument of CASE/WHEN")?,
            };
            whens.push(c);
            results.push((self.expr(&when.result)?, when.result.span()));
        }
        if let Some(e) = else_result {
            results.push((self.expr(e)?, e.span()));
        }
        let ty = result_type(results.iter().map(|(e, s)| (e.ty, *s)), "CASE")?;
        let results: Vec<E> = results.into_iter().map(|(e, s)| coerce(e, ty, s)).collect::<R<_>>()?;
        let mut sql = String::from("CASE");
        if let Some(o) = &operand {
            sql.push(' ');
            sql.push_str(&o.sql);
        }
        for (c, r) in whens.iter().zip(&results) {
            sql.push_str(&format!(" WHEN {} THEN {}", c.sql, r.sql));
        }
        if else_result.is_some() {
            sql.push_str(&format!(" ELSE {}", results.last().expect("else result").sql));
        }
        sql.push_str(" END");
        let mut parts: Vec<&E> = whens.iter().chain(results.iter()).collect();
        if let Some(o) = &operand {
            parts.push(o);
        }
        Ok(E::from(sql, ty, &parts))
    }

    fn cast(&mut self, e: E, data_type: &DataType, span: Span) -> R<E> {
        let Some(target) = scalar_cast_target(data_type) else {
            return Err(unsupported(span, &format!("casting to {data_type}")));
        };
        let from = e.ty;
        let cannot = |to: &str| refuse(span, format!("cannot cast type {} to {to}", from.pg_name()));
        if from == Ty::Array {
            return Err(unsupported(span, "casting arrays"));
        }
        if e.is_null_literal() {
            let ty = target.ty();
            return Ok(E { ty, lit: None, ..e });
        }
        match target {
            Target::Text => match from {
                Ty::Text | Ty::Unknown => Ok(E { ty: Ty::Text, column: false, ..e }),
                Ty::Json => Ok(E::from(format!("pg_jsonb({})", e.sql), Ty::Text, &[&e])),
                Ty::Bool => Ok(E::from(text_of(&e), Ty::Text, &[&e])),
                Ty::Int | Ty::Num => match &e.lit {
                    // A literal keeps its written scale, as PostgreSQL's numeric does (1.50).
                    Some(Lit::Num(n)) => match Jsonb::parse(n) {
                        Ok(Jsonb::Number(number)) => {
                            Ok(string_literal(number.text().to_string())).map(|t| E { ty: Ty::Text, ..t })
                        }
                        _ => Ok(E::from(format!("pg_text({})", e.sql), Ty::Text, &[&e])),
                    },
                    _ => Ok(E::from(format!("pg_text({})", e.sql), Ty::Text, &[&e])),
                },
                Ty::Array => Err(cannot("text")),
            },
            Target::Int(bits) => match from {
                Ty::Unknown => coerce(e, Ty::Int, span).and_then(|e| check_int_range(e, bits, span)),
                Ty::Json => Ok(E::from(
                    format!("pg_int(pg_jsonb_num({}, {}), {bits})", e.sql, lit(int_name(bits))),
                    Ty::Int,
                    &[&e],
                )),
                Ty::Bool => {
                    Ok(E::from(format!("(CASE WHEN {0} THEN 1 WHEN NOT {0} THEN 0 END)", e.sql), Ty::Int, &[&e]))
                }
                _ => Ok(E::from(format!("pg_int({}, {bits})", e.sql), Ty::Int, &[&e])),
            },
            Target::Numeric | Target::Float => {
                let function = if target == Target::Float { "pg_float" } else { "pg_numeric" };
                let name = if target == Target::Float { "double precision" } else { "numeric" };
                match from {
                    Ty::Unknown if target == Target::Numeric => coerce(e, Ty::Num, span),
                    Ty::Json => {
                        Ok(E::from(format!("{function}(pg_jsonb_num({}, {}))", e.sql, lit(name)), Ty::Num, &[&e]))
                    }
                    Ty::Bool => Err(cannot(name)),
                    _ => Ok(E::from(format!("{function}({})", e.sql), Ty::Num, &[&e])),
                }
            }
            Target::Bool => match from {
                Ty::Bool => Ok(e),
                Ty::Unknown => coerce(e, Ty::Bool, span),
                Ty::Int => Ok(E::from(format!("({} <> 0)", e.sql), Ty::Bool, &[&e])),
                Ty::Text => Ok(E::from(format!("pg_bool({})", e.sql), Ty::Bool, &[&e])),
                Ty::Json => Ok(E::from(format!("pg_jsonb_bool({})", e.sql), Ty::Bool, &[&e])),
                Ty::Num | Ty::Array => Err(cannot("boolean")),
            },
            Target::Json => match from {
                Ty::Json => Ok(E { column: false, ..e }),
                Ty::Unknown => coerce(e, Ty::Json, span),
                Ty::Text => Ok(E::from(format!("pg_jsonb({})", e.sql), Ty::Json, &[&e])),
                _ => Err(cannot("jsonb")),
            },
        }
    }

    fn function(&mut self, function: &Function, span: Span) -> R<E> {
        let name = match function.name.0.as_slice() {
            [ObjectNamePart::Identifier(ident)] => fold(ident),
            [ObjectNamePart::Identifier(schema), ObjectNamePart::Identifier(ident)] if fold(schema) == "pg_catalog" => {
                fold(ident)
            }
            _ => return Err(unsupported(span, &format!("the function {}", function.name))),
        };
        if function.over.is_some() {
            return Err(unsupported(span, "window functions (OVER)"));
        }
        if !function.within_group.is_empty() || function.null_treatment.is_some() || function.uses_odbc_syntax {
            return Err(unsupported(span, &format!("this form of {name}")));
        }
        if !matches!(function.parameters, FunctionArguments::None) {
            return Err(unsupported(span, &format!("this form of {name}")));
        }
        let (args, distinct, order_by): (Vec<&FunctionArgExpr>, bool, Option<&Vec<OrderByExpr>>) = match &function.args
        {
            FunctionArguments::None => (Vec::new(), false, None),
            FunctionArguments::Subquery(_) => return Err(unsupported(span, &format!("{name}(subquery)"))),
            FunctionArguments::List(list) => {
                let mut order_by = None;
                for clause in &list.clauses {
                    match clause {
                        FunctionArgumentClause::OrderBy(items) => order_by = Some(items),
                        _ => return Err(unsupported(span, &format!("this clause in {name}(...)"))),
                    }
                }
                let args = list
                    .args
                    .iter()
                    .map(|a| match a {
                        FunctionArg::Unnamed(arg) => Ok(arg),
                        _ => Err(unsupported(span, "named function arguments")),
                    })
                    .collect::<R<Vec<_>>>()?;
                (args, matches!(list.duplicate_treatment, Some(DuplicateTreatment::Distinct)), order_by)
            }
        };
        if let Some(set_function) = SetFunction::for_name(&name) {
            if distinct || order_by.is_some() || function.filter.is_some() {
                return Err(unsupported(span, &format!("this form of {name}")));
            }
            let FunctionArguments::List(list) = &function.args else {
                return Err(refuse(span, format!("function {name} takes one argument")));
            };
            return self.select_list_set_function(&name, set_function, &list.args, span);
        }
        let is_aggregate = matches!(
            name.as_str(),
            "count"
                | "sum"
                | "avg"
                | "min"
                | "max"
                | "string_agg"
                | "array_agg"
                | "json_agg"
                | "jsonb_agg"
                | "bool_and"
                | "bool_or"
                | "every"
        );
        if !is_aggregate && (distinct || order_by.is_some() || function.filter.is_some()) {
            return Err(refuse(
                span,
                format!("DISTINCT, ORDER BY or FILTER specified, but {name} is not an aggregate function"),
            ));
        }
        if is_aggregate {
            return self.aggregate(&name, &args, distinct, order_by, function.filter.as_deref(), span);
        }
        let mut values = Vec::new();
        for arg in &args {
            match arg {
                FunctionArgExpr::Expr(e) => values.push((self.expr(e)?, e.span())),
                _ => return Err(refuse(span, format!("* is not allowed in {name}(...)"))),
            }
        }
        let arity = |range: std::ops::RangeInclusive<usize>| -> R<()> {
            if range.contains(&values.len()) {
                Ok(())
            } else {
                Err(refuse(span, format!("function {name} does not take {} arguments", values.len())))
            }
        };
        let call = |function: &str, args: &[E], ty: Ty| -> E {
            let list: Vec<&str> = args.iter().map(|a| a.sql.as_str()).collect();
            let refs: Vec<&E> = args.iter().collect();
            E::from(format!("{function}({})", list.join(", ")), ty, &refs)
        };
        let take = |values: Vec<(E, Span)>| -> Vec<E> { values.into_iter().map(|(e, _)| e).collect() };
        match name.as_str() {
            "now" | "current_timestamp" | "transaction_timestamp" | "statement_timestamp" => {
                arity(0..=0)?;
                Ok(E::new(lit(self.now), Ty::Text))
            }
            "coalesce" | "nullif" => {
                if name == "nullif" {
                    arity(2..=2)?;
                } else {
                    arity(1..=usize::MAX)?;
                }
                let ty = result_type(values.iter().map(|(e, s)| (e.ty, *s)), &name.to_uppercase())?;
                if name == "nullif" && matches!(ty, Ty::Json | Ty::Array) {
                    return Err(unsupported(span, "nullif on jsonb"));
                }
                let mut args: Vec<E> = values.into_iter().map(|(e, s)| coerce(e, ty, s)).collect::<R<_>>()?;
                if args.len() == 1 {
                    args.push(E::new("NULL", Ty::Unknown));
                }
                Ok(call(&name, &args, ty))
            }
            "lower" | "upper" => {
                arity(1..=1)?;
                let args = self.text_values(values, &name)?;
                Ok(call(&format!("pg_{name}"), &args, Ty::Text))
            }
            "length" | "char_length" | "character_length" | "octet_length" => {
                arity(1..=1)?;
                let args = self.text_values(values, &name)?;
                Ok(call(if name == "octet_length" { "octet_length" } else { "length" }, &args, Ty::Int))
            }
            "substr" | "substring" => {
                arity(2..=3)?;
                let mut values = values.into_iter();
                let (s, s_span) = values.next().expect("arity");
                let s = self.text_values(vec![(s, s_span)], &name)?.remove(0);
                let mut args = vec![s];
                for (e, sp) in values {
                    args.push(self.int_arg(e, sp)?);
                }
                Ok(call("pg_substr", &args, Ty::Text))
            }
            "btrim" | "ltrim" | "rtrim" | "trim" => {
                arity(1..=2)?;
                let mut args = self.text_values(values, &name)?;
                if args.len() == 1 {
                    args.push(E::new("' '", Ty::Text));
                }
                Ok(call(if name == "btrim" { "trim" } else { &name }, &args, Ty::Text))
            }
            "replace" => {
                arity(3..=3)?;
                let args = self.text_values(values, &name)?;
                Ok(call("replace", &args, Ty::Text))
            }
            "strpos" => {
                arity(2..=2)?;
                let args = self.text_values(values, &name)?;
                Ok(call("instr", &args, Ty::Int))
            }
            "concat" => {
                arity(1..=usize::MAX)?;
                let args: Vec<E> = take(values)
                    .into_iter()
                    .map(|e| match e.ty {
                        Ty::Json => E::from(format!("pg_jsonb({})", e.sql), Ty::Text, &[&e]),
                        // concat() prints booleans with boolean's output function: t / f.
                        Ty::Bool => E::from(
                            format!("(CASE WHEN {0} THEN 't' WHEN NOT {0} THEN 'f' END)", e.sql),
                            Ty::Text,
                            &[&e],
                        ),
                        Ty::Num => E::from(text_of(&e), Ty::Text, &[&e]),
                        _ => e,
                    })
                    .collect();
                Ok(call("concat", &args, Ty::Text))
            }
            "abs" | "ceil" | "ceiling" | "floor" => {
                arity(1..=1)?;
                let (e, s) = values.remove(0);
                let e = self.numeric_arg(e, s, &name)?;
                let function = match name.as_str() {
                    "abs" => "abs",
                    "floor" => "pg_floor",
                    _ => "pg_ceil",
                };
                let ty = e.ty;
                Ok(call(function, &[e], ty))
            }
            "round" => {
                arity(1..=2)?;
                let mut values = values.into_iter();
                let (e, s) = values.next().expect("arity");
                let e = self.numeric_arg(e, s, "round")?;
                let ty = e.ty;
                let mut args = vec![e];
                if let Some((d, ds)) = values.next() {
                    args.push(self.int_arg(d, ds)?);
                }
                Ok(call("pg_round", &args, ty))
            }
            "jsonb_array_length" | "json_array_length" | "jsonb_typeof" | "json_typeof" => {
                arity(1..=1)?;
                let (e, s) = values.remove(0);
                let e = match e.ty {
                    Ty::Json => e,
                    Ty::Unknown => coerce(e, Ty::Json, s)?,
                    other => return Err(refuse(s, format!("function {name}({}) does not exist", other.pg_name()))),
                };
                Ok(if name.ends_with("typeof") {
                    call("pg_jsonb_typeof", &[e], Ty::Text)
                } else {
                    call("pg_jsonb_array_length", &[e], Ty::Int)
                })
            }
            _ => Err(unsupported(span, &format!("the function {name}()"))),
        }
    }

    fn text_values(&mut self, values: Vec<(E, Span)>, function: &str) -> R<Vec<E>> {
        values
            .into_iter()
            .map(|(e, span)| match e.ty {
                Ty::Text | Ty::Unknown => Ok(E { ty: Ty::Text, ..e }),
                other => Err(refuse(
                    span,
                    format!("function {function}({}) does not exist; cast the value with ::text", other.pg_name()),
                )),
            })
            .collect()
    }

    fn aggregate(
        &mut self,
        name: &str,
        args: &[&FunctionArgExpr],
        distinct: bool,
        order_by: Option<&Vec<OrderByExpr>>,
        filter: Option<&Expr>,
        span: Span,
    ) -> R<E> {
        if !self.level().aggregates_allowed {
            return Err(refuse(span, "aggregate functions are not allowed here"));
        }
        if self.level().agg_depth > 0 {
            return Err(refuse(span, "aggregate function calls cannot be nested"));
        }
        self.level_mut().agg_depth += 1;
        let result = self.aggregate_inner(name, args, distinct, order_by, filter, span);
        self.level_mut().agg_depth -= 1;
        let mut e = result?;
        e.agg = true;
        e.cols.clear();
        Ok(e)
    }

    fn aggregate_inner(
        &mut self,
        name: &str,
        args: &[&FunctionArgExpr],
        distinct: bool,
        order_by: Option<&Vec<OrderByExpr>>,
        filter: Option<&Expr>,
        span: Span,
    ) -> R<E> {
        let mut values = Vec::new();
        let mut star = false;
        for arg in args {
            match arg {
                FunctionArgExpr::Expr(e) => values.push((self.expr(e)?, e.span())),
                FunctionArgExpr::Wildcard if name == "count" && args.len() == 1 && !distinct => star = true,
                _ => return Err(refuse(span, format!("* is not allowed in {name}(...)"))),
            }
        }
        let expected = match name {
            "count" if star => 0,
            "string_agg" => 2,
            _ => 1,
        };
        if values.len() != expected {
            return Err(refuse(span, format!("function {name} does not take {} arguments", values.len())));
        }
        let mut order = String::new();
        if let Some(items) = order_by {
            if !matches!(name, "string_agg" | "array_agg" | "json_agg" | "jsonb_agg") {
                return Err(unsupported(span, &format!("ORDER BY inside {name}")));
            }
            let mut parts = Vec::new();
            for item in items {
                let e = self.expr(&item.expr)?;
                if matches!(e.ty, Ty::Json | Ty::Array) {
                    return Err(unsupported(item.expr.span(), "ordering by jsonb or array values"));
                }
                parts.push(format!("{}{}", e.sql, order_suffix(item)?));
            }
            order = format!(" ORDER BY {}", parts.join(", "));
        }
        let filter_sql = match filter {
            Some(f) => {
                let e = self.expr(f)?;
                let e = self.boolean(e, f.span(), "argument of FILTER")?;
                format!(" FILTER (WHERE {})", e.sql)
            }
            None => String::new(),
        };
        let distinct_sql = if distinct { "DISTINCT " } else { "" };
        if star {
            return Ok(E::new(format!("count(*){filter_sql}"), Ty::Int));
        }
        let (arg, arg_span) = values.remove(0);
        let (sql, ty) = match name {
            "count" => (format!("count({distinct_sql}{}{order}){filter_sql}", arg.sql), Ty::Int),
            "sum" | "avg" => {
                let arg = self.numeric_arg(arg, arg_span, name)?;
                let ty = if name == "avg" { Ty::Num } else { arg.ty };
                (format!("{name}({distinct_sql}{}){filter_sql}", arg.sql), ty)
            }
            "min" | "max" => {
                if matches!(arg.ty, Ty::Json | Ty::Array | Ty::Bool) {
                    return Err(refuse(span, format!("function {name}({}) does not exist", arg.ty.pg_name())));
                }
                let ty = if arg.ty == Ty::Unknown { Ty::Text } else { arg.ty };
                (format!("{name}({distinct_sql}{}){filter_sql}", arg.sql), ty)
            }
            "bool_and" | "every" | "bool_or" => {
                let arg = self.boolean(arg, arg_span, &format!("argument of {name}"))?;
                let function = if name == "bool_or" { "max" } else { "min" };
                (format!("{function}({distinct_sql}{}){filter_sql}", arg.sql), Ty::Bool)
            }
            "string_agg" => {
                if distinct {
                    return Err(unsupported(span, "string_agg(DISTINCT ...)"));
                }
                let arg = self.text_values(vec![(arg, arg_span)], name)?.remove(0);
                let (sep, sep_span) = values.remove(0);
                let sep = self.text_values(vec![(sep, sep_span)], name)?.remove(0);
                (format!("group_concat({}, {}{order}){filter_sql}", arg.sql, sep.sql), Ty::Text)
            }
            _ => {
                // array_agg, json_agg, jsonb_agg: a JSON array, NULL over no rows.
                let element = json_element(&arg);
                let order = if distinct {
                    if !order.is_empty() {
                        return Err(unsupported(span, &format!("{name}(DISTINCT ... ORDER BY ...)")));
                    }
                    // PostgreSQL sorts the input of a DISTINCT aggregate.
                    if matches!(arg.ty, Ty::Json | Ty::Array) {
                        return Err(unsupported(span, &format!("{name}(DISTINCT jsonb)")));
                    }
                    format!(" ORDER BY {} ASC NULLS LAST", arg.sql)
                } else {
                    order
                };
                let sql = format!("nullif(json_group_array({distinct_sql}{element}{order}){filter_sql}, '[]')");
                (sql, if name == "array_agg" { Ty::Array } else { Ty::Json })
            }
        };
        Ok(E::new(sql, ty))
    }
}

// -------------------------------------------------------------------- helpers

/// The cast targets the translator knows.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Target {
    Text,
    Int(u32),
    Numeric,
    Float,
    Bool,
    Json,
}

impl Target {
    fn ty(self) -> Ty {
        match self {
            Target::Text => Ty::Text,
            Target::Int(_) => Ty::Int,
            Target::Numeric | Target::Float => Ty::Num,
            Target::Bool => Ty::Bool,
            Target::Json => Ty::Json,
        }
    }
}

fn scalar_cast_target(data_type: &DataType) -> Option<Target> {
    Some(match data_type {
        DataType::Text | DataType::Varchar(_) | DataType::CharacterVarying(_) | DataType::CharVarying(_) => {
            Target::Text
        }
        DataType::Int(_) | DataType::Integer(_) | DataType::Int4(_) => Target::Int(32),
        DataType::BigInt(_) | DataType::Int8(_) => Target::Int(64),
        DataType::SmallInt(_) | DataType::Int2(_) => Target::Int(16),
        DataType::Numeric(_) | DataType::Decimal(_) | DataType::Dec(_) => Target::Numeric,
        DataType::Real | DataType::Float4 | DataType::Float8 | DataType::DoublePrecision | DataType::Double(_) => {
            Target::Float
        }
        DataType::Float(_) => Target::Float,
        DataType::Boolean | DataType::Bool => Target::Bool,
        DataType::JSON | DataType::JSONB => Target::Json,
        DataType::Custom(name, modifiers) if modifiers.is_empty() && name.0.len() == 1 => {
            let ObjectNamePart::Identifier(ident) = &name.0[0] else { return None };
            match fold(ident).as_str() {
                "int4" => Target::Int(32),
                "int8" => Target::Int(64),
                "int2" => Target::Int(16),
                "float4" | "float8" => Target::Float,
                "bool" => Target::Bool,
                _ => return None,
            }
        }
        _ => return None,
    })
}

/// PostgreSQL's lexer rule for operators ending in `+` or `-`: unless the operator contains one of
/// `~ ! @ # % ^ & | ` ?`, the trailing signs are not part of it (`a->>-1` is `a ->> (-1)`).
fn split_trailing_sign(text: &str) -> Option<(BinaryOperator, Vec<UnaryOperator>)> {
    if text.contains(['~', '!', '@', '#', '%', '^', '&', '|', '`', '?']) {
        return None;
    }
    let base = text.trim_end_matches(['+', '-']);
    let signs =
        text[base.len()..].chars().map(|c| if c == '-' { UnaryOperator::Minus } else { UnaryOperator::Plus }).collect();
    let op = match base {
        "->" => BinaryOperator::Arrow,
        "->>" => BinaryOperator::LongArrow,
        "=" => BinaryOperator::Eq,
        "<>" => BinaryOperator::NotEq,
        "<" => BinaryOperator::Lt,
        ">" => BinaryOperator::Gt,
        "<=" => BinaryOperator::LtEq,
        ">=" => BinaryOperator::GtEq,
        "*" => BinaryOperator::Multiply,
        "/" => BinaryOperator::Divide,
        _ => return None,
    };
    Some((op, signs))
}

/// The type PostgreSQL gives an operand before context: for operator error messages.
fn literal_type_name(expr: &Expr) -> &'static str {
    match expr {
        Expr::Value(v) => match v.value {
            Value::Number(..) => "integer",
            Value::Boolean(_) => "boolean",
            _ => "unknown",
        },
        Expr::Array(_) | Expr::Cast { data_type: DataType::Array(_), .. } => "text[]",
        Expr::Cast { data_type: DataType::JSONB, .. } => "jsonb",
        Expr::Cast { data_type: DataType::Text, .. } => "text",
        _ => "unknown",
    }
}

fn int_name(bits: u32) -> &'static str {
    match bits {
        16 => "smallint",
        32 => "integer",
        _ => "bigint",
    }
}

fn check_int_range(e: E, bits: u32, span: Span) -> R<E> {
    if let Some(Lit::Num(n)) = &e.lit
        && let Ok(v) = n.parse::<i64>()
    {
        let ok = match bits {
            16 => i16::try_from(v).is_ok(),
            32 => i32::try_from(v).is_ok(),
            _ => true,
        };
        if !ok {
            return Err(refuse(span, format!("{} out of range", int_name(bits))));
        }
    }
    Ok(e)
}

/// SQL giving the PostgreSQL text of a value (booleans as `true`/`false`).
fn text_of(e: &E) -> String {
    match e.ty {
        Ty::Bool => format!("(CASE WHEN {0} THEN 'true' WHEN NOT {0} THEN 'false' END)", e.sql),
        Ty::Num => format!("pg_text({})", e.sql),
        _ => e.sql.clone(),
    }
}

/// SQL for a value as an element of a JSON array (json_group_array).
fn json_element(e: &E) -> String {
    match e.ty {
        Ty::Json | Ty::Array => format!("json({})", e.sql),
        Ty::Bool => format!("(CASE WHEN {0} THEN json('true') WHEN NOT {0} THEN json('false') END)", e.sql),
        _ => e.sql.clone(),
    }
}

fn string_value(value: &Value) -> Option<String> {
    match value {
        Value::SingleQuotedString(s) | Value::EscapedStringLiteral(s) | Value::UnicodeStringLiteral(s) => {
            Some(s.clone())
        }
        Value::DollarQuotedString(d) => Some(d.value.clone()),
        _ => None,
    }
}

fn string_literal(text: String) -> E {
    let mut e = E::new(lit(&text), Ty::Unknown);
    e.lit = Some(Lit::Str(text));
    e
}

fn literal(value: &Value, span: Span) -> R<E> {
    if let Some(text) = string_value(value) {
        return Ok(string_literal(text));
    }
    match value {
        Value::Number(n, _) => {
            let valid = {
                let body = n.as_str();
                let (mantissa, exponent) = match body.find(['e', 'E']) {
                    Some(i) => (&body[..i], Some(&body[i + 1..])),
                    None => (body, None),
                };
                let digits = mantissa.chars().filter(|c| *c != '.').count();
                mantissa.chars().all(|c| c.is_ascii_digit() || c == '.')
                    && mantissa.matches('.').count() <= 1
                    && digits > 0
                    && exponent.is_none_or(|x| {
                        let x = x.strip_prefix(['+', '-']).unwrap_or(x);
                        !x.is_empty() && x.chars().all(|c| c.is_ascii_digit())
                    })
            };
            if !valid {
                return Err(unsupported(span, &format!("the number literal {n}")));
            }
            let integer = n.chars().all(|c| c.is_ascii_digit()) && n.parse::<i64>().is_ok();
            let mut text = n.clone();
            if text.starts_with('.') {
                text.insert(0, '0');
            }
            if text.ends_with('.') {
                text.push('0');
            }
            let text = text.replace(".e", ".0e").replace(".E", ".0E");
            let mut e = E::new(text.clone(), if integer { Ty::Int } else { Ty::Num });
            e.lit = Some(Lit::Num(text));
            Ok(e)
        }
        Value::Boolean(b) => {
            let mut e = E::new(if *b { "TRUE" } else { "FALSE" }, Ty::Bool);
            e.lit = Some(Lit::Bool(*b));
            Ok(e)
        }
        Value::Null => {
            let mut e = E::new("NULL", Ty::Unknown);
            e.lit = Some(Lit::Null);
            Ok(e)
        }
        Value::Placeholder(p) => {
            Err(refuse(span, format!("parameters ({p}) are not supported; write the value in the query")))
        }
        other => Err(unsupported(span, &format!("the literal {other}"))),
    }
}

/// Gives a string literal the type it is used as, checking its text as PostgreSQL's input
/// function would.
fn coerce(e: E, to: Ty, span: Span) -> R<E> {
    let Some(Lit::Str(text)) = &e.lit else {
        return Ok(e);
    };
    if e.ty != Ty::Unknown {
        return Ok(e);
    }
    let text = text.clone();
    let bad = |type_name: &str| refuse(span, format!("invalid input syntax for type {type_name}: \"{text}\""));
    match to {
        Ty::Int => {
            let trimmed = text.trim();
            let value: i64 = trimmed.parse().map_err(|_| bad("integer"))?;
            let mut out = E::new(value.to_string(), Ty::Int);
            out.lit = Some(Lit::Num(value.to_string()));
            Ok(out)
        }
        Ty::Num => {
            let trimmed = text.trim();
            let normalized = normalize_number(trimmed).ok_or_else(|| bad("numeric"))?;
            let integer = normalized.parse::<i64>().is_ok();
            let mut out = E::new(normalized.clone(), if integer { Ty::Int } else { Ty::Num });
            out.lit = Some(Lit::Num(normalized));
            Ok(out)
        }
        Ty::Bool => {
            let value = parse_bool(&text).ok_or_else(|| bad("boolean"))?;
            let mut out = E::new(if value { "TRUE" } else { "FALSE" }, Ty::Bool);
            out.lit = Some(Lit::Bool(value));
            Ok(out)
        }
        Ty::Json => {
            let value = Jsonb::parse(&text).map_err(|m| refuse(span, m))?;
            let mut out = E::new(lit(&value.to_string()), Ty::Json);
            out.lit = Some(Lit::Str(text));
            Ok(out)
        }
        Ty::Text => Ok(E { ty: Ty::Text, ..e }),
        Ty::Unknown | Ty::Array => Ok(e),
    }
}

/// A number as SQLite reads it, from PostgreSQL numeric input text.
fn normalize_number(text: &str) -> Option<String> {
    let (sign, body) = match text.as_bytes().first() {
        Some(b'-') => ("-", &text[1..]),
        Some(b'+') => ("", &text[1..]),
        _ => ("", text),
    };
    let (mantissa, exponent) = match body.find(['e', 'E']) {
        Some(i) => (&body[..i], Some(&body[i + 1..])),
        None => (body, None),
    };
    let digits = mantissa.chars().filter(char::is_ascii_digit).count();
    if digits == 0 || !mantissa.chars().all(|c| c.is_ascii_digit() || c == '.') || mantissa.matches('.').count() > 1 {
        return None;
    }
    if let Some(x) = exponent {
        let x = x.strip_prefix(['+', '-']).unwrap_or(x);
        if x.is_empty() || !x.chars().all(|c| c.is_ascii_digit()) {
            return None;
        }
    }
    let mut m = mantissa.to_string();
    if m.starts_with('.') {
        m.insert(0, '0');
    }
    if m.ends_with('.') {
        m.push('0');
    }
    Some(match exponent {
        Some(x) => format!("{sign}{m}e{x}"),
        None => format!("{sign}{m}"),
    })
}

/// PostgreSQL's `boolin`: true/false, yes/no, on/off, 1/0 and unique prefixes, any case.
pub(crate) fn parse_bool(text: &str) -> Option<bool> {
    let t = text.trim().to_ascii_lowercase();
    if t.is_empty() {
        return None;
    }
    let prefix_of = |word: &str, min: usize| t.len() >= min && word.starts_with(&t);
    if prefix_of("true", 1) || prefix_of("yes", 1) || prefix_of("on", 2) || t == "1" {
        Some(true)
    } else if prefix_of("false", 1) || prefix_of("no", 1) || prefix_of("off", 2) || t == "0" {
        Some(false)
    } else {
        None
    }
}

/// Gives two operands one type: an unknown literal takes the other's.
fn unify(l: E, r: E, span: Span) -> R<(E, E)> {
    match (l.ty, r.ty) {
        (Ty::Unknown, Ty::Unknown) => Ok((E { ty: Ty::Text, ..l }, E { ty: Ty::Text, ..r })),
        (Ty::Unknown, t) => Ok((coerce(l, t, span)?, r)),
        (t, Ty::Unknown) => Ok((l, coerce(r, t, span)?)),
        _ => Ok((l, r)),
    }
}

fn check_comparable(a: Ty, b: Ty, op: &str, span: Span) -> R<()> {
    let ok = a == b || a == Ty::Unknown || b == Ty::Unknown || (a.is_numeric() && b.is_numeric());
    if ok {
        Ok(())
    } else {
        Err(refuse(span, format!("operator does not exist: {} {op} {}", a.pg_name(), b.pg_name())))
    }
}

/// The type of CASE/COALESCE results: the first known type; the others must match it.
fn result_type(types: impl Iterator<Item = (Ty, Span)>, what: &str) -> R<Ty> {
    let mut result = Ty::Unknown;
    for (ty, span) in types {
        if ty == Ty::Unknown {
            continue;
        }
        if result == Ty::Unknown {
            result = ty;
        } else if result != ty {
            if result.is_numeric() && ty.is_numeric() {
                result = Ty::Num;
            } else {
                return Err(refuse(
                    span,
                    format!("{what} types {} and {} cannot be matched", result.pg_name(), ty.pg_name()),
                ));
            }
        }
    }
    Ok(result)
}

fn order_by_items(order_by: &OrderBy) -> R<&Vec<OrderByExpr>> {
    if order_by.interpolate.is_some() {
        return Err(unsupported(Span::empty(), "ORDER BY ... INTERPOLATE"));
    }
    match &order_by.kind {
        OrderByKind::Expressions(items) => Ok(items),
        OrderByKind::All(_) => Err(unsupported(Span::empty(), "ORDER BY ALL")),
    }
}

/// ` ASC NULLS LAST` etc., with PostgreSQL's defaults made explicit.
fn order_suffix(item: &OrderByExpr) -> R<String> {
    if item.with_fill.is_some() {
        return Err(unsupported(item.expr.span(), "WITH FILL"));
    }
    let descending = match &item.options.sort {
        None | Some(OrderBySort::Asc) => false,
        Some(OrderBySort::Desc) => true,
        Some(_) => return Err(unsupported(item.expr.span(), "ORDER BY ... USING")),
    };
    let nulls_first = item.options.nulls_first.unwrap_or(descending);
    Ok(format!(" {} NULLS {}", if descending { "DESC" } else { "ASC" }, if nulls_first { "FIRST" } else { "LAST" }))
}

/// An ORDER BY/GROUP BY position, from 0.
fn ordinal(expr: &Expr, count: usize) -> R<usize> {
    let Expr::Value(v) = expr else { unreachable!("ordinal of a number") };
    let Value::Number(n, _) = &v.value else { unreachable!("ordinal of a number") };
    match n.parse::<usize>() {
        Ok(i) if (1..=count).contains(&i) => Ok(i - 1),
        _ => Err(refuse(expr.span(), format!("position {n} is not in select list"))),
    }
}

fn single_name(name: &ObjectName) -> R<String> {
    match name.0.as_slice() {
        [ObjectNamePart::Identifier(ident)] => Ok(fold(ident)),
        _ => Err(unsupported(name.span(), &format!("the name {name}"))),
    }
}

fn table_name(name: &ObjectName) -> R<String> {
    match name.0.as_slice() {
        [ObjectNamePart::Identifier(ident)] => Ok(fold(ident)),
        [ObjectNamePart::Identifier(schema), ObjectNamePart::Identifier(ident)] if fold(schema) == "public" => {
            Ok(fold(ident))
        }
        _ => Err(refuse(name.span(), format!("relation \"{name}\" does not exist"))),
    }
}

fn check_wildcard(options: &WildcardAdditionalOptions) -> R<()> {
    if options.opt_ilike.is_some()
        || options.opt_exclude.is_some()
        || options.opt_except.is_some()
        || options.opt_replace.is_some()
        || options.opt_rename.is_some()
        || options.opt_alias.is_some()
    {
        return Err(unsupported(options.wildcard_token.0.span, "wildcard options"));
    }
    Ok(())
}

fn check_select(select: &Select) -> R<()> {
    let span = select.select_token.0.span;
    if let Some(into) = &select.into {
        let at = into.targets.first().map_or(span, Spanned::span);
        return Err(refuse(at, "SELECT ... INTO is not allowed: queries are read-only"));
    }
    if select.top.is_some() {
        return Err(unsupported(span, "TOP"));
    }
    if !select.optimizer_hints.is_empty() || select.select_modifiers.is_some() {
        return Err(unsupported(span, "select modifiers"));
    }
    if select.exclude.is_some() {
        return Err(unsupported(span, "EXCLUDE"));
    }
    if !select.lateral_views.is_empty() {
        return Err(unsupported(span, "LATERAL VIEW"));
    }
    if select.prewhere.is_some() {
        return Err(unsupported(span, "PREWHERE"));
    }
    if !select.connect_by.is_empty() {
        return Err(unsupported(span, "CONNECT BY"));
    }
    if !select.cluster_by.is_empty() || !select.distribute_by.is_empty() || !select.sort_by.is_empty() {
        return Err(unsupported(span, "CLUSTER/DISTRIBUTE/SORT BY"));
    }
    if !select.named_window.is_empty() {
        return Err(unsupported(span, "WINDOW"));
    }
    if select.qualify.is_some() {
        return Err(unsupported(span, "QUALIFY"));
    }
    if select.value_table_mode.is_some() {
        return Err(unsupported(span, "SELECT AS STRUCT/VALUE"));
    }
    if !matches!(select.flavor, SelectFlavor::Standard) {
        return Err(unsupported(span, "FROM-first SELECT"));
    }
    Ok(())
}

/// A PostgreSQL one-dimensional array literal: `{a,"b c",NULL}`.
fn parse_pg_array(text: &str) -> Result<Vec<Option<String>>, String> {
    let bad = || format!("malformed array literal: \"{text}\"");
    let inner = text.trim();
    let inner = inner.strip_prefix('{').and_then(|s| s.strip_suffix('}')).ok_or_else(bad)?;
    let mut items = Vec::new();
    let chars: Vec<char> = inner.chars().collect();
    let mut i = 0;
    if chars.iter().all(|c| c.is_whitespace()) {
        return Ok(items);
    }
    loop {
        while i < chars.len() && chars[i].is_whitespace() {
            i += 1;
        }
        if i < chars.len() && chars[i] == '"' {
            i += 1;
            let mut s = String::new();
            loop {
                match chars.get(i) {
                    None => return Err(bad()),
                    Some('"') => {
                        i += 1;
                        break;
                    }
                    Some('\\') => {
                        s.push(*chars.get(i + 1).ok_or_else(bad)?);
                        i += 2;
                    }
                    Some(c) => {
                        s.push(*c);
                        i += 1;
                    }
                }
            }
            items.push(Some(s));
            while i < chars.len() && chars[i].is_whitespace() {
                i += 1;
            }
        } else {
            let mut s = String::new();
            while i < chars.len() && chars[i] != ',' {
                match chars[i] {
                    '{' | '}' | '"' => return Err(bad()),
                    '\\' => {
                        s.push(*chars.get(i + 1).ok_or_else(bad)?);
                        i += 2;
                    }
                    c => {
                        s.push(c);
                        i += 1;
                    }
                }
            }
            let s = s.trim_end().to_string();
            if s.is_empty() {
                return Err(bad());
            }
            items.push(if s.eq_ignore_ascii_case("null") { None } else { Some(s) });
        }
        match chars.get(i) {
            None => return Ok(items),
            Some(',') => i += 1,
            Some(_) => return Err(bad()),
        }
    }
}

/// The name PostgreSQL gives an output column with no alias, and how strongly (PostgreSQL's
/// `FigureColname`: 2 for a name, 1 for a type or CASE, 0 for `?column?`).
fn colname(expr: &Expr) -> (String, u8) {
    match expr {
        Expr::Identifier(ident) => (fold(ident), 2),
        Expr::CompoundIdentifier(parts) => (parts.last().map_or_else(|| "?column?".into(), fold), 2),
        Expr::Function(f) => match f.name.0.last() {
            Some(ObjectNamePart::Identifier(ident)) => (fold(ident), 2),
            _ => ("?column?".into(), 0),
        },
        Expr::Nested(inner) => colname(inner),
        Expr::Cast { expr: inner, data_type, .. } => {
            let (name, strength) = colname(inner);
            if strength <= 1 { (pg_type_name(data_type), 1) } else { (name, strength) }
        }
        Expr::TypedString(typed) => (pg_type_name(&typed.data_type), 1),
        Expr::Case { .. } => ("case".into(), 1),
        Expr::Exists { .. } => ("exists".into(), 2),
        Expr::Array(_) => ("array".into(), 2),
        Expr::Substring { shorthand, .. } => (if *shorthand { "substr" } else { "substring" }.into(), 2),
        Expr::Position { .. } => ("position".into(), 2),
        Expr::Ceil { .. } => ("ceil".into(), 2),
        Expr::Floor { .. } => ("floor".into(), 2),
        Expr::Trim { trim_where, .. } => (
            match trim_where {
                Some(TrimWhereField::Leading) => "ltrim",
                Some(TrimWhereField::Trailing) => "rtrim",
                _ => "btrim",
            }
            .into(),
            2,
        ),
        Expr::Subquery(query) => match query.body.as_ref() {
            SetExpr::Select(select) => match select.projection.first() {
                Some(SelectItem::ExprWithAlias { alias, .. }) => (fold(alias), 2),
                Some(SelectItem::UnnamedExpr(e)) => colname(e),
                _ => ("?column?".into(), 0),
            },
            _ => ("?column?".into(), 0),
        },
        _ => ("?column?".into(), 0),
    }
}

/// PostgreSQL's internal name of a type, as it names cast columns.
fn pg_type_name(data_type: &DataType) -> String {
    match data_type {
        DataType::Int(_) | DataType::Integer(_) | DataType::Int4(_) => "int4".into(),
        DataType::BigInt(_) | DataType::Int8(_) => "int8".into(),
        DataType::SmallInt(_) | DataType::Int2(_) => "int2".into(),
        DataType::Text => "text".into(),
        DataType::Varchar(_) | DataType::CharacterVarying(_) | DataType::CharVarying(_) => "varchar".into(),
        DataType::Numeric(_) | DataType::Decimal(_) | DataType::Dec(_) => "numeric".into(),
        DataType::Boolean | DataType::Bool => "bool".into(),
        DataType::JSONB => "jsonb".into(),
        DataType::JSON => "json".into(),
        DataType::Real | DataType::Float4 => "float4".into(),
        DataType::DoublePrecision | DataType::Float8 | DataType::Double(_) | DataType::Float(_) => "float8".into(),
        DataType::Array(sqlparser::ast::ArrayElemTypeDef::SquareBracket(inner, _)) => pg_type_name(inner),
        other => other.to_string().to_lowercase(),
    }
}

#[cfg(test)]
mod tests;
