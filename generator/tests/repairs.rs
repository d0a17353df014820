//! Documents that break OpenAPI, or that the router cannot serve, generate with a located warning.

fn config() -> generator::Config {
    generator::Config::with_prefix("repairs", "RepairsApi", "inline.yaml")
}

fn generate(text: &str) -> generator::Generated {
    generator::generate_from_str(text, &config()).unwrap_or_else(|failure| panic!("generation failed:\n{failure}"))
}

fn warning_at<'a>(generated: &'a generator::Generated, pointer: &str) -> &'a generator::Diagnostic {
    generated
        .warnings
        .iter()
        .find(|warning| warning.pointer == pointer)
        .unwrap_or_else(|| panic!("no warning at {pointer}; warnings: {:#?}", generated.warnings))
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
fn path_without_slash_is_repaired() {
    let generated = generate(
        "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths:\n  things:\n    get:\n      operationId: listThings\n      responses: {'204': {description: ok}}\n",
    );
    let warning = warning_at(&generated, "/paths/things");
    assert!(warning.message.contains("read as `/things`"), "{}", warning.message);
    assert!(file(&generated, "repairs-api/src/api.rs").contains("fn list_things("));
    assert!(file(&generated, "repairs-server/src/router.rs").contains("\"/things\""));
}

#[test]
fn unroutable_segments_are_not_served() {
    let generated = generate(
        "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths:\n  /files/*rest:\n    get:\n      operationId: star\n      responses: {'204': {description: ok}}\n  /old/:id:\n    get:\n      operationId: colon\n      responses: {'204': {description: ok}}\n  /broken/{id:\n    get:\n      operationId: brace\n      responses: {'204': {description: ok}}\n",
    );
    warning_at(&generated, "/paths/~1files~1*rest/get");
    warning_at(&generated, "/paths/~1old~1:id/get");
    warning_at(&generated, "/paths/~1broken~1{id/get");
    let router = file(&generated, "repairs-server/src/router.rs");
    assert!(!router.contains("*rest"), "a route axum rejects is registered");
    assert!(!router.contains("/old/:id"), "a route axum rejects is registered");
    assert!(file(&generated, "repairs-api/src/api.rs").contains("fn star("), "the client still gets the operation");
}

#[test]
fn union_of_itself_is_broken() {
    let generated = generate(
        "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths: {}\ncomponents:\n  schemas:\n    A:\n      oneOf:\n        - $ref: '#/components/schemas/A'\n        - type: string\n    B:\n      anyOf:\n        - $ref: '#/components/schemas/B'\n",
    );
    warning_at(&generated, "/components/schemas/A");
    warning_at(&generated, "/components/schemas/B");
    let types = file(&generated, "repairs-api/src/types.rs");
    assert!(!types.contains("A(::std::boxed::Box<crate::A>)"), "the union still contains itself:\n{types}");
    assert!(types.contains("pub type B = ::serde_json::Value;"), "the alias of itself is still emitted:\n{types}");
}

#[test]
fn invalid_pattern_is_reported() {
    let generated = generate(
        "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths: {}\ncomponents:\n  schemas:\n    Code:\n      type: object\n      properties:\n        value: {type: string, pattern: '(unclosed'}\n",
    );
    let warning = warning_at(&generated, "/components/schemas/Code/properties/value/pattern");
    assert!(warning.message.contains("not an ECMA-262 regular expression"), "{}", warning.message);
    assert!(
        !file(&generated, "repairs-api/src/validate.rs").contains("(unclosed"),
        "the broken pattern is still checked"
    );
}

#[test]
fn keyword_operation_names_derive_clean_types() {
    let generated = generate(
        "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths:\n  /me:\n    get:\n      operationId: self\n      responses: {'204': {description: ok}}\n",
    );
    let operations = file(&generated, "repairs-api/src/operations.rs");
    assert!(operations.contains("pub struct SelfRequest"), "{operations}");
    assert!(operations.contains("pub enum SelfResponse"), "{operations}");
}

#[test]
fn bad_settings_are_rejected() {
    let text = "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths: {}\n";
    let mut config = config();
    config.trait_name = "Client".to_owned();
    let failure = generator::generate_from_str(text, &config).expect_err("a reserved trait name must fail");
    assert!(
        failure.diagnostics[0].message.contains("invalid trait name `Client`"),
        "{}",
        failure.diagnostics[0].message
    );

    let mut config = self::config();
    config.api_crate = "my crate".to_owned();
    let failure = generator::generate_from_str(text, &config).expect_err("a crate name with a space must fail");
    assert!(failure.diagnostics[0].message.contains("invalid api crate name"), "{}", failure.diagnostics[0].message);
}
