//! An `allOf` with a `oneOf` member becomes a union of structs that merge the other members' properties
//! with each `oneOf` member's, and shapes that cannot merge keep a located warning.

use generator::Class;

fn config() -> generator::Config {
    generator::Config::with_prefix("unions", "UnionsApi", "inline.yaml")
}

fn generate(schemas: &str) -> generator::Generated {
    let text =
        format!("openapi: 3.0.3\ninfo: {{title: t, version: '1'}}\npaths: {{}}\ncomponents:\n  schemas:\n{schemas}");
    generator::generate_from_str(&text, &config()).unwrap_or_else(|failure| panic!("generation failed:\n{failure}"))
}

fn types(generated: &generator::Generated) -> &str {
    let file = generated.files.iter().find(|file| file.path == "unions-api/src/types.rs");
    &file.expect("types.rs was not generated").contents
}

const BASE_AND_KINDS: &str = "
    Base:
      type: object
      required: [id]
      properties:
        id: {type: string}
    Cat:
      type: object
      required: [meows]
      properties:
        meows: {type: boolean}
    Dog:
      type: object
      required: [barks]
      properties:
        barks: {type: boolean}
    Kind:
      oneOf:
        - $ref: '#/components/schemas/Cat'
        - $ref: '#/components/schemas/Dog'
";

#[test]
fn referenced_union_member_is_merged() {
    let generated = generate(&format!(
        "{BASE_AND_KINDS}    Pet:\n      allOf:\n        - $ref: '#/components/schemas/Base'\n        - $ref: '#/components/schemas/Kind'\n"
    ));
    let types = types(&generated);

    assert!(types.contains("pub enum Pet {\n    Cat(crate::PetCat),\n    Dog(crate::PetDog),\n}"), "{types}");
    assert!(
        types.contains("pub struct PetCat {\n    pub id: ::std::string::String,\n    pub meows: bool,\n}"),
        "{types}"
    );
    assert!(
        types.contains("pub struct PetDog {\n    pub id: ::std::string::String,\n    pub barks: bool,\n}"),
        "{types}"
    );
    assert!(generated.warnings.is_empty(), "{:?}", generated.warnings);
}

#[test]
fn two_union_members_keep_warning() {
    let generated = generate(&format!(
        "{BASE_AND_KINDS}    Pet:\n      allOf:\n        - $ref: '#/components/schemas/Base'\n        - oneOf: [{{$ref: '#/components/schemas/Cat'}}]\n        - oneOf: [{{$ref: '#/components/schemas/Dog'}}]\n"
    ));
    let pointers: Vec<&str> = generated.warnings.iter().map(|warning| warning.pointer.as_str()).collect();

    assert_eq!(pointers, ["/components/schemas/Pet/allOf/1", "/components/schemas/Pet/allOf/2"]);
    assert!(generated.warnings.iter().all(|warning| warning.class == Class::NotSupported));
    assert!(types(&generated).contains("pub struct Pet {"), "Pet is no longer a struct of the base properties");
}

#[test]
fn union_with_properties_keeps_warning() {
    // A referenced schema with both `properties` and `oneOf` is not a plain union, so it is not merged.
    let generated = generate(&format!(
        "{BASE_AND_KINDS}    Mixed:\n      properties:\n        name: {{type: string}}\n      oneOf:\n        - $ref: '#/components/schemas/Cat'\n        - $ref: '#/components/schemas/Dog'\n    Pet:\n      allOf:\n        - $ref: '#/components/schemas/Base'\n        - $ref: '#/components/schemas/Mixed'\n"
    ));
    let pointers: Vec<&str> = generated.warnings.iter().map(|warning| warning.pointer.as_str()).collect();

    assert_eq!(pointers, ["/components/schemas/Pet/allOf/1/$ref"]);
}

#[test]
fn sibling_union_of_strings_keeps_warning() {
    let generated = generate(
        "    Labelled:\n      allOf:\n        - properties:\n            label: {type: string}\n      oneOf:\n        - {type: string}\n        - {type: number}\n",
    );
    let pointers: Vec<&str> = generated.warnings.iter().map(|warning| warning.pointer.as_str()).collect();

    assert_eq!(pointers, ["/components/schemas/Labelled/allOf"]);
    assert!(types(&generated).contains("pub enum Labelled {"), "Labelled is no longer a union");
}
