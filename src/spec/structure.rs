//! Checks the shape of a YAML document against the spec's JSON Schema, reporting every problem.
//!
//! serde stops at the first error, and a spec must report all of them at once, so the document is
//! first walked against the schema that `schemars` derives from [`super::types`]. Only the
//! keywords that derivation emits are understood; an unknown keyword is ignored (and the schema
//! test in `tests/` keeps the two in step). Messages name the field, what was found and, where a
//! close match exists, what was meant.

use serde_json::Value as Json;

use super::diagnostic::{did_you_mean, one_of, Diagnostic};
use super::yaml::{Node, SourceMap, Value};

/// Walks `node` against `root` (a schema with `$defs`) and returns every structural error.
pub fn check(node: &Node, root: &Json, map: &SourceMap) -> Vec<Diagnostic> {
    let mut walker = Walker {
        root,
        map,
        out: Vec::new(),
    };
    walker.walk(node, root, &Path::ROOT);
    walker.out
}

/// `/rules/sync/0/include` -> `rules.sync[0].include`, the way a reader names a spot in YAML.
pub fn display_path(pointer: &str) -> String {
    let mut out = String::new();
    for seg in pointer.split('/').skip(1) {
        let seg = seg.replace("~1", "/").replace("~0", "~");
        if !seg.is_empty() && seg.bytes().all(|b| b.is_ascii_digit()) {
            out.push_str(&format!("[{seg}]"));
        } else {
            if !out.is_empty() {
                out.push('.');
            }
            out.push_str(&seg);
        }
    }
    if out.is_empty() {
        "the spec".to_string()
    } else {
        out
    }
}

/// Schema lookups by linear scan. Schema objects hold a handful of keys, where comparing them
/// beats hashing (serde_json's maps hash with SipHash), and a walk over a large spec makes
/// hundreds of thousands of these lookups.
trait Field {
    fn field(&self, key: &str) -> Option<&Json>;
}

impl Field for serde_json::Map<String, Json> {
    fn field(&self, key: &str) -> Option<&Json> {
        if self.len() <= 32 {
            self.iter().find(|(k, _)| k.as_str() == key).map(|(_, v)| v)
        } else {
            self.get(key)
        }
    }
}

impl Field for Json {
    fn field(&self, key: &str) -> Option<&Json> {
        self.as_object().and_then(|m| m.field(key))
    }
}

struct Walker<'a> {
    root: &'a Json,
    map: &'a SourceMap,
    out: Vec<Diagnostic>,
}

impl<'a> Walker<'a> {
    fn resolve(&self, schema: &'a Json) -> &'a Json {
        let mut s = schema;
        // Follow chains of local references; a reference that resolves nowhere allows anything.
        for _ in 0..16 {
            match s.field("$ref").and_then(Json::as_str) {
                Some(r) => {
                    let name = r.trim_start_matches("#/$defs/");
                    s = match self.root.field("$defs").and_then(|d| d.field(name)) {
                        Some(def) => def,
                        None => return &Json::Bool(true),
                    };
                }
                None => break,
            }
        }
        s
    }

    fn error_at_value(&mut self, at: &Path<'_>, message: String, help: Option<String>) {
        let pointer = at.pointer();
        let span = self.map.value(&pointer);
        let mut d = Diagnostic::error("invalid-value", pointer, message).at(span);
        d.help = help;
        self.out.push(d);
    }

    fn walk(&mut self, node: &Node, schema: &'a Json, at: &Path<'_>) {
        let schema = self.resolve(schema);
        if schema == &Json::Bool(true) {
            return;
        }
        if let Some(branches) = schema
            .field("oneOf")
            .or_else(|| schema.field("anyOf"))
            .and_then(Json::as_array)
        {
            return self.walk_alternatives(node, schema, branches, at);
        }
        if let Some(choices) = schema.field("enum").and_then(Json::as_array) {
            return self.check_enum(node, choices, at);
        }
        if let Some(c) = schema.field("const") {
            return self.check_enum(node, std::slice::from_ref(c), at);
        }
        if !self.check_type(node, schema, at) {
            return;
        }
        match &node.value {
            Value::Map(entries) => self.walk_object(node, entries, schema, at),
            Value::Seq(items) => {
                if let Some(item_schema) = schema.field("items") {
                    for (i, item) in items.iter().enumerate() {
                        self.walk(item, item_schema, &at.index(i));
                    }
                }
            }
            Value::Int(i) => self.check_range(*i as f64, schema, at),
            Value::Float(f) => self.check_range(*f, schema, at),
            _ => {}
        }
    }

    fn check_type(&mut self, node: &Node, schema: &Json, at: &Path<'_>) -> bool {
        let ok = match schema.field("type") {
            Some(Json::String(t)) => type_matches(node, t),
            Some(Json::Array(ts)) => ts
                .iter()
                .filter_map(Json::as_str)
                .any(|t| type_matches(node, t)),
            _ => return true,
        };
        if !ok {
            let types: Vec<&str> = match schema.field("type") {
                Some(Json::String(t)) => vec![t.as_str()],
                Some(Json::Array(ts)) => ts.iter().filter_map(Json::as_str).collect(),
                _ => Vec::new(),
            };
            let wanted: Vec<&str> = types
                .iter()
                .filter(|t| **t != "null")
                .map(|t| type_name(t))
                .collect();
            let mut help = schema
                .field("x-expected")
                .and_then(Json::as_str)
                .map(|s| format!("write {s}"));
            if help.is_none()
                && wanted == ["a string"]
                && matches!(node.value, Value::Int(_) | Value::Float(_) | Value::Bool(_))
            {
                help = Some("quote the value to make it a string".into());
            }
            self.error_at_value(
                at,
                format!(
                    "{} must be {}, found {}",
                    subject(&at.pointer()),
                    wanted.join(" or "),
                    node.kind()
                ),
                help,
            );
        }
        ok
    }

    fn check_range(&mut self, n: f64, schema: &Json, at: &Path<'_>) {
        if let Some(min) = schema.field("minimum").and_then(Json::as_f64) {
            if n < min {
                self.error_at_value(
                    at,
                    format!(
                        "`{}` must be at least {min}, found {n}",
                        display_path(&at.pointer())
                    ),
                    None,
                );
            }
        }
        if let Some(max) = schema.field("maximum").and_then(Json::as_f64) {
            if n > max {
                self.error_at_value(
                    at,
                    format!(
                        "`{}` must be at most {max}, found {n}",
                        display_path(&at.pointer())
                    ),
                    None,
                );
            }
        }
    }

    fn check_enum(&mut self, node: &Node, choices: &[Json], at: &Path<'_>) {
        let found = match &node.value {
            Value::Str(text) => choices.iter().any(|c| c.as_str() == Some(text)),
            _ => choices.contains(&node.to_json()),
        };
        if found {
            return;
        }
        let names: Vec<&str> = choices.iter().filter_map(Json::as_str).collect();
        let shown = match &node.value {
            Value::Str(s) => format!("`{s}`"),
            _ => node.kind().to_string(),
        };
        let help = node
            .as_str()
            .and_then(|s| did_you_mean(s, names.iter().copied()))
            .map(|m| format!("did you mean `{m}`?"));
        self.error_at_value(
            at,
            format!(
                "invalid value {shown} for `{}`: expected {}",
                display_path(&at.pointer()),
                one_of(&names)
            ),
            help,
        );
    }

    fn walk_object(
        &mut self,
        node: &Node,
        entries: &[(Node, Node)],
        schema: &'a Json,
        at: &Path<'_>,
    ) {
        let props = schema.field("properties").and_then(Json::as_object);
        let additional = schema.field("additionalProperties");
        let required: Vec<&str> = schema
            .field("required")
            .and_then(Json::as_array)
            .map(|r| r.iter().filter_map(Json::as_str).collect())
            .unwrap_or_default();
        // A misspelt required field is reported once, as the misspelling.
        let mut explained = Vec::new();
        for (key, value) in entries {
            let name = key.key_str();
            let child = at.key(&name);
            if let Some(prop) = props.and_then(|p| p.field(name.as_ref())) {
                self.walk(value, prop, &child);
                continue;
            }
            match additional {
                Some(Json::Bool(false)) => {
                    let known: Vec<&str> = props
                        .map(|p| p.keys().map(String::as_str).collect())
                        .unwrap_or_default();
                    let help = match did_you_mean(&name, known.iter().copied()) {
                        Some(m) => {
                            explained.push(m);
                            format!("did you mean `{m}`?")
                        }
                        None => format!("expected one of {}", one_of(&known)),
                    };
                    let where_ = if at.is_root() {
                        "at the top level".to_string()
                    } else {
                        format!("in `{}`", display_path(&at.pointer()))
                    };
                    self.out.push(
                        Diagnostic::error(
                            "unknown-field",
                            child.pointer(),
                            format!("unknown field `{name}` {where_}"),
                        )
                        .at(key.span)
                        .with_help(help),
                    );
                }
                Some(extra) if extra.is_object() => self.walk(value, extra, &child),
                _ => {}
            }
        }
        {
            for field in required {
                if !explained.contains(&field) && !entries.iter().any(|(k, _)| k.key_str() == field)
                {
                    let what = if at.is_root() {
                        "the spec".to_string()
                    } else {
                        format!("`{}`", display_path(&at.pointer()))
                    };
                    let span = if at.is_root() {
                        node.span
                    } else {
                        self.map.key(&at.pointer())
                    };
                    self.out.push(
                        Diagnostic::error(
                            "missing-field",
                            at.key(field).pointer(),
                            format!("missing required field `{field}` in {what}"),
                        )
                        .at(span),
                    );
                }
            }
        }
    }

    fn walk_alternatives(
        &mut self,
        node: &Node,
        schema: &'a Json,
        branches: &'a [Json],
        at: &Path<'_>,
    ) {
        // `Option<T>`: null is always fine when one branch is null.
        if matches!(node.value, Value::Null)
            && branches
                .iter()
                .any(|b| b.field("type") == Some(&Json::String("null".into())))
        {
            return;
        }
        let resolved: Vec<&'a Json> = branches
            .iter()
            .map(|b| self.resolve(b))
            .filter(|b| b.field("type") != Some(&Json::String("null".into())))
            .collect();
        if resolved.len() == 1 {
            return self.walk(node, resolved[0], at);
        }
        // Externally tagged enums: every branch is an object with exactly one required key.
        let tags: Vec<(&str, &'a Json)> = resolved.iter().filter_map(|b| single_tag(b)).collect();
        if !tags.is_empty() && tags.len() == resolved.len() {
            return self.walk_tagged(node, schema, &tags, at);
        }
        // Untagged alternatives: accept the first that fits without errors.
        for branch in &resolved {
            let mut probe = Walker {
                root: self.root,
                map: self.map,
                out: Vec::new(),
            };
            probe.walk(node, branch, at);
            if probe.out.is_empty() {
                return;
            }
        }
        let wanted: Vec<String> = resolved
            .iter()
            .filter_map(|b| b.field("type").and_then(Json::as_str))
            .map(|t| type_name(t).to_string())
            .collect();
        let help = schema
            .field("x-expected")
            .and_then(Json::as_str)
            .map(|s| format!("write {s}"));
        self.error_at_value(
            at,
            format!(
                "`{}` must be {}, found {}",
                display_path(&at.pointer()),
                if wanted.is_empty() {
                    "something else".to_string()
                } else {
                    wanted.join(" or ")
                },
                node.kind()
            ),
            help,
        );
    }

    /// A tagged value written with several keys: often two list items missing a `- `.
    fn more_than_one_key(
        &mut self,
        entries: &[(Node, Node)],
        schema: &Json,
        expected: &str,
        at: &Path<'_>,
    ) {
        let keys: Vec<String> = entries.iter().map(|(k, _)| k.key_text()).collect();
        let (second, _) = &entries[1];
        let help = if schema.field("x-list-item").is_some() {
            format!(
                "each one is its own list item: start `{}` on a new line with `- `",
                second.key_text()
            )
        } else {
            format!("write {expected}")
        };
        self.out.push(
            Diagnostic::error(
                "invalid-value",
                at.pointer(),
                format!(
                    "`{}` has {} keys ({}) but takes exactly one",
                    display_path(&at.pointer()),
                    keys.len(),
                    keys.iter()
                        .map(|k| format!("`{k}`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            )
            .at(second.span)
            .with_help(help),
        );
    }

    /// A value of one of several kinds, written as a mapping with one key naming the kind.
    fn walk_tagged(
        &mut self,
        node: &Node,
        schema: &Json,
        tags: &[(&str, &'a Json)],
        at: &Path<'_>,
    ) {
        let names: Vec<&str> = tags.iter().map(|(t, _)| *t).collect();
        let expected = schema
            .field("x-expected")
            .and_then(Json::as_str)
            .map(str::to_string)
            .unwrap_or_else(|| format!("a mapping with one key: {}", one_of(&names)));
        let entries = match &node.value {
            Value::Map(entries) if entries.len() == 1 => entries,
            Value::Map(entries) if entries.len() > 1 => {
                return self.more_than_one_key(entries, schema, &expected, at);
            }
            _ => {
                return self.error_at_value(
                    at,
                    format!(
                        "`{}` must be {expected}, found {}",
                        display_path(&at.pointer()),
                        node.kind()
                    ),
                    None,
                );
            }
        };
        let (key, value) = &entries[0];
        let name = key.key_text();
        match tags.iter().find(|(t, _)| *t == name) {
            Some((_, branch)) => {
                let inner = branch
                    .field("properties")
                    .and_then(|p| p.field(&name))
                    .unwrap_or(&Json::Bool(true));
                self.walk(value, inner, &at.key(&name));
            }
            None => {
                let help = match did_you_mean(&name, names.iter().copied()) {
                    Some(m) => format!("did you mean `{m}`?"),
                    None => format!("expected {}", one_of(&names)),
                };
                self.out.push(
                    Diagnostic::error(
                        "unknown-variant",
                        at.key(&name).pointer(),
                        format!("unknown kind `{name}` in `{}`", display_path(&at.pointer())),
                    )
                    .at(key.span)
                    .with_help(help),
                );
            }
        }
    }
}

/// Where the walker is, as a chain of segments on the stack: the JSON pointer is built only
/// when a diagnostic needs it, which keeps a clean walk free of per-node allocations.
#[derive(Clone, Copy)]
struct Path<'p> {
    parent: Option<&'p Path<'p>>,
    seg: Seg<'p>,
}

#[derive(Clone, Copy)]
enum Seg<'p> {
    Root,
    Key(&'p str),
    Index(usize),
}

impl<'p> Path<'p> {
    const ROOT: Path<'static> = Path {
        parent: None,
        seg: Seg::Root,
    };

    fn key<'q>(&'q self, key: &'q str) -> Path<'q> {
        Path {
            parent: Some(self),
            seg: Seg::Key(key),
        }
    }

    fn index(&self, i: usize) -> Path<'_> {
        Path {
            parent: Some(self),
            seg: Seg::Index(i),
        }
    }

    fn is_root(&self) -> bool {
        matches!(self.seg, Seg::Root)
    }

    /// The JSON pointer (RFC 6901) of this place.
    fn pointer(&self) -> String {
        let mut segs = Vec::new();
        let mut cur = Some(self);
        while let Some(p) = cur {
            match p.seg {
                Seg::Root => {}
                Seg::Key(k) => segs.push(k.replace('~', "~0").replace('/', "~1")),
                Seg::Index(i) => segs.push(i.to_string()),
            }
            cur = p.parent;
        }
        segs.iter().rev().map(|s| format!("/{s}")).collect()
    }
}

/// How a message names the node at `pointer`.
fn subject(pointer: &str) -> String {
    if pointer.is_empty() {
        "the spec".to_string()
    } else {
        format!("`{}`", display_path(pointer))
    }
}

/// `{"type":"object","properties":{"k":..},"required":["k"]}` -> `("k", branch)`.
fn single_tag(branch: &Json) -> Option<(&str, &Json)> {
    let props = branch.field("properties")?.as_object()?;
    let required = branch.field("required")?.as_array()?;
    if props.len() == 1 && required.len() == 1 {
        let key = required[0].as_str()?;
        props.contains_key(key).then_some((key, branch))
    } else {
        None
    }
}

fn type_matches(node: &Node, t: &str) -> bool {
    matches!(
        (t, &node.value),
        ("null", Value::Null)
            | ("boolean", Value::Bool(_))
            | ("integer", Value::Int(_))
            | ("number", Value::Int(_) | Value::Float(_))
            | ("string", Value::Str(_))
            | ("array", Value::Seq(_))
            | ("object", Value::Map(_))
    )
}

fn type_name(t: &str) -> &'static str {
    match t {
        "null" => "null",
        "boolean" => "a boolean",
        "integer" => "an integer",
        "number" => "a number",
        "string" => "a string",
        "array" => "a list",
        "object" => "a mapping",
        _ => "a value",
    }
}
