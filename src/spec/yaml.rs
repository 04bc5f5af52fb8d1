//! YAML text -> a tree of nodes that remember where they came from.
//!
//! serde_yaml drops positions once a value is built, and a spec diagnostic must name the line and
//! column of the node it is about, so the spec is read through yaml-rust2's event parser into a
//! small tree of its own. The tree converts to `serde_json::Value` for typed decoding and keeps a
//! [`SourceMap`] from JSON pointers to positions for the checks that come after.

use std::collections::HashMap;

use yaml_rust2::parser::{Event, MarkedEventReceiver, Parser};
use yaml_rust2::scanner::{Marker, TScalarStyle};

/// A position in the source: 1-based line and column, and a byte offset for the snippet renderer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Pos {
    pub line: usize,
    pub col: usize,
    pub offset: usize,
}

/// A byte range in the source with its starting line and column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Span {
    pub start: Pos,
    pub end: usize,
}

impl Span {
    /// The start of the file, for problems with the file as a whole.
    pub fn first_line() -> Span {
        Span {
            start: Pos {
                line: 1,
                col: 1,
                offset: 0,
            },
            end: 0,
        }
    }
}

/// The value of a node. Scalars are resolved with the YAML 1.2 core schema: quoted scalars are
/// always strings.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
    Seq(Vec<Node>),
    Map(Vec<(Node, Node)>),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    pub value: Value,
    pub span: Span,
}

impl Node {
    /// How the node is called in messages ("a string", "a mapping").
    pub fn kind(&self) -> &'static str {
        match self.value {
            Value::Null => "null",
            Value::Bool(_) => "a boolean",
            Value::Int(_) => "an integer",
            Value::Float(_) => "a number",
            Value::Str(_) => "a string",
            Value::Seq(_) => "a list",
            Value::Map(_) => "a mapping",
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match &self.value {
            Value::Str(s) => Some(s),
            _ => None,
        }
    }

    /// The node as JSON, for serde. Keys are rendered as strings.
    pub fn to_json(&self) -> serde_json::Value {
        use serde_json::Value as J;
        match &self.value {
            Value::Null => J::Null,
            Value::Bool(b) => J::Bool(*b),
            Value::Int(i) => J::from(*i),
            Value::Float(f) => serde_json::Number::from_f64(*f).map_or(J::Null, J::Number),
            Value::Str(s) => J::String(s.clone()),
            Value::Seq(items) => J::Array(items.iter().map(Node::to_json).collect()),
            Value::Map(entries) => J::Object(
                entries
                    .iter()
                    .map(|(k, v)| (k.key_text(), v.to_json()))
                    .collect(),
            ),
        }
    }

    /// A mapping key as text, borrowed when it is a string (the usual case).
    pub fn key_str(&self) -> std::borrow::Cow<'_, str> {
        match &self.value {
            Value::Str(s) => std::borrow::Cow::Borrowed(s),
            _ => std::borrow::Cow::Owned(self.key_text()),
        }
    }

    /// A mapping key as text (keys such as `3306` or `true` become their literal text).
    pub fn key_text(&self) -> String {
        match &self.value {
            Value::Str(s) => s.clone(),
            Value::Int(i) => i.to_string(),
            Value::Float(f) => f.to_string(),
            Value::Bool(b) => b.to_string(),
            Value::Null => "null".to_string(),
            Value::Seq(_) | Value::Map(_) => "<complex key>".to_string(),
        }
    }
}

/// A YAML syntax problem (or a duplicate key, which YAML forbids too).
#[derive(Debug, Clone, PartialEq)]
pub struct SyntaxError {
    pub message: String,
    pub span: Span,
    pub note: Option<String>,
}

/// Where each value (and, for mapping entries, its key) sits in the source, by JSON pointer.
///
/// Positions are looked up in the tree when a diagnostic needs one, which is rare, rather than
/// indexed up front for every node.
#[derive(Debug, Default, Clone)]
pub struct SourceMap {
    root: Option<std::rc::Rc<Node>>,
}

impl SourceMap {
    /// The span of the value at `pointer`, or of its closest ancestor that exists.
    pub fn value(&self, pointer: &str) -> Span {
        self.lookup(pointer).1
    }

    /// The span of the key naming `pointer` (falls back to the value, then to an ancestor).
    pub fn key(&self, pointer: &str) -> Span {
        let (key, value) = self.lookup(pointer);
        key.unwrap_or(value)
    }

    fn lookup(&self, pointer: &str) -> (Option<Span>, Span) {
        let Some(mut node) = self.root.as_deref() else {
            return (None, Span::default());
        };
        let mut key = None;
        for raw in pointer.split('/').skip(1) {
            let seg = raw.replace("~1", "/").replace("~0", "~");
            let next = match &node.value {
                Value::Map(entries) => entries
                    .iter()
                    .find(|(k, _)| k.key_str() == seg.as_str())
                    .map(|(k, v)| (Some(k.span), v)),
                Value::Seq(items) => seg
                    .parse::<usize>()
                    .ok()
                    .and_then(|i| items.get(i))
                    .map(|v| (None, v)),
                _ => None,
            };
            match next {
                Some((k, v)) => {
                    key = k;
                    node = v;
                }
                None => break,
            }
        }
        (key, node.span)
    }
}

/// Appends one escaped segment to a JSON pointer (RFC 6901).
pub fn child_pointer(parent: &str, segment: &str) -> String {
    format!("{parent}/{}", segment.replace('~', "~0").replace('/', "~1"))
}

/// Parses one YAML document. An empty document is an empty mapping's worth of nothing: `Null`.
pub fn parse(text: &str) -> Result<(std::rc::Rc<Node>, SourceMap), SyntaxError> {
    let lines = LineIndex::new(text);
    let mut builder = Builder {
        lines: &lines,
        stack: Vec::new(),
        anchors: HashMap::new(),
        alias_nodes: 0,
        alias_bytes: 0,
        root: None,
        error: None,
        documents: 0,
    };
    let mut parser = Parser::new_from_str(text);
    if let Err(e) = parser.load(&mut builder, true) {
        let m = e.marker();
        let start = lines.pos(m.line(), m.col());
        return Err(SyntaxError {
            message: format!("invalid YAML: {}", e.info()),
            span: Span {
                start,
                end: start.offset,
            },
            note: None,
        });
    }
    if let Some(err) = builder.error {
        return Err(err);
    }
    let root = builder.root.unwrap_or(Node {
        value: Value::Null,
        span: Span::default(),
    });
    let root = std::rc::Rc::new(root);
    let map = SourceMap {
        root: Some(root.clone()),
    };
    Ok((root, map))
}

enum Open {
    Seq(Vec<Node>, Span, usize),
    /// Entries, a key waiting for its value, the span, the anchor, and the line of each key
    /// seen so far (to find duplicates without a quadratic scan).
    Map(
        Vec<(Node, Node)>,
        Option<Node>,
        Span,
        usize,
        HashMap<String, usize>,
    ),
}

struct Builder<'a> {
    lines: &'a LineIndex,
    stack: Vec<Open>,
    anchors: HashMap<usize, Anchored>,
    /// Nodes, and bytes of text, brought in by aliases so far, bounded by
    /// [`crate::input::MAX_ALIAS_NODES`] and [`crate::input::MAX_FILE_BYTES`].
    alias_nodes: usize,
    alias_bytes: usize,
    root: Option<Node>,
    error: Option<SyntaxError>,
    documents: usize,
}

/// An anchored node with what copying it costs, so that an alias is priced before it is copied.
struct Anchored {
    node: Node,
    size: Size,
}

impl Anchored {
    fn new(node: Node) -> Self {
        Anchored {
            size: Size::of(&node),
            node,
        }
    }
}

/// The number of nodes in a node, its height (a scalar is 1 high) and the bytes of its scalars.
#[derive(Clone, Copy)]
struct Size {
    nodes: usize,
    height: usize,
    bytes: usize,
}

impl Size {
    fn of(node: &Node) -> Size {
        let leaf = Size {
            nodes: 1,
            height: 1,
            bytes: match &node.value {
                Value::Str(s) => s.len(),
                _ => 8,
            },
        };
        let children: Box<dyn Iterator<Item = &Node>> = match &node.value {
            Value::Seq(items) => Box::new(items.iter()),
            Value::Map(entries) => Box::new(entries.iter().flat_map(|(k, v)| [k, v])),
            _ => Box::new(std::iter::empty()),
        };
        children.fold(leaf, |acc, child| {
            let c = Size::of(child);
            Size {
                nodes: acc.nodes + c.nodes,
                height: acc.height.max(c.height + 1),
                bytes: acc.bytes + c.bytes,
            }
        })
    }
}

impl Builder<'_> {
    fn fail(&mut self, message: String, span: Span, note: &str) {
        if self.error.is_none() {
            self.error = Some(SyntaxError {
                message,
                span,
                note: Some(note.to_string()),
            });
        }
    }

    fn too_deep(&mut self, span: Span) {
        self.fail(
            format!(
                "lists and mappings nest more than {} levels deep here",
                crate::input::MAX_DEPTH
            ),
            span,
            "a spec needs about ten levels; this looks generated or hostile",
        );
    }

    fn span_at(&self, mark: Marker) -> Span {
        let start = self.lines.pos(mark.line(), mark.col());
        Span {
            start,
            end: start.offset,
        }
    }

    fn push_value(&mut self, node: Node) {
        match self.stack.last_mut() {
            None => self.root = Some(node),
            Some(Open::Seq(items, ..)) => items.push(node),
            Some(Open::Map(entries, pending, span, _, seen)) => match pending.take() {
                None => {
                    // A block mapping's start event is marked after its first key; the mapping
                    // starts where that key does.
                    if entries.is_empty() && node.span.start.offset < span.start.offset {
                        span.start = node.span.start;
                    }
                    *pending = Some(node)
                }
                Some(key) => {
                    let text = key.key_text();
                    if let Some(first_line) = seen.get(&text) {
                        if self.error.is_none() {
                            self.error = Some(SyntaxError {
                                message: format!("duplicate key `{text}`"),
                                span: key.span,
                                note: Some(format!(
                                    "`{text}` is first defined at line {first_line}"
                                )),
                            });
                        }
                    } else {
                        seen.insert(text, key.span.start.line);
                    }
                    entries.push((key, node));
                }
            },
        }
    }
}

impl MarkedEventReceiver for Builder<'_> {
    fn on_event(&mut self, ev: Event, mark: Marker) {
        // After the first error nothing is built: the document is refused, and building on
        // (copying an alias bomb's aliases, say) is what the bounds are there to prevent.
        if self.error.is_some() {
            return;
        }
        let span = self.span_at(mark);
        match ev {
            Event::DocumentStart => self.document_start(span),
            Event::Scalar(text, style, anchor, _tag) => self.scalar(text, style, anchor, span),
            Event::Alias(id) => self.alias(id, span),
            Event::SequenceStart(..) | Event::MappingStart(..)
                if self.stack.len() >= crate::input::MAX_DEPTH =>
            {
                self.too_deep(span)
            }
            Event::SequenceStart(anchor, _) => self.stack.push(Open::Seq(Vec::new(), span, anchor)),
            Event::MappingStart(anchor, _) => {
                self.stack
                    .push(Open::Map(Vec::new(), None, span, anchor, HashMap::new()))
            }
            Event::SequenceEnd | Event::MappingEnd => self.close(mark),
            _ => {}
        }
    }
}

impl Builder<'_> {
    /// A spec is one document: a second is an error.
    fn document_start(&mut self, span: Span) {
        self.documents += 1;
        if self.documents > 1 && self.error.is_none() {
            self.error = Some(SyntaxError {
                message: "a spec holds one YAML document, found a second".into(),
                span,
                note: Some("remove the second `---` and what follows it".into()),
            });
        }
    }

    /// A scalar, resolved with the core schema when plain, and remembered when anchored.
    fn scalar(&mut self, text: String, style: TScalarStyle, anchor: usize, span: Span) {
        let mut span = span;
        span.end = span.start.offset + text.len();
        let value = if style == TScalarStyle::Plain {
            resolve_plain(&text)
        } else {
            Value::Str(text)
        };
        let node = Node { value, span };
        if anchor > 0 {
            self.anchors.insert(anchor, Anchored::new(node.clone()));
        }
        self.push_value(node);
    }

    /// A copy of an anchored value, within the bounds on what aliases may bring in.
    fn alias(&mut self, id: usize, span: Span) {
        let value = match self.anchors.get(&id) {
            Some(a) => {
                self.alias_nodes = self.alias_nodes.saturating_add(a.size.nodes);
                self.alias_bytes = self.alias_bytes.saturating_add(a.size.bytes);
                if self.alias_nodes > crate::input::MAX_ALIAS_NODES
                    || self.alias_bytes as u64 > crate::input::MAX_FILE_BYTES
                {
                    self.fail(
                        format!(
                            "aliases bring in more than {} nodes (or {} bytes) by here",
                            crate::input::MAX_ALIAS_NODES,
                            crate::input::MAX_FILE_BYTES
                        ),
                        span,
                        "each alias copies its anchor's whole value; nested anchors \
                         multiply (an alias bomb); write the values out or share fewer",
                    );
                    return;
                }
                if self.stack.len() + a.size.height > crate::input::MAX_DEPTH {
                    self.too_deep(span);
                    return;
                }
                a.node.value.clone()
            }
            None => Value::Null,
        };
        self.push_value(Node { value, span });
    }

    /// The end of a sequence or mapping: the collection is a value of its parent.
    fn close(&mut self, mark: Marker) {
        let (value, mut span, anchor) = match self.stack.pop() {
            Some(Open::Seq(items, span, anchor)) => (Value::Seq(items), span, anchor),
            Some(Open::Map(entries, _, span, anchor, _)) => (Value::Map(entries), span, anchor),
            None => return,
        };
        span.end = self
            .lines
            .pos(mark.line(), mark.col())
            .offset
            .max(span.start.offset);
        let node = Node { value, span };
        if anchor > 0 {
            self.anchors.insert(anchor, Anchored::new(node.clone()));
        }
        self.push_value(node);
    }
}

/// Resolves a plain scalar with the YAML 1.2 core schema.
fn resolve_plain(text: &str) -> Value {
    match text {
        "" | "~" | "null" | "Null" | "NULL" => return Value::Null,
        "true" | "True" | "TRUE" => return Value::Bool(true),
        "false" | "False" | "FALSE" => return Value::Bool(false),
        ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF" => {
            return Value::Float(f64::INFINITY)
        }
        "-.inf" | "-.Inf" | "-.INF" => return Value::Float(f64::NEG_INFINITY),
        ".nan" | ".NaN" | ".NAN" => return Value::Float(f64::NAN),
        _ => {}
    }
    let digits = text.strip_prefix(['-', '+']).unwrap_or(text);
    if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) {
        if let Ok(i) = text.parse::<i64>() {
            return Value::Int(i);
        }
    }
    if let Some(hex) = text.strip_prefix("0x") {
        if let Ok(i) = i64::from_str_radix(hex, 16) {
            return Value::Int(i);
        }
    }
    if let Some(oct) = text.strip_prefix("0o") {
        if let Ok(i) = i64::from_str_radix(oct, 8) {
            return Value::Int(i);
        }
    }
    let looks_numeric = digits.bytes().all(|b| {
        b.is_ascii_digit() || b == b'.' || b == b'e' || b == b'E' || b == b'-' || b == b'+'
    }) && digits.bytes().any(|b| b.is_ascii_digit());
    if looks_numeric {
        if let Ok(f) = text.parse::<f64>() {
            return Value::Float(f);
        }
    }
    Value::Str(text.to_string())
}

/// Maps the parser's (line, char column) markers to byte offsets.
struct LineIndex {
    text: String,
    starts: Vec<usize>,
    /// Whether each line is ASCII, where a column is a byte offset; other lines are walked
    /// character by character.
    ascii: Vec<bool>,
}

impl LineIndex {
    fn new(text: &str) -> Self {
        let mut starts = vec![0];
        starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        let ascii = starts
            .iter()
            .enumerate()
            .map(|(i, &start)| {
                let end = starts.get(i + 1).copied().unwrap_or(text.len());
                text.as_bytes()[start..end].is_ascii()
            })
            .collect();
        LineIndex {
            text: text.to_string(),
            starts,
            ascii,
        }
    }

    /// `line` is 1-based and `col` a 0-based column in characters, as yaml-rust2 reports them.
    fn pos(&self, line: usize, col: usize) -> Pos {
        let line = line.clamp(1, self.starts.len());
        let start = self.starts[line - 1];
        let rest = &self.text[start..];
        let offset = if self.ascii[line - 1] {
            start + col.min(rest.len())
        } else {
            start + rest.char_indices().nth(col).map_or(rest.len(), |(i, _)| i)
        };
        Pos {
            line,
            col: col + 1,
            offset,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_are_one_based_and_point_at_the_value() {
        let (_, map) = parse("a: 1\nb:\n  c: hello\n").expect("valid");
        let s = map.value("/b/c");
        assert_eq!((s.start.line, s.start.col), (3, 6));
        let k = map.key("/b/c");
        assert_eq!((k.start.line, k.start.col), (3, 3));
        assert_eq!(&"a: 1\nb:\n  c: hello\n"[s.start.offset..s.end], "hello");
    }

    #[test]
    fn scalars_resolve_with_the_core_schema() {
        let (node, _) =
            parse("a: 1\nb: '1'\nc: yes\nd: true\ne: 1.5\nf: ~\ng: 0x1F\n").expect("valid");
        let json = node.to_json();
        assert_eq!(
            json,
            serde_json::json!({"a": 1, "b": "1", "c": "yes", "d": true, "e": 1.5, "f": null, "g": 31})
        );
    }

    #[test]
    fn duplicate_keys_are_errors_with_both_lines() {
        let err = parse("a: 1\nb: 2\na: 3\n").expect_err("duplicate");
        assert_eq!(err.message, "duplicate key `a`");
        assert_eq!(err.span.start.line, 3);
        assert_eq!(err.note.as_deref(), Some("`a` is first defined at line 1"));
    }

    #[test]
    fn anchors_and_aliases_copy_values() {
        let (node, _) = parse("x: &d {a: 1}\ny: *d\n").expect("valid");
        assert_eq!(node.to_json()["y"], serde_json::json!({"a": 1}));
    }

    #[test]
    fn syntax_errors_are_located() {
        let err = parse("a: [1, 2\nb: 3\n").expect_err("unclosed");
        assert!(err.message.starts_with("invalid YAML"), "{}", err.message);
        assert!(err.span.start.line >= 1);
    }

    #[test]
    fn columns_count_characters_on_non_ascii_lines() {
        let text = "a: \"é\"\nb: ü\nc: x\n";
        let (_, map) = parse(text).expect("valid");
        let b = map.value("/b");
        assert_eq!((b.start.line, b.start.col), (2, 4));
        assert_eq!(&text[b.start.offset..b.end], "ü");
        let c = map.value("/c");
        assert_eq!(&text[c.start.offset..c.end], "x");
    }

    #[test]
    fn pointer_segments_are_escaped() {
        assert_eq!(child_pointer("/tags", "a/b~c"), "/tags/a~1b~0c");
    }
}
