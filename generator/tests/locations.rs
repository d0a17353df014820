//! Diagnostics name the file, line and column of the value their JSON pointer names.

use std::path::Path;

use generator::{Diagnostic, Location};

fn config() -> generator::Config {
    generator::Config::with_prefix("located", "LocatedApi", "inline.yaml")
}

fn diagnostic_at<'a>(diagnostics: &'a [Diagnostic], pointer: &str) -> &'a Diagnostic {
    diagnostics
        .iter()
        .find(|diagnostic| diagnostic.pointer == pointer)
        .unwrap_or_else(|| panic!("no diagnostic at {pointer}; diagnostics: {diagnostics:#?}"))
}

fn location(file: &str, line: usize, column: usize) -> Option<Location> {
    Some(Location { file: file.to_owned(), line, column })
}

const YAML: &str = "\
openapi: 3.0.3
info: {title: t, version: '1'}
paths:
  /pets:
    post:
      parameters:
        - name: pet
          in: body
      responses:
        '201': {description: Created.}
";

#[test]
fn yaml_error_has_line_and_column() {
    let failure = generator::generate_from_str(YAML, &config()).expect_err("`in: body` must be rejected");
    let error = diagnostic_at(&failure.diagnostics, "/paths/~1pets/post/parameters/0/in");

    assert_eq!(error.location, location("inline.yaml", 8, 15));
    assert!(
        error.to_string().starts_with("error: inline.yaml:8:15: #/paths/~1pets/post/parameters/0/in: invalid: "),
        "{error}"
    );
}

const JSON: &str = r#"{
  "openapi": "3.0.3",
  "info": {"title": "t", "version": "1"},
  "paths": {
    "/pets": {
      "get": {
        "responses": {
          "200": {
            "description": "ok",
            "content": {"application/json": {"schema": {"type": "string", "pattern": "("}}}
          }
        }
      }
    }
  }
}
"#;

#[test]
fn json_warning_has_line_and_column() {
    let generated = generator::generate_from_str(JSON, &config()).unwrap_or_else(|failure| panic!("{failure}"));
    let pointer = "/paths/~1pets/get/responses/200/content/application~1json/schema/pattern";
    let warning = diagnostic_at(&generated.warnings, pointer);

    assert_eq!(warning.location, location("inline.yaml", 10, 86));
}

#[test]
fn file_is_named_as_given() {
    let folder = tempfile::tempdir().expect("failed to create a temporary folder");
    let spec = folder.path().join("pets.json");
    std::fs::write(&spec, JSON).expect("failed to write the document");

    let generated = generator::generate(&spec, &config()).unwrap_or_else(|failure| panic!("{failure}"));
    let warning = &generated.warnings[0];

    assert_eq!(warning.location, location(&spec.display().to_string(), 10, 86));
}

#[test]
fn repaired_pointer_falls_back_to_ancestor() {
    // The repair renames the path to `/things`, a key the text does not contain, so the nearest
    // ancestor in the text is the `paths` object, whose first key is on line 4.
    let text = "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths:\n  things:\n    get:\n      operationId: listThings\n      responses:\n        '204': {}\n";
    let generated = generator::generate_from_str(text, &config()).unwrap_or_else(|failure| panic!("{failure}"));
    let warning = diagnostic_at(&generated.warnings, "/paths/~1things/get/responses/204");

    assert_eq!(warning.location, location("inline.yaml", 4, 3));
}

#[test]
fn syntax_error_has_line_and_column() {
    let failure = generator::generate_from_str("openapi: 3.0.3\ninfo: [\n", &config()).expect_err("must fail");

    assert_eq!(failure.diagnostics[0].location, location("inline.yaml", 3, 1));
}

const ROOT: &str = "\
openapi: 3.0.3
info: {title: t, version: '1'}
paths:
  /books:
    $ref: 'paths/books.yaml'
  /authors:
    get:
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema:
                $ref: 'common.yaml#/Author'
";

const BOOKS: &str = "\
get:
  operationId: listBooks
  responses:
    '200':
      content:
        application/json:
          schema: {type: string}
";

const COMMON: &str = "\
Author:
  type: object
  properties:
    name:
      type: string
      pattern: '['
";

#[test]
fn bundled_values_are_located_in_their_file() {
    let folder = tempfile::tempdir().expect("failed to create a temporary folder");
    let write = |name: &str, text: &str| {
        let path = folder.path().join(name);
        std::fs::create_dir_all(path.parent().unwrap_or(Path::new("."))).expect("failed to create a folder");
        std::fs::write(path, text).expect("failed to write a document");
    };
    write("root.yaml", ROOT);
    write("paths/books.yaml", BOOKS);
    write("common.yaml", COMMON);

    let generated =
        generator::generate(&folder.path().join("root.yaml"), &config()).unwrap_or_else(|failure| panic!("{failure}"));
    let in_folder = |name: &str| folder.path().join(name).display().to_string();

    let pattern = diagnostic_at(&generated.warnings, "/components/schemas/Author/properties/name/pattern");
    assert_eq!(pattern.location, location(&in_folder("common.yaml"), 6, 16));
    let description = diagnostic_at(&generated.warnings, "/paths/~1books/get/responses/200");
    assert_eq!(description.location, location(&in_folder("paths/books.yaml"), 5, 7));
}
