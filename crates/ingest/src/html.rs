//! HTML: text blocks become lines; tables without nested tables become rows with rowspan and
//! colspan expanded to exact grid positions (`<br>` inside a cell is a line break, `&nbsp;` a
//! blank). Tables that contain tables are layout tables and are walked as text.
//!
//! Parsing is html5ever's (the WHATWG tree construction: implied `<tbody>`, omitted `</td>`,
//! misnested and malformed tables) into a small arena of our own that keeps only what the walk
//! reads: element local names, `rowspan`/`colspan`, and text.

use crate::doc::{Cell, Document, Line, LineKind, Loc};
use crate::{IngestError, Limits};
use html5ever::tendril::{StrTendril, TendrilSink};
use html5ever::tree_builder::{ElementFlags, NodeOrText, QuirksMode, TreeSink};
use html5ever::{Attribute, LocalName, QualName, local_name, ns};
use std::borrow::Cow;
use std::cell::{Ref, RefCell};

const MAX_SPAN: usize = 200;

fn is_block(name: &LocalName) -> bool {
    matches!(
        *name,
        local_name!("p")
            | local_name!("div")
            | local_name!("h1")
            | local_name!("h2")
            | local_name!("h3")
            | local_name!("h4")
            | local_name!("h5")
            | local_name!("h6")
            | local_name!("li")
            | local_name!("ul")
            | local_name!("ol")
            | local_name!("br")
            | local_name!("section")
            | local_name!("article")
            | local_name!("center")
            | local_name!("blockquote")
            | local_name!("tr")
            | local_name!("td")
            | local_name!("th")
            | local_name!("table")
            | local_name!("title")
            | local_name!("header")
            | local_name!("footer")
            | local_name!("pre")
            | local_name!("hr")
            | local_name!("dd")
            | local_name!("dt")
            | local_name!("caption")
    )
}

// ---------------------------------------------------------------------------------------------
// The tree: an arena of nodes linked by index.

const NONE: u32 = u32::MAX;

#[derive(Debug)]
enum Kind {
    Document,
    Element {
        name: QualName,
        /// `rowspan` and `colspan` as written (clamped when read).
        rowspan: Option<StrTendril>,
        colspan: Option<StrTendril>,
    },
    Text(StrTendril),
    /// Comments, processing instructions, doctypes, template contents.
    Other,
}

#[derive(Debug)]
struct Node {
    kind: Kind,
    parent: u32,
    first: u32,
    last: u32,
    prev: u32,
    next: u32,
}

impl Node {
    fn new(kind: Kind) -> Node {
        Node {
            kind,
            parent: NONE,
            first: NONE,
            last: NONE,
            prev: NONE,
            next: NONE,
        }
    }

    fn name(&self) -> Option<&LocalName> {
        match &self.kind {
            Kind::Element { name, .. } => Some(&name.local),
            _ => None,
        }
    }
}

#[derive(Debug, Default)]
struct Tree {
    nodes: Vec<Node>,
}

impl Tree {
    fn add(&mut self, kind: Kind) -> u32 {
        let id = u32::try_from(self.nodes.len()).expect("fewer than 2^32 nodes");
        self.nodes.push(Node::new(kind));
        id
    }

    fn n(&self, id: u32) -> &Node {
        &self.nodes[id as usize]
    }

    fn n_mut(&mut self, id: u32) -> &mut Node {
        &mut self.nodes[id as usize]
    }

    fn detach(&mut self, id: u32) {
        let (parent, prev, next) = {
            let n = self.n(id);
            (n.parent, n.prev, n.next)
        };
        if parent == NONE {
            return;
        }
        if prev == NONE {
            self.n_mut(parent).first = next;
        } else {
            self.n_mut(prev).next = next;
        }
        if next == NONE {
            self.n_mut(parent).last = prev;
        } else {
            self.n_mut(next).prev = prev;
        }
        let n = self.n_mut(id);
        n.parent = NONE;
        n.prev = NONE;
        n.next = NONE;
    }

    fn append_child(&mut self, parent: u32, child: u32) {
        self.detach(child);
        let last = self.n(parent).last;
        {
            let c = self.n_mut(child);
            c.parent = parent;
            c.prev = last;
        }
        if last == NONE {
            self.n_mut(parent).first = child;
        } else {
            self.n_mut(last).next = child;
        }
        self.n_mut(parent).last = child;
    }

    fn insert_before(&mut self, sibling: u32, child: u32) {
        self.detach(child);
        let (parent, prev) = {
            let s = self.n(sibling);
            (s.parent, s.prev)
        };
        {
            let c = self.n_mut(child);
            c.parent = parent;
            c.prev = prev;
            c.next = sibling;
        }
        self.n_mut(sibling).prev = child;
        if prev == NONE {
            self.n_mut(parent).first = child;
        } else {
            self.n_mut(prev).next = child;
        }
    }

    /// Append text to `parent`, joining it to a text node that is the last child.
    fn append_text(&mut self, parent: u32, text: StrTendril) {
        let last = self.n(parent).last;
        if last != NONE
            && let Kind::Text(t) = &mut self.n_mut(last).kind
        {
            t.push_tendril(&text);
            return;
        }
        let id = self.add(Kind::Text(text));
        self.append_child(parent, id);
    }

    /// The node after `id` in document order, not descending into `id`'s children, within
    /// `root`'s subtree.
    fn next_skipping(&self, mut id: u32, root: u32) -> Option<u32> {
        loop {
            if id == root {
                return None;
            }
            let n = self.n(id);
            if n.next != NONE {
                return Some(n.next);
            }
            id = n.parent;
            if id == NONE {
                return None;
            }
        }
    }

    fn has_descendant_table(&self, root: u32) -> bool {
        let mut cur = self.n(root).first;
        while cur != NONE {
            if self.n(cur).name() == Some(&local_name!("table")) {
                return true;
            }
            cur = match self.n(cur).first {
                NONE => match self.next_skipping(cur, root) {
                    Some(n) => n,
                    None => NONE,
                },
                f => f,
            };
        }
        false
    }
}

/// html5ever's tree sink building a [`Tree`].
struct Sink(RefCell<Tree>);

impl TreeSink for Sink {
    type Handle = u32;
    type Output = Tree;
    type ElemName<'a> = Ref<'a, QualName>;

    fn finish(self) -> Tree {
        self.0.into_inner()
    }

    fn parse_error(&self, _msg: Cow<'static, str>) {}

    fn get_document(&self) -> u32 {
        0
    }

    fn elem_name<'a>(&'a self, target: &'a u32) -> Ref<'a, QualName> {
        Ref::map(self.0.borrow(), |t| match &t.n(*target).kind {
            Kind::Element { name, .. } => name,
            _ => panic!("elem_name of a non-element"),
        })
    }

    fn create_element(&self, name: QualName, attrs: Vec<Attribute>, _: ElementFlags) -> u32 {
        let template = name.expanded() == html5ever::expanded_name!(html "template");
        let mut rowspan = None;
        let mut colspan = None;
        for a in attrs {
            if a.name.ns != ns!() || a.name.prefix.is_some() {
                continue;
            }
            if a.name.local == local_name!("rowspan") {
                rowspan.get_or_insert(a.value);
            } else if a.name.local == local_name!("colspan") {
                colspan.get_or_insert(a.value);
            }
        }
        let mut t = self.0.borrow_mut();
        let id = t.add(Kind::Element {
            name,
            rowspan,
            colspan,
        });
        if template {
            // Template contents live under the template element (as scraper keeps them).
            let frag = t.add(Kind::Other);
            t.append_child(id, frag);
        }
        id
    }

    fn create_comment(&self, _text: StrTendril) -> u32 {
        self.0.borrow_mut().add(Kind::Other)
    }

    fn create_pi(&self, _target: StrTendril, _data: StrTendril) -> u32 {
        self.0.borrow_mut().add(Kind::Other)
    }

    fn append(&self, parent: &u32, child: NodeOrText<u32>) {
        let mut t = self.0.borrow_mut();
        match child {
            NodeOrText::AppendNode(id) => t.append_child(*parent, id),
            NodeOrText::AppendText(text) => t.append_text(*parent, text),
        }
    }

    fn append_based_on_parent_node(
        &self,
        element: &u32,
        prev_element: &u32,
        child: NodeOrText<u32>,
    ) {
        let has_parent = self.0.borrow().n(*element).parent != NONE;
        if has_parent {
            self.append_before_sibling(element, child);
        } else {
            self.append(prev_element, child);
        }
    }

    fn append_doctype_to_document(&self, _: StrTendril, _: StrTendril, _: StrTendril) {
        let mut t = self.0.borrow_mut();
        let id = t.add(Kind::Other);
        t.append_child(0, id);
    }

    fn get_template_contents(&self, target: &u32) -> u32 {
        self.0.borrow().n(*target).first
    }

    fn same_node(&self, x: &u32, y: &u32) -> bool {
        x == y
    }

    fn set_quirks_mode(&self, _mode: QuirksMode) {}

    fn append_before_sibling(&self, sibling: &u32, new_node: NodeOrText<u32>) {
        let mut t = self.0.borrow_mut();
        if let NodeOrText::AppendNode(id) = new_node {
            t.detach(id);
        }
        if t.n(*sibling).parent == NONE {
            return;
        }
        match new_node {
            NodeOrText::AppendNode(id) => t.insert_before(*sibling, id),
            NodeOrText::AppendText(text) => {
                let prev = t.n(*sibling).prev;
                if prev != NONE
                    && let Kind::Text(p) = &mut t.n_mut(prev).kind
                {
                    p.push_tendril(&text);
                    return;
                }
                let id = t.add(Kind::Text(text));
                t.insert_before(*sibling, id);
            }
        }
    }

    fn add_attrs_if_missing(&self, _target: &u32, _attrs: Vec<Attribute>) {
        // Only `<html>` and `<body>` get attributes this way; the walk reads none of theirs.
    }

    fn remove_from_parent(&self, target: &u32) {
        self.0.borrow_mut().detach(*target);
    }

    fn reparent_children(&self, node: &u32, new_parent: &u32) {
        let mut t = self.0.borrow_mut();
        let mut c = t.n(*node).first;
        while c != NONE {
            let next = t.n(c).next;
            t.append_child(*new_parent, c);
            c = next;
        }
    }
}

fn parse(text: &str) -> Tree {
    // About one node per 10 bytes of markup (tags, text between them), so the arena is rarely
    // reallocated.
    let mut tree = Tree {
        nodes: Vec::with_capacity(text.len() / 10 + 16),
    };
    tree.add(Kind::Document);
    html5ever::parse_document(Sink(RefCell::new(tree)), Default::default()).one(text)
}

// ---------------------------------------------------------------------------------------------
// Text with whitespace collapsed, written as it is read.

/// Collapses runs of whitespace (incl. `&nbsp;`) to one space, and drops spaces next to CJK
/// text, appending to `out`.
#[derive(Default)]
struct Collapse {
    pending_space: bool,
    last_ascii: bool,
    /// Characters written since the last [`Collapse::reset`].
    started: bool,
}

impl Collapse {
    fn push(&mut self, out: &mut String, s: &str) {
        let mut rest = s;
        while !rest.is_empty() {
            // A run of whitespace.
            let ws = rest
                .find(|c: char| !c.is_whitespace())
                .unwrap_or(rest.len());
            if ws > 0 {
                self.pending_space = self.started;
                rest = &rest[ws..];
                if rest.is_empty() {
                    break;
                }
            }
            // A run of other characters, copied as it is.
            let end = rest.find(char::is_whitespace).unwrap_or(rest.len());
            let (run, tail) = rest.split_at(end);
            let first = run.chars().next().expect("non-empty run");
            if self.pending_space {
                if self.last_ascii && first.is_ascii() {
                    out.push(' ');
                }
                self.pending_space = false;
            }
            out.push_str(run);
            self.last_ascii = run.chars().next_back().is_some_and(|c| c.is_ascii());
            self.started = true;
            rest = tail;
        }
    }

    fn reset(&mut self) {
        *self = Collapse::default();
    }
}

/// Read an HTML document (already decoded).
pub fn read(text: &str, limits: &Limits) -> Result<Document, IngestError> {
    let tree = parse(text);
    let mut w = Walk {
        tree: &tree,
        lines: Vec::new(),
        block: 0,
        buf: String::new(),
        col: Collapse::default(),
        cells_total: 0,
    };
    let root = 0u32;
    // Depth-first, calling `close` when leaving an element.
    let mut cur = tree.n(root).first;
    while cur != NONE {
        let node = tree.n(cur);
        let mut descend = true;
        match &node.kind {
            Kind::Text(t) => w.col.push(&mut w.buf, t),
            Kind::Element { name, .. } => {
                let name = &name.local;
                if matches!(
                    *name,
                    local_name!("script")
                        | local_name!("style")
                        | local_name!("noscript")
                        | local_name!("template")
                ) {
                    descend = false;
                } else {
                    if is_block(name) {
                        w.flush();
                    }
                    if *name == local_name!("table") && !tree.has_descendant_table(cur) {
                        w.table(cur, limits)?;
                        descend = false;
                    }
                }
            }
            _ => {}
        }
        if descend && node.first != NONE {
            cur = node.first;
            continue;
        }
        // Leave `cur` (when it was descended into, its close is handled here too) and climb.
        let mut n = cur;
        loop {
            let node = tree.n(n);
            if descend
                && let Some(name) = node.name()
                && is_block(name)
            {
                w.flush();
            }
            descend = true;
            if node.next != NONE {
                cur = node.next;
                break;
            }
            n = node.parent;
            if n == root || n == NONE {
                cur = NONE;
                break;
            }
        }
    }
    w.flush();
    Ok(Document {
        lines: w.lines,
        pages: None,
    })
}

struct Walk<'t> {
    tree: &'t Tree,
    lines: Vec<Line>,
    block: u32,
    buf: String,
    col: Collapse,
    cells_total: usize,
}

impl Walk<'_> {
    fn flush(&mut self) {
        if !self.buf.is_empty() {
            self.block += 1;
            self.lines.push(Line::para(
                std::mem::take(&mut self.buf),
                Loc {
                    page: None,
                    line: self.block,
                },
            ));
        }
        self.col.reset();
    }

    fn table(&mut self, table: u32, limits: &Limits) -> Result<(), IngestError> {
        let rows = table_grid(self.tree, table, limits, &mut self.cells_total)?;
        for cells in rows {
            if cells.iter().all(|c| c.text.is_empty()) {
                continue;
            }
            self.block += 1;
            self.lines.push(Line {
                kind: LineKind::Row,
                cells,
                loc: Loc {
                    page: None,
                    line: self.block,
                },
                exact: true,
            });
        }
        Ok(())
    }
}

/// The text of a cell: `<br>` and block children become line breaks; each line collapsed,
/// empty lines dropped.
fn cell_text(tree: &Tree, cell: u32) -> String {
    let mut out = String::new();
    let mut col = Collapse::default();
    // A line break is written before the next non-blank text of a new line.
    let mut break_pending = false;
    let mut cur = tree.n(cell).first;
    while cur != NONE {
        let node = tree.n(cur);
        match &node.kind {
            Kind::Text(t) => {
                if break_pending {
                    let before = out.len();
                    out.push('\n');
                    col.push(&mut out, t);
                    if out.len() == before + 1 {
                        out.pop();
                    } else {
                        break_pending = false;
                    }
                } else {
                    col.push(&mut out, t);
                }
            }
            Kind::Element { name, .. }
                if name.local == local_name!("br") || is_block(&name.local) =>
            {
                if col.started {
                    break_pending = true;
                }
                col.reset();
            }
            _ => {}
        }
        cur = match node.first {
            NONE => tree.next_skipping(cur, cell).unwrap_or(NONE),
            f => f,
        };
    }
    out
}

fn span(v: Option<&StrTendril>) -> usize {
    v.and_then(|v| v.trim().parse::<usize>().ok())
        .unwrap_or(1)
        .clamp(1, MAX_SPAN)
}

/// The `<tr>` of a table: its children, and those of its `thead`/`tbody`/`tfoot` children.
fn rows_of(tree: &Tree, table: u32) -> Vec<u32> {
    let mut out = Vec::new();
    let mut c = tree.n(table).first;
    while c != NONE {
        match tree.n(c).name() {
            Some(&local_name!("tr")) => out.push(c),
            Some(n)
                if matches!(
                    *n,
                    local_name!("thead") | local_name!("tbody") | local_name!("tfoot")
                ) =>
            {
                let mut r = tree.n(c).first;
                while r != NONE {
                    if tree.n(r).name() == Some(&local_name!("tr")) {
                        out.push(r);
                    }
                    r = tree.n(r).next;
                }
            }
            _ => {}
        }
        c = tree.n(c).next;
    }
    out
}

fn table_grid(
    tree: &Tree,
    table: u32,
    limits: &Limits,
    cells_total: &mut usize,
) -> Result<Vec<Vec<Cell>>, IngestError> {
    let mut grid: Vec<Vec<Option<Cell>>> = Vec::new();
    for (r, tr) in rows_of(tree, table).into_iter().enumerate() {
        if grid.len() <= r {
            grid.push(Vec::new());
        }
        let mut c = 0usize;
        let mut next = tree.n(tr).first;
        while next != NONE {
            let td = next;
            let node = tree.n(td);
            next = node.next;
            let Kind::Element {
                name,
                rowspan,
                colspan,
            } = &node.kind
            else {
                continue;
            };
            if !matches!(name.local, local_name!("td") | local_name!("th")) {
                continue;
            }
            while grid[r].get(c).is_some_and(Option::is_some) {
                c += 1;
            }
            let rs = span(rowspan.as_ref());
            let cs = span(colspan.as_ref());
            *cells_total += rs * cs;
            if *cells_total > limits.max_cells {
                return Err(IngestError::TooManyCells {
                    max: limits.max_cells,
                });
            }
            let text = cell_text(tree, td);
            for i in 0..rs {
                while grid.len() <= r + i {
                    grid.push(Vec::new());
                }
                let row = &mut grid[r + i];
                if row.len() < c + cs {
                    row.resize(c + cs, None);
                }
                for j in 0..cs {
                    if row[c + j].is_none() {
                        row[c + j] = Some(Cell {
                            text: text.clone(),
                            spanned: i > 0 || j > 0,
                            x: None,
                        });
                    }
                }
            }
            c += cs;
        }
    }
    Ok(grid
        .into_iter()
        .map(|row| {
            row.into_iter()
                .map(|c| {
                    c.unwrap_or(Cell {
                        spanned: true,
                        ..Cell::default()
                    })
                })
                .collect()
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spans_and_breaks() {
        let html = r#"<html><head><title>T</title></head><body><p>一、总体情况</p>
<table><tr><td rowspan="2">三、本年度<br>办理结果</td><td colspan="2">（一）予以公开</td><td>1</td></tr>
<tr><td>（三）</td><td>1.属于国家秘密</td><td>&nbsp;</td></tr></table><div>正文 <b>加粗</b></div></body></html>"#;
        let d = read(html, &Limits::default()).unwrap();
        let texts: Vec<String> = d.lines.iter().map(|l| l.joined()).collect();
        assert_eq!(texts[0], "T");
        assert_eq!(texts[1], "一、总体情况");
        let r1 = &d.lines[2].cells;
        assert_eq!(r1[0].text, "三、本年度\n办理结果");
        assert!(r1[2].spanned);
        let r2 = &d.lines[3].cells;
        assert!(r2[0].spanned);
        assert_eq!(r2[3].text, "");
        assert_eq!(texts[4], "正文加粗");
    }
}
