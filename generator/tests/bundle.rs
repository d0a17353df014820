//! References to other files: objects are pulled into the root document and generated like local ones.

use std::path::Path;

fn fixture(name: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/multi-file").join(name)
}

fn config() -> generator::Config {
    generator::Config::with_prefix("library", "LibraryApi", "root.yaml")
}

fn file<'a>(generated: &'a generator::Generated, path: &str) -> &'a str {
    &generated
        .files
        .iter()
        .find(|file| file.path == path)
        .unwrap_or_else(|| panic!("{path} was not generated"))
        .contents
}

#[test]
fn external_references_are_bundled() {
    let generated = generator::generate(&fixture("root.yaml"), &config()).unwrap_or_else(|failure| panic!("{failure}"));
    let types = file(&generated, "library-api/src/types.rs");
    let operations = file(&generated, "library-api/src/operations.rs");

    assert!(types.contains("pub struct Book {"), "the imported schema is missing:\n{types}");
    assert!(types.contains("pub struct Author {"), "the local schema is missing");
    assert!(types.contains("pub struct Author2 {"), "the imported schema with a taken name is missing");
    assert!(types.contains("pub author: crate::Author2"), "a reference inside the other file points elsewhere");
    assert!(types.contains("::std::boxed::Box<crate::Book>"), "the self-reference across files is not boxed");
    assert!(operations.contains("pub struct GetBookRequest"), "the path item from another file is missing");
    assert!(operations.contains("pub limit: ::std::option::Option<i64>"), "the imported parameter is missing");
    assert!(generated.warnings.is_empty(), "unexpected warnings: {:?}", generated.warnings);
}

#[test]
fn missing_external_file_is_located() {
    let text = r"
openapi: 3.0.3
info: {title: t, version: '1'}
paths:
  /a:
    get:
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema:
                $ref: 'no-such-file.yaml#/Thing'
";
    let failure = generator::generate_from_str(text, &config()).expect_err("a missing file must fail");
    let diagnostic = &failure.diagnostics[0];
    assert_eq!(diagnostic.pointer, "/paths/~1a/get/responses/200/content/application~1json/schema/$ref");
    assert!(diagnostic.message.contains("not found"), "{}", diagnostic.message);
}

#[test]
fn remote_reference_is_not_supported() {
    let text = r"
openapi: 3.0.3
info: {title: t, version: '1'}
paths:
  /a:
    get:
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema:
                $ref: 'https://example.com/schemas.yaml#/Thing'
";
    let failure = generator::generate_from_str(text, &config()).expect_err("a remote reference must fail");
    assert_eq!(failure.diagnostics[0].class, generator::Class::NotSupported);
    assert!(failure.diagnostics[0].message.contains("remote"), "{}", failure.diagnostics[0].message);
}
