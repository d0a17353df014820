//! The generator never panics on input: documents mutated at random still produce either files or diagnostics.

use std::path::{Path, PathBuf};

use proptest::prelude::*;
use serde_json::Value;

/// Small valid documents to mutate: the repository's fixtures and spec.
fn seed_documents() -> Vec<(String, Value)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut paths: Vec<PathBuf> = vec![root.join("spec/auth.yaml")];
    for folder in ["tests/fixtures", "tests/fixtures/regressions"] {
        let Ok(entries) = std::fs::read_dir(root.join(folder)) else { continue };
        paths.extend(
            entries
                .filter_map(Result::ok)
                .map(|entry| entry.path())
                .filter(|path| path.extension().is_some_and(|extension| extension == "yaml" || extension == "json")),
        );
    }
    paths.sort();
    paths
        .into_iter()
        .filter_map(|path| {
            let text = std::fs::read_to_string(&path).ok()?;
            let value: Value = serde_yaml::from_str(&text).ok()?;
            Some((path.display().to_string(), value))
        })
        .collect()
}

/// One change to a document: where (an index into its nodes, modulo their count) and what.
#[derive(Debug, Clone)]
enum Mutation {
    Remove(usize),
    Replace(usize, Value),
    /// Points a `$ref` somewhere else.
    Retarget(usize, String),
    /// Copies one node over another, which makes cycles and type confusion likely.
    Copy(usize, usize),
}

fn any_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        (-1e300f64..1e300).prop_map(Value::from),
        "[a-z{}/#~%$ -]{0,12}".prop_map(Value::String),
        Just(Value::String("#/components/schemas/Missing".to_owned())),
    ];
    leaf.prop_recursive(2, 8, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..3).prop_map(Value::Array),
            prop::collection::vec(("[a-zA-Z$]{1,8}", inner), 0..3)
                .prop_map(|pairs| Value::Object(pairs.into_iter().collect())),
        ]
    })
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        any::<usize>().prop_map(Mutation::Remove),
        (any::<usize>(), any_json()).prop_map(|(at, value)| Mutation::Replace(at, value)),
        (any::<usize>(), "#/(components/schemas|paths|components)/[A-Za-z~0-9]{0,8}(/[a-z0-9]{0,4})?")
            .prop_map(|(at, target)| Mutation::Retarget(at, target)),
        (any::<usize>(), any::<usize>()).prop_map(|(from, to)| Mutation::Copy(from, to)),
    ]
}

/// Lists the JSON pointers of every node below the root, in document order.
fn pointers(value: &Value, base: &str, out: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            for (key, child) in map {
                let pointer = format!("{base}/{}", key.replace('~', "~0").replace('/', "~1"));
                out.push(pointer.clone());
                pointers(child, &pointer, out);
            }
        }
        Value::Array(items) => {
            for (index, child) in items.iter().enumerate() {
                let pointer = format!("{base}/{index}");
                out.push(pointer.clone());
                pointers(child, &pointer, out);
            }
        }
        _ => {}
    }
}

fn apply(document: &mut Value, mutation: &Mutation) {
    let mut all = Vec::new();
    pointers(document, "", &mut all);
    if all.is_empty() {
        return;
    }
    let pick = |index: usize| all[index % all.len()].clone();
    match mutation {
        Mutation::Remove(at) => {
            let pointer = pick(*at);
            let (parent, key) = pointer.rsplit_once('/').unwrap_or(("", ""));
            match document.pointer_mut(parent) {
                Some(Value::Object(map)) => {
                    map.remove(&key.replace("~1", "/").replace("~0", "~"));
                }
                Some(Value::Array(items)) => {
                    if let Ok(index) = key.parse::<usize>()
                        && index < items.len()
                    {
                        items.remove(index);
                    }
                }
                _ => {}
            }
        }
        Mutation::Replace(at, value) => {
            if let Some(slot) = document.pointer_mut(&pick(*at)) {
                *slot = value.clone();
            }
        }
        Mutation::Retarget(at, target) => {
            if let Some(slot) = document.pointer_mut(&pick(*at)) {
                *slot = serde_json::json!({ "$ref": target });
            }
        }
        Mutation::Copy(from, to) => {
            let source = document.pointer(&pick(*from)).cloned();
            if let (Some(source), Some(slot)) = (source, document.pointer_mut(&pick(*to))) {
                *slot = source;
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 192, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn mutated_documents_never_panic(seed in any::<usize>(), mutations in prop::collection::vec(mutation(), 1..6)) {
        let seeds = seed_documents();
        prop_assert!(!seeds.is_empty(), "no seed documents found");
        let (name, document) = &seeds[seed % seeds.len()];
        let mut document = document.clone();
        for mutation in &mutations {
            apply(&mut document, mutation);
        }
        let text = serde_json::to_string(&document).expect("a JSON value serializes");
        let config = generator::Config::with_prefix("fuzz", "FuzzApi", name);
        // Either outcome is fine; a panic fails the test and proptest shrinks the mutations.
        let outcome = generator::generate_from_str(&text, &config);
        if let Err(failure) = &outcome {
            prop_assert!(!failure.diagnostics.is_empty(), "a failure without diagnostics for {name}");
        }
    }
}
