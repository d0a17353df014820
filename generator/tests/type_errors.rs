//! A value of the wrong type is reported at its own pointer, even where `openapiv3` reads it
//! through an enum or a flattened map that hides the path.

use generator::{Class, Diagnostic, Severity};

fn errors(text: &str) -> Vec<Diagnostic> {
    let config = generator::Config::with_prefix("typed", "TypedApi", "inline.yaml");
    match generator::generate_from_str(text, &config) {
        Ok(_) => panic!("the document was accepted"),
        Err(failure) => failure.diagnostics.into_iter().filter(|d| d.severity == Severity::Error).collect(),
    }
}

/// Returns the pointers of `diagnostics`, after checking that each is a type mismatch.
fn pointers(diagnostics: &[Diagnostic]) -> Vec<&str> {
    for diagnostic in diagnostics {
        assert_eq!(diagnostic.class, Class::Invalid, "{diagnostic}");
        assert!(diagnostic.message.contains("does not match the OpenAPI 3.0 schema"), "{diagnostic}");
    }
    diagnostics.iter().map(|d| d.pointer.as_str()).collect()
}

/// Wraps `operation`, indented by four spaces, into a document with the path `/a`.
fn document(operation: &str) -> String {
    format!("openapi: 3.0.3\ninfo: {{title: t, version: '1'}}\npaths:\n  /a:\n    get:\n{operation}")
}

#[test]
fn parameter_style_is_located() {
    // `Parameter` is tagged by `in`, and `Paths` is a flattened map.
    let errors = errors(&document(
        "      parameters:\n        - {name: x, in: query, style: bogus, schema: {type: string}}\n      responses: {'204': {description: ok}}\n",
    ));

    assert_eq!(pointers(&errors), ["/paths/~1a/get/parameters/0/style"]);
    assert!(errors[0].message.contains("unknown variant `bogus`"), "{}", errors[0]);
}

#[test]
fn parameter_field_is_located() {
    let errors = errors(&document(
        "      parameters:\n        - {name: y, in: header, required: maybe, schema: {type: string}}\n      responses: {'204': {description: ok}}\n",
    ));

    assert_eq!(pointers(&errors), ["/paths/~1a/get/parameters/0/required"]);
    assert!(errors[0].message.contains("expected a boolean"), "{}", errors[0]);
}

#[test]
fn response_field_is_located() {
    // `Responses` is a flattened map, and `ReferenceOr<Response>` an untagged enum.
    let errors = errors(&document("      responses:\n        '404': {description: 5}\n"));

    assert_eq!(pointers(&errors), ["/paths/~1a/get/responses/404/description"]);
}

#[test]
fn schema_type_field_is_located() {
    // `SchemaKind` is untagged, and `Type` is tagged by `type`.
    let errors = errors(
        "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths: {}\ncomponents:\n  schemas:\n    A: {type: string, maxLength: '5'}\n",
    );

    assert_eq!(pointers(&errors), ["/components/schemas/A/maxLength"]);
    assert!(errors[0].message.contains("expected usize"), "{}", errors[0]);
}

#[test]
fn schema_and_its_property_both_reported() {
    let errors = errors(&document(
        "      responses:
        '200':
          description: ok
          content:
            application/json:
              schema:
                type: object
                required: true
                properties:
                  n: {type: integer, minimum: low}
",
    ));
    let schema = "/paths/~1a/get/responses/200/content/application~1json/schema";

    assert_eq!(pointers(&errors), [format!("{schema}/properties/n/minimum"), format!("{schema}/required")]);
}

#[test]
fn schema_list_of_wrong_type_is_located() {
    let errors = errors(
        "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths: {}\ncomponents:\n  schemas:\n    B: {allOf: {}}\n",
    );

    assert_eq!(pointers(&errors), ["/components/schemas/B/allOf"]);
    assert!(errors[0].message.contains("expected a sequence"), "{}", errors[0]);
}

#[test]
fn security_scheme_fields_are_located() {
    // `SecurityScheme` is tagged by `type`.
    let errors = errors(
        "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths: {}\ncomponents:\n  securitySchemes:\n    k: {type: apiKey, in: body, name: k}\n    h: {type: magic}\n",
    );

    assert_eq!(pointers(&errors), ["/components/securitySchemes/k/in", "/components/securitySchemes/h/type"]);
    assert!(errors[1].message.contains("unknown variant `magic`"), "{}", errors[1]);
}

#[test]
fn several_mismatches_reported_together() {
    let errors = errors(&document(
        "      parameters:\n        - {name: x, in: query, style: bogus, schema: {type: string}}\n      responses:\n        '404': {description: 5}\n",
    ));

    assert_eq!(pointers(&errors), ["/paths/~1a/get/parameters/0/style", "/paths/~1a/get/responses/404/description"]);
}
