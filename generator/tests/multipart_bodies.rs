//! Multipart and form bodies in requests and responses: which are typed, and the located warning of those
//! still passed as raw bytes.

use generator::Class;

fn config() -> generator::Config {
    generator::Config::with_prefix("media", "MediaApi", "inline.yaml")
}

/// Generates a document with one `POST /items` operation whose request and 200 response bodies are both
/// `media_type` with `schema`.
fn generate(media_type: &str, schema: &str) -> generator::Generated {
    let content = format!("content: {{'{media_type}': {{schema: {schema}}}}}");
    let text = format!(
        "openapi: 3.0.3\ninfo: {{title: t, version: '1'}}\npaths:\n  /items:\n    post:\n      operationId: send\n      \
         requestBody: {{{content}}}\n      responses:\n        '200': {{description: ok, {content}}}\n"
    );
    generator::generate_from_str(&text, &config()).unwrap_or_else(|failure| panic!("generation failed:\n{failure}"))
}

fn operations(generated: &generator::Generated) -> &str {
    let file = generated.files.iter().find(|file| file.path == "media-api/src/operations.rs");
    &file.expect("operations.rs was not generated").contents
}

const OBJECT: &str = "{type: object, properties: {name: {type: string}, file: {type: string, format: binary}}}";

#[test]
fn typed_media_types_have_no_warning() {
    for media_type in ["multipart/form-data", "multipart/related", "application/x-www-form-urlencoded"] {
        let schema = if media_type.starts_with("multipart/") {
            OBJECT
        } else {
            "{type: object, properties: {name: {type: string}}}"
        };

        let generated = generate(media_type, schema);

        assert!(generated.warnings.is_empty(), "{media_type}: {:?}", generated.warnings);
        assert!(!operations(&generated).contains("BinaryBody"), "{media_type}: {}", operations(&generated));
    }
}

#[test]
fn multipart_response_has_file_part() {
    let generated = generate("multipart/related", OBJECT);
    let operations = operations(&generated);

    assert!(operations.contains("pub struct SendOkBody {"), "{operations}");
    assert!(operations.contains("pub file: ::std::option::Option<crate::FilePart>"), "{operations}");
}

#[test]
fn untyped_multipart_keeps_warning() {
    let cases = [("multipart/form-data", "{type: string}"), ("multipart/mixed", OBJECT)];

    for (media_type, schema) in cases {
        let generated = generate(media_type, schema);
        let pointers: Vec<&str> = generated.warnings.iter().map(|warning| warning.pointer.as_str()).collect();
        let escaped = media_type.replace('/', "~1");

        assert_eq!(
            pointers,
            [
                format!("/paths/~1items/post/requestBody/content/{escaped}"),
                format!("/paths/~1items/post/responses/200/content/{escaped}"),
            ],
            "{media_type}"
        );
        assert!(generated.warnings.iter().all(|warning| warning.class == Class::NotSupported), "{media_type}");
        assert!(generated.warnings[1].message.contains("response body"), "{}", generated.warnings[1].message);
    }
}

#[test]
fn encoding_of_unknown_part_warns() {
    let text = "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths:\n  /items:\n    post:\n      operationId: send\n      \
                requestBody: {content: {'multipart/form-data': {schema: {type: object, properties: {name: {type: string}}}, \
                encoding: {nmae: {contentType: text/plain}}}}}\n      responses:\n        '204': {description: ok}\n";

    let generated =
        generator::generate_from_str(text, &config()).unwrap_or_else(|failure| panic!("generation failed:\n{failure}"));

    assert_eq!(generated.warnings.len(), 1, "{:?}", generated.warnings);
    let warning = &generated.warnings[0];
    assert_eq!(warning.pointer, "/paths/~1items/post/requestBody/content/multipart~1form-data/encoding/nmae");
    assert_eq!(warning.class, Class::Invalid);
    assert!(warning.message.contains("`nmae`"), "{warning:?}");
}
