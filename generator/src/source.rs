//! The source files of a run, and the line and column of the value a JSON pointer names in them.
//!
//! Positions are found only when there is a diagnostic to show. [`Sources::locate`] then parses the
//! text again with `saphyr-parser`, whose events carry their positions and which reads JSON as
//! well as YAML. It records the positions of only the values that the diagnostics name.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use saphyr_parser::{Event, Parser, ScalarStyle};

use crate::diagnostics::{Diagnostic, Location, unescape_token};

/// Index of the root document in [`Sources::files`].
const ROOT: usize = 0;

/// The texts read by one run, and where the values that bundling moved into the root document came from.
#[derive(Debug, Default)]
pub struct Sources {
    /// The folder of the root document, as the user named it.
    base: PathBuf,
    /// The same folder, canonical, to name referenced files relative to it.
    canonical_base: Option<PathBuf>,
    files: Vec<SourceFile>,
    /// Index in `files` of each referenced file, by canonical path.
    by_path: HashMap<PathBuf, usize>,
    origins: Vec<Origin>,
}

#[derive(Debug)]
struct SourceFile {
    name: String,
    text: String,
}

/// A subtree of the bundled document that was copied from elsewhere.
#[derive(Debug)]
struct Origin {
    /// JSON pointer of the copy in the bundled document.
    pointer: String,
    file: usize,
    /// JSON pointer of the original in `file`.
    fragment: String,
}

impl Sources {
    /// Starts an empty set; `base` is the folder of the root document as the user named it.
    pub fn new(base: &Path) -> Self {
        Sources { base: base.to_path_buf(), canonical_base: base.canonicalize().ok(), ..Sources::default() }
    }

    /// Records the text of the root document, which must be the first file added.
    pub fn add_root(&mut self, name: String, text: String) {
        debug_assert!(self.files.is_empty(), "the root document is added first");
        self.files.push(SourceFile { name, text });
    }

    /// Records the text of a referenced file, named relative to the root document's folder when it is inside it.
    /// Returns the file's index for [`Sources::add_origin`].
    pub fn add_referenced(&mut self, canonical: &Path, text: String) -> usize {
        if let Some(index) = self.by_path.get(canonical) {
            return *index;
        }
        let relative = self.canonical_base.as_deref().and_then(|base| canonical.strip_prefix(base).ok());
        let name = match relative {
            Some(relative) if self.base.as_os_str().is_empty() || self.base == Path::new(".") => {
                relative.display().to_string()
            }
            Some(relative) => self.base.join(relative).display().to_string(),
            None => canonical.display().to_string(),
        };
        let index = self.files.len();
        self.files.push(SourceFile { name, text });
        self.by_path.insert(canonical.to_path_buf(), index);
        index
    }

    /// Returns the name and text of file `index`.
    pub fn file(&self, index: usize) -> (&str, &str) {
        let file = &self.files[index];
        (&file.name, &file.text)
    }

    /// Returns the index of a referenced file added before.
    pub fn index_of(&self, canonical: &Path) -> Option<usize> {
        self.by_path.get(canonical).copied()
    }

    /// Records that the value at `pointer` of the bundled document is a copy of the value at
    /// `fragment` of file `file`, or of the root document when `file` is `None`.
    pub fn add_origin(&mut self, pointer: &str, file: Option<usize>, fragment: &str) {
        let file = file.unwrap_or(ROOT);
        self.origins.push(Origin { pointer: pointer.to_owned(), file, fragment: fragment.to_owned() });
    }

    /// Sets the location of every diagnostic that has none, from its pointer.
    pub fn locate(&self, diagnostics: &mut [Diagnostic]) {
        if self.files.is_empty() {
            return;
        }
        // Each diagnostic's pointer, translated to the file that contains the value.
        let targets: Vec<Option<(usize, String)>> = diagnostics
            .iter()
            .map(|diagnostic| diagnostic.location.is_none().then(|| self.origin_of(&diagnostic.pointer)))
            .collect();
        for (index, file) in self.files.iter().enumerate() {
            let pointers: Vec<&str> = targets
                .iter()
                .filter_map(|target| target.as_ref())
                .filter(|(target_file, _)| *target_file == index)
                .map(|(_, pointer)| pointer.as_str())
                .collect();
            if pointers.is_empty() {
                continue;
            }
            let positions = positions(&file.text, &pointers);
            let mut positions = positions.into_iter();
            for (diagnostic, target) in diagnostics.iter_mut().zip(&targets) {
                let Some((target_file, _)) = target else { continue };
                if *target_file != index {
                    continue;
                }
                if let Some(Some((line, column))) = positions.next() {
                    diagnostic.location = Some(Location { file: file.name.clone(), line, column });
                }
            }
        }
    }

    /// Returns the file that contains the value at `pointer` of the bundled document, and its pointer there.
    fn origin_of(&self, pointer: &str) -> (usize, String) {
        let inside = |origin: &&Origin| {
            pointer.strip_prefix(&origin.pointer).is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
        };
        // The longest matching copy wins, because a copied value can contain another copy.
        match self.origins.iter().filter(inside).max_by_key(|origin| origin.pointer.len()) {
            Some(origin) => (origin.file, format!("{}{}", origin.fragment, &pointer[origin.pointer.len()..])),
            None => (ROOT, pointer.to_owned()),
        }
    }
}

/// A line and a column, both counted from 1.
type Position = (usize, usize);

/// Returns the position of the value each JSON pointer names in the YAML or JSON `text`, or of its
/// nearest ancestor that the text contains. `None` means not even the root value could be read.
pub fn positions(text: &str, pointers: &[&str]) -> Vec<Option<Position>> {
    let mut trie = Trie::default();
    let leaves: Vec<Vec<usize>> = pointers.iter().map(|pointer| trie.insert(pointer)).collect();
    for path in &leaves {
        if let Some(last) = path.last() {
            trie.nodes[*last].requested = true;
        }
    }
    record_positions(text, &mut trie);
    leaves.iter().map(|path| path.iter().rev().find_map(|node| trie.nodes[*node].position)).collect()
}

/// The tokens of the requested pointers, as a tree whose nodes receive the positions found.
#[derive(Default)]
struct Trie {
    nodes: Vec<TrieNode>,
}

#[derive(Default)]
struct TrieNode {
    children: HashMap<String, usize>,
    position: Option<Position>,
    /// Whether a pointer ends here, so the walk can stop once every such node has its position.
    requested: bool,
}

impl Trie {
    /// Adds the tokens of `pointer`; returns the nodes from the root to its last token.
    fn insert(&mut self, pointer: &str) -> Vec<usize> {
        if self.nodes.is_empty() {
            self.nodes.push(TrieNode::default());
        }
        let mut path = vec![0];
        let mut node = 0;
        for token in pointer.split('/').skip(1) {
            let token = unescape_token(token);
            node = match self.nodes[node].children.get(&token) {
                Some(next) => *next,
                None => {
                    let next = self.nodes.len();
                    self.nodes.push(TrieNode::default());
                    self.nodes[node].children.insert(token, next);
                    next
                }
            };
            path.push(node);
        }
        path
    }

    fn child(&self, node: Option<usize>, token: &str) -> Option<usize> {
        self.nodes[node?].children.get(token).copied()
    }
}

/// A collection the parser is inside, with its trie node (`None` when no requested pointer goes there).
enum Frame {
    Sequence { node: Option<usize>, next_index: usize },
    Mapping { node: Option<usize>, expect: Expect },
}

enum Expect {
    Key,
    /// The value of the entry whose key came last; `key` is `None` for a key that is not a scalar.
    Value {
        key: Option<String>,
        key_position: Position,
    },
}

/// Walks the parser events of the first document in `text` and sets the position of every trie node reached,
/// until every requested node has one.
/// A syntax error ends the walk and keeps the positions found before it.
fn record_positions(text: &str, trie: &mut Trie) {
    // Ancestors come before their descendants in the text, so once every requested node has a position the
    // rest of the document cannot change any result.
    let mut unresolved = trie.nodes.iter().filter(|node| node.requested).count();
    let mut stack: Vec<Frame> = Vec::new();
    for event in Parser::new_from_str(text) {
        let Ok((event, span)) = event else { return };
        let position = (span.start.line(), span.start.col() + 1);
        match event {
            Event::StreamStart | Event::DocumentStart(_) | Event::Nothing => continue,
            Event::StreamEnd | Event::DocumentEnd => return,
            Event::SequenceEnd | Event::MappingEnd => {
                stack.pop();
                if stack.is_empty() {
                    return;
                }
                continue;
            }
            Event::Scalar(..) | Event::Alias(_) | Event::SequenceStart(..) | Event::MappingStart(..) => {}
        }
        let opens = matches!(event, Event::SequenceStart(..) | Event::MappingStart(..));

        // Find the trie node of this value, or take the event as the key of a mapping entry.
        let (node, position) = match stack.last_mut() {
            None => (Some(0), position),
            Some(Frame::Sequence { node, next_index }) => {
                let found = node.and_then(|_| trie.child(*node, &next_index.to_string()));
                *next_index += 1;
                (found, position)
            }
            Some(Frame::Mapping { node, expect }) => match std::mem::replace(expect, Expect::Key) {
                Expect::Key => {
                    let key = match &event {
                        Event::Scalar(text, ..) => node.map(|_| text.to_string()),
                        _ => None,
                    };
                    *expect = Expect::Value { key, key_position: position };
                    if opens {
                        // A key that is a collection: walk over it without recording anything.
                        stack.push(open(&event, None));
                    }
                    continue;
                }
                Expect::Value { key, key_position } => {
                    let found = key.and_then(|key| trie.child(*node, &key));
                    // An empty value (`key:` and nothing else) starts where the key ends; the key is easier to find.
                    let empty = matches!(&event, Event::Scalar(text, ScalarStyle::Plain, ..) if text.is_empty());
                    (found, if empty { key_position } else { position })
                }
            },
        };
        if let Some(node) = node
            && let Some(entry) = trie.nodes.get_mut(node)
        {
            if entry.requested && entry.position.is_none() {
                unresolved -= 1;
            }
            entry.position = Some(position);
            if unresolved == 0 {
                return;
            }
        }
        if opens {
            stack.push(open(&event, node));
        }
    }
}

fn open(event: &Event, node: Option<usize>) -> Frame {
    match event {
        Event::SequenceStart(..) => Frame::Sequence { node, next_index: 0 },
        _ => Frame::Mapping { node, expect: Expect::Key },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(text: &str, pointer: &str) -> Option<Position> {
        positions(text, &[pointer])[0]
    }

    const YAML: &str = "\
openapi: 3.0.3
paths:
  /pets/{id}:
    get:
      responses:
    put: {a: 1, 'b~c': [x, y]}
    delete: &shared
      - first
      - second
    head: *shared
";

    #[test]
    fn yaml_values_are_found() {
        assert_eq!(one(YAML, ""), Some((1, 1)));
        assert_eq!(one(YAML, "/openapi"), Some((1, 10)));
        assert_eq!(one(YAML, "/paths/~1pets~1{id}"), Some((4, 5)));
        assert_eq!(one(YAML, "/paths/~1pets~1{id}/get"), Some((5, 7)));
        assert_eq!(one(YAML, "/paths/~1pets~1{id}/put/a"), Some((6, 14)));
        assert_eq!(one(YAML, "/paths/~1pets~1{id}/put/b~0c/1"), Some((6, 28)));
        assert_eq!(one(YAML, "/paths/~1pets~1{id}/delete/1"), Some((9, 9)));
    }

    #[test]
    fn empty_value_is_found_at_its_key() {
        assert_eq!(one(YAML, "/paths/~1pets~1{id}/get/responses"), Some((5, 7)));
    }

    #[test]
    fn missing_pointer_falls_back_to_ancestor() {
        assert_eq!(one(YAML, "/paths/~1pets~1{id}/get/parameters/0"), Some((5, 7)));
        assert_eq!(one(YAML, "/paths/~1cats/get"), Some((3, 3)));
        // An alias has no children in the text, so pointers through it end at the alias.
        assert_eq!(one(YAML, "/paths/~1pets~1{id}/head/0"), Some((10, 11)));
    }

    #[test]
    fn json_values_are_found() {
        let text = "{\n\t\"openapi\": \"3.0.3\",\n\t\"paths\": {\"/a\": {\"get\": {\"tags\": [\"x\", \"y\"]}}}\n}\n";
        assert_eq!(one(text, "/openapi"), Some((2, 13)));
        assert_eq!(one(text, "/paths/~1a/get/tags/1"), Some((3, 41)));
    }

    #[test]
    fn keys_that_are_numbers_are_found() {
        let text = "responses:\n  200:\n    description: ok\n";
        assert_eq!(one(text, "/responses/200/description"), Some((3, 18)));
    }

    #[test]
    fn syntax_error_keeps_positions_before_it() {
        let text = "a: 1\nb: [\n";
        assert_eq!(one(text, "/a"), Some((1, 4)));
        assert_eq!(one(text, "/b/0"), Some((2, 4)));
        assert_eq!(one("", "/a"), None);
    }

    #[test]
    fn bundled_values_map_to_their_file() {
        let mut sources = Sources::new(Path::new("spec"));
        sources.add_root("spec/root.yaml".to_owned(), String::new());
        sources.add_origin("/components/schemas/Book", Some(1), "/Book");
        sources.add_origin("/paths/~1b", None, "/x-paths/b");
        assert_eq!(sources.origin_of("/components/schemas/Book/properties/a"), (1, "/Book/properties/a".to_owned()));
        assert_eq!(
            sources.origin_of("/components/schemas/Bookcase"),
            (ROOT, "/components/schemas/Bookcase".to_owned())
        );
        assert_eq!(sources.origin_of("/paths/~1b/get"), (ROOT, "/x-paths/b/get".to_owned()));
    }
}
