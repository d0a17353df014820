//! Broken documents are rejected with located diagnostics, never with a panic.
//!
//! Each document is inline and small, and contains exactly the fault its test is about. Two faults are
//! repaired instead of rejected, an operation without `responses` and an undeclared path parameter, and
//! their tests check the located warning and that generation goes on.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::Path;

use generator::{Class, Config, Diagnostic, Severity};
use integration_tests::project_root;

fn config() -> Config {
    Config::with_prefix("fixture", "FixtureApi", "inline.yaml")
}

/// Runs the generator on `text`, failing the test if it panics or succeeds.
fn rejected(text: &str) -> Vec<Diagnostic> {
    let outcome = catch_unwind(AssertUnwindSafe(|| generator::generate_from_str(text, &config())));
    let Ok(result) = outcome else { panic!("the generator panicked instead of rejecting the document") };
    match result {
        Ok(generated) => panic!("the generator accepted a broken document and wrote {} files", generated.files.len()),
        Err(failure) => failure.diagnostics,
    }
}

/// Runs the generator on the file at `path`, failing the test if it panics or succeeds.
fn rejected_file(path: &Path) -> Vec<Diagnostic> {
    let outcome = catch_unwind(AssertUnwindSafe(|| generator::generate(path, &config())));
    let Ok(result) = outcome else { panic!("the generator panicked on {}", path.display()) };
    match result {
        Ok(_) => panic!("the generator accepted {}", path.display()),
        Err(failure) => failure.diagnostics,
    }
}

/// Runs the generator on `text`, failing the test if it panics or rejects the document.
fn repaired(text: &str) -> generator::Generated {
    let outcome = catch_unwind(AssertUnwindSafe(|| generator::generate_from_str(text, &config())));
    let Ok(result) = outcome else { panic!("the generator panicked instead of repairing the document") };
    match result {
        Ok(generated) => generated,
        Err(failure) => panic!("the generator rejected a repairable document:\n{failure}"),
    }
}

/// Returns the only warning among `diagnostics`, failing the test when there is not exactly one.
fn single_warning(diagnostics: &[Diagnostic]) -> &Diagnostic {
    let warnings: Vec<&Diagnostic> = diagnostics.iter().filter(|d| d.severity == Severity::Warning).collect();
    assert_eq!(warnings.len(), 1, "expected exactly one warning, got:\n{}", render(diagnostics));
    warnings[0]
}

/// Returns the only error among `diagnostics`, failing the test when there is not exactly one.
fn single_error(diagnostics: &[Diagnostic]) -> &Diagnostic {
    let errors: Vec<&Diagnostic> = diagnostics.iter().filter(|d| d.severity == Severity::Error).collect();
    assert_eq!(errors.len(), 1, "expected exactly one error, got:\n{}", render(diagnostics));
    errors[0]
}

fn render(diagnostics: &[Diagnostic]) -> String {
    diagnostics.iter().map(ToString::to_string).collect::<Vec<_>>().join("\n")
}

fn help(diagnostic: &Diagnostic) -> &str {
    diagnostic.help.as_deref().unwrap_or_default()
}

const DANGLING_REF: &str = r##"
openapi: 3.0.3
info: {title: Pets, version: '1'}
paths:
  /pets:
    get:
      operationId: listPets
      responses:
        '200':
          description: The pets.
          content:
            application/json:
              schema:
                $ref: '#/components/schemas/Pet'
components:
  schemas:
    Owner:
      type: object
      properties:
        name: {type: string}
"##;

#[test]
fn dangling_schema_ref() {
    let diagnostics = rejected(DANGLING_REF);
    let error = single_error(&diagnostics);

    assert_eq!(error.pointer, "/paths/~1pets/get/responses/200/content/application~1json/schema/$ref");
    assert_eq!(error.class, Class::Invalid);
    assert!(error.message.contains("#/components/schemas/Pet"), "message names no target: {error}");
    assert!(error.message.contains("does not exist"), "message does not say what is wrong: {error}");
    assert!(help(error).contains("define the referenced schema"), "help says nothing to do: {error}");
}

const DANGLING_PATH_PARAMETER: &str = r##"
openapi: 3.0.3
info: {title: Pets, version: '1'}
paths:
  /pets:
    parameters:
      - $ref: '#/components/parameters/Missing'
    get:
      operationId: listPets
      responses:
        '204': {description: Listed.}
    post:
      operationId: createPet
      responses:
        '204': {description: Created.}
"##;

#[test]
fn dangling_path_parameter_reported_once() {
    // Path-level parameters are lowered once per operation, so the fault is met twice.
    let diagnostics = rejected(DANGLING_PATH_PARAMETER);
    let error = single_error(&diagnostics);

    assert_eq!(error.pointer, "/paths/~1pets/parameters/0/$ref");
    assert!(error.message.contains("points to nothing"), "message does not say what is wrong: {error}");
}

/// Returns a document whose only response has the schema `schema`, indented by 14 spaces.
fn with_response_schema(schema: &str) -> String {
    format!(
        "openapi: 3.0.3
info: {{title: Pets, version: '1'}}
paths:
  /pets:
    get:
      operationId: listPets
      responses:
        '200':
          description: The pets.
          content:
            application/json:
              schema:
{schema}
"
    )
}

#[test]
fn schema_ref_to_document_root() {
    let diagnostics = rejected(&with_response_schema("                $ref: '#'"));
    let error = single_error(&diagnostics);

    assert_eq!(error.pointer, "/paths/~1pets/get/responses/200/content/application~1json/schema/$ref");
    assert_eq!(error.class, Class::Invalid);
    assert!(error.message.contains("the OpenAPI document itself, not to a schema"), "{error}");
    assert_eq!(error.location.as_ref().map(|l| (l.line, l.column)), Some((13, 23)), "{error}");
}

#[test]
fn schema_ref_to_info() {
    let diagnostics = rejected(&with_response_schema("                $ref: '#/info'"));
    let error = single_error(&diagnostics);

    assert_eq!(error.pointer, "/paths/~1pets/get/responses/200/content/application~1json/schema/$ref");
    assert!(error.message.contains("the `info` field, not to a schema"), "{error}");
    assert!(help(error).contains("#/components/schemas/Name"), "help says nothing to do: {error}");
}

#[test]
fn all_of_ref_to_response() {
    let text = format!(
        "{}components:\n  responses:\n    Problem: {{description: A problem.}}\n",
        with_response_schema(
            "                allOf:\n                  - $ref: '#/components/responses/Problem'\n                  - {properties: {a: {type: string}}}"
        )
    );
    let diagnostics = rejected(&text);
    let error = single_error(&diagnostics);

    assert_eq!(error.pointer, "/paths/~1pets/get/responses/200/content/application~1json/schema/allOf/0/$ref");
    assert!(error.message.contains("a Response Object, not to a schema"), "{error}");
}

const MISSING_RESPONSES: &str = r##"
openapi: 3.0.3
info: {title: Pets, version: '1'}
paths:
  /pets:
    get:
      operationId: listPets
"##;

#[test]
fn operation_without_responses() {
    let generated = repaired(MISSING_RESPONSES);
    let warning = single_warning(&generated.warnings);

    // NOTE: the pointer names the `responses` member although the document has none.
    assert_eq!(warning.pointer, "/paths/~1pets/get/responses");
    assert_eq!(warning.class, Class::Invalid);
    assert!(warning.message.contains("no responses"), "message does not name the missing field: {warning}");
    assert!(warning.message.contains("every status as unexpected"), "message does not name the effect: {warning}");
}

const BODY_PARAMETER: &str = r##"
openapi: 3.0.3
info: {title: Pets, version: '1'}
paths:
  /pets:
    post:
      operationId: createPet
      parameters:
        - name: pet
          in: body
          schema: {type: object}
      responses:
        '201': {description: Created.}
"##;

#[test]
fn unknown_parameter_location() {
    let diagnostics = rejected(BODY_PARAMETER);
    let error = single_error(&diagnostics);

    assert_eq!(error.pointer, "/paths/~1pets/post/parameters/0/in");
    assert_eq!(error.class, Class::Invalid);
    assert!(error.message.contains("`body`"), "message does not name the location: {error}");
    assert!(help(error).contains("`requestBody`"), "help does not point to requestBody: {error}");
}

const SWAGGER: &str = r##"
swagger: '2.0'
info: {title: Pets, version: '1'}
paths:
  /pets:
    get:
      responses:
        '200': {description: OK.}
"##;

#[test]
fn swagger_document_rejected() {
    let diagnostics = rejected(SWAGGER);
    let error = single_error(&diagnostics);

    assert_eq!(error.pointer, "/swagger");
    assert_eq!(error.class, Class::NotSupported);
    assert!(error.message.contains("Swagger 2.0"), "message does not name the version: {error}");
    assert!(help(error).contains("convert the document to OpenAPI 3.0"), "help says nothing to do: {error}");
}

const OPENAPI_31: &str = r##"
openapi: 3.1.0
info: {title: Pets, version: '1'}
paths:
  /pets:
    get:
      responses:
        '200': {description: OK.}
"##;

#[test]
fn openapi_31_rejected() {
    let diagnostics = rejected(OPENAPI_31);
    let error = single_error(&diagnostics);

    assert_eq!(error.pointer, "/openapi");
    assert_eq!(error.class, Class::NotSupported);
    assert!(error.message.contains("3.1.0"), "message does not name the version: {error}");
    assert!(help(error).contains("OpenAPI 3.0.3"), "help says nothing to do: {error}");
}

const UNDECLARED_PATH_PARAMETER: &str = r##"
openapi: 3.0.3
info: {title: Pets, version: '1'}
paths:
  /pets/{petId}:
    get:
      operationId: getPet
      responses:
        '204': {description: Found.}
"##;

#[test]
fn undeclared_path_parameter() {
    let generated = repaired(UNDECLARED_PATH_PARAMETER);
    let warning = single_warning(&generated.warnings);

    assert_eq!(warning.pointer, "/paths/~1pets~1{petId}/get");
    assert_eq!(warning.class, Class::Invalid);
    assert!(warning.message.contains("`petId`"), "message does not name the parameter: {warning}");
    assert!(warning.message.contains("not declared"), "message does not say what is wrong: {warning}");
    assert!(warning.message.contains("required string"), "message does not say how it is repaired: {warning}");
}

const UNDEFINED_SECURITY_SCHEME: &str = r##"
openapi: 3.0.3
info: {title: Pets, version: '1'}
paths:
  /pets:
    get:
      operationId: listPets
      security:
        - apiKey: []
      responses:
        '204': {description: OK.}
components:
  securitySchemes:
    bearer:
      type: http
      scheme: bearer
"##;

#[test]
fn undefined_security_scheme() {
    let diagnostics = rejected(UNDEFINED_SECURITY_SCHEME);
    let error = single_error(&diagnostics);

    assert_eq!(error.pointer, "/paths/~1pets/get/security/0/apiKey");
    assert_eq!(error.class, Class::Invalid);
    assert!(error.message.contains("`apiKey`"), "message does not name the scheme: {error}");
    assert!(error.message.contains("not defined"), "message does not say what is wrong: {error}");
    assert!(help(error).contains("under `components/securitySchemes`"), "help says nothing to do: {error}");
}

const UNSUPPORTED_SECURITY_SCHEME: &str = r##"
openapi: 3.0.3
info: {title: Pets, version: '1'}
paths:
  /pets:
    get:
      operationId: listPets
      security:
        - digest: []
      responses:
        '204': {description: OK.}
components:
  securitySchemes:
    digest:
      type: http
      scheme: digest
"##;

#[test]
fn unsupported_security_scheme_reported_once() {
    let diagnostics = rejected(UNSUPPORTED_SECURITY_SCHEME);
    let error = single_error(&diagnostics);

    assert_eq!(error.pointer, "/components/securitySchemes/digest/scheme");
    assert_eq!(error.class, Class::NotSupported);
    assert!(error.message.contains("`digest`"), "message does not name the scheme: {error}");
}

const INVALID_COOKIE_NAME: &str = r##"
openapi: 3.0.3
info: {title: Pets, version: '1'}
paths:
  /pets:
    get:
      operationId: listPets
      security:
        - session: []
      responses:
        '204': {description: OK.}
components:
  securitySchemes:
    session:
      type: apiKey
      in: cookie
      name: 'a b;c'
"##;

#[test]
fn invalid_cookie_name_rejected() {
    let diagnostics = rejected(INVALID_COOKIE_NAME);
    let error = single_error(&diagnostics);

    assert_eq!(error.pointer, "/components/securitySchemes/session/name");
    assert_eq!(error.class, Class::Invalid);
    assert!(error.message.contains("`a b;c`"), "message does not name the cookie: {error}");
    assert!(help(error).contains("letters, digits"), "help says nothing to do: {error}");
}

/// The flow mapping on line 4 is never closed.
const YAML_SYNTAX_ERROR: &str = "openapi: 3.0.3\ninfo: {title: Pets, version: '1'}\npaths:\n  /pets: {get: {responses: {'200': {description: OK.}}}\n";

#[test]
fn yaml_syntax_error() {
    let diagnostics = rejected(YAML_SYNTAX_ERROR);
    let error = single_error(&diagnostics);

    assert_eq!(error.pointer, "");
    assert_eq!(error.class, Class::Invalid);
    assert!(error.message.contains("not valid YAML"), "message does not say what is wrong: {error}");
    assert!(error.message.contains("line"), "message gives no line: {error}");
    assert!(help(error).contains("fix the syntax error"), "help says nothing to do: {error}");
}

#[test]
fn missing_file_reported() {
    let path = project_root().join("tests/fixtures/no-such-document.yaml");
    assert!(!path.exists(), "{} must not exist for this test", path.display());

    let diagnostics = rejected_file(&path);
    let error = single_error(&diagnostics);

    assert_eq!(error.pointer, "");
    assert_eq!(error.class, Class::Invalid);
    assert!(error.message.contains("failed to read"), "message does not say what failed: {error}");
    assert!(error.message.contains("no-such-document.yaml"), "message does not name the file: {error}");
    assert!(help(error).contains("check that the file exists"), "help says nothing to do: {error}");
}

/// Three faults of the structure check, which runs before the document is typed.
const SEVERAL_STRUCTURE_FAULTS: &str = r##"
openapi: 3.0.3
info: {title: Pets, version: '1'}
paths:
  /pets:
    parameters:
      - name: owner
        schema: {type: string}
    post:
      operationId: createPet
      parameters:
        - name: pet
          in: body
          schema: {type: object}
      responses:
        '201': {description: Created.}
  /owners:
    get:
      operationId: listOwners
      parameters:
        - name: page
          in: form
          schema: {type: integer}
      responses:
        '200': {description: OK.}
"##;

#[test]
fn structure_faults_reported_together() {
    let diagnostics = rejected(SEVERAL_STRUCTURE_FAULTS);
    let pointers: Vec<&str> = diagnostics.iter().map(|d| d.pointer.as_str()).collect();

    assert!(pointers.contains(&"/paths/~1pets/parameters/0"), "parameter without `in` not reported: {pointers:?}");
    assert!(pointers.contains(&"/paths/~1pets/post/parameters/0/in"), "`in: body` not reported: {pointers:?}");
    assert!(pointers.contains(&"/paths/~1owners/get/parameters/0/in"), "`in: form` not reported: {pointers:?}");
    assert_eq!(diagnostics.len(), 3, "unexpected diagnostics:\n{}", render(&diagnostics));
}

/// Three faults found while lowering, in three different operations.
const SEVERAL_LOWERING_FAULTS: &str = r##"
openapi: 3.0.3
info: {title: Pets, version: '1'}
paths:
  /pets:
    get:
      operationId: listPets
      responses:
        '200':
          description: The pets.
          content:
            application/json:
              schema:
                type: array
                items:
                  $ref: '#/components/schemas/Pet'
  /pets/{petId}:
    delete:
      operationId: deletePet
      parameters:
        - name: petId
          in: path
          required: true
          schema: {type: strng}
      responses:
        '204': {description: Deleted.}
  /owners:
    get:
      operationId: listOwners
      security:
        - apiKey: []
      responses:
        '204': {description: OK.}
"##;

#[test]
fn lowering_faults_reported_together() {
    let diagnostics = rejected(SEVERAL_LOWERING_FAULTS);
    let pointers: Vec<&str> = diagnostics.iter().map(|d| d.pointer.as_str()).collect();

    assert!(
        pointers.contains(&"/paths/~1pets/get/responses/200/content/application~1json/schema/items/$ref"),
        "dangling reference not reported: {pointers:?}"
    );
    assert!(
        pointers.contains(&"/paths/~1pets~1{petId}/delete/parameters/0/schema/type"),
        "unknown schema type not reported: {pointers:?}"
    );
    assert!(pointers.contains(&"/paths/~1owners/get/security/0/apiKey"), "unknown scheme not reported: {pointers:?}");
    let errors = diagnostics.iter().filter(|d| d.severity == Severity::Error).count();
    assert_eq!(errors, 3, "unexpected errors:\n{}", render(&diagnostics));
}

#[test]
fn failure_display_lists_everything() {
    let failure = generator::generate_from_str(SEVERAL_LOWERING_FAULTS, &config()).expect_err("the document is broken");
    let text = failure.to_string();

    assert_eq!(text.matches("error: inline.yaml:").count(), 3, "expected three located errors in:\n{text}");
    assert_eq!(text.matches("\n  help: ").count(), 3, "expected a help line per error in:\n{text}");
}
