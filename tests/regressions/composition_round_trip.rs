//! An `allOf` with a `oneOf` member becomes a union of merged structs: each variant round-trips through
//! serde and through the generated server and client, and the server rejects a body that matches none.

use std::convert::Infallible;

use fx_behaviour::serve;
use fx_composition_client::{
    Client, CompositionApi, CreatePetRequest, CreatePetResponse, Notice, NoticeEmailNotice, NoticeSmsNotice, Pet,
    PetCat, PetDog, SendNoticeRequest, SendNoticeResponse, Server,
};
use serde_json::json;

/// Responds with the body it received.
#[derive(Clone)]
struct Echo;

impl CompositionApi for Echo {
    type Error = Infallible;

    async fn create_pet(&self, request: CreatePetRequest) -> Result<CreatePetResponse, Infallible> {
        Ok(CreatePetResponse::Created(request.body))
    }

    async fn send_notice(&self, request: SendNoticeRequest) -> Result<SendNoticeResponse, Infallible> {
        Ok(SendNoticeResponse::Created(request.body))
    }
}

fn cat() -> Pet {
    Pet::Cat(PetCat { name: "Tom".to_owned(), tags: Some(vec!["grey".to_owned()]), meows: true })
}

fn dog() -> Pet {
    Pet::Dog(PetDog { name: "Rex".to_owned(), tags: None, bark_volume: 7 })
}

/// Decodes `value` as a `Pet`, checks it is `expected`, and checks it encodes back to `value`.
fn assert_pet_round_trips(value: serde_json::Value, expected: &Pet) {
    let decoded: Pet = serde_json::from_value(value.clone()).expect("the pet does not decode");
    assert_eq!(&decoded, expected);
    assert_eq!(serde_json::to_value(&decoded).expect("the pet does not encode"), value);
}

#[test]
fn cat_variant_round_trips() {
    assert_pet_round_trips(json!({"name": "Tom", "tags": ["grey"], "meows": true}), &cat());
}

#[test]
fn dog_variant_round_trips() {
    assert_pet_round_trips(json!({"name": "Rex", "barkVolume": 7}), &dog());
}

#[test]
fn discriminated_variants_round_trip() {
    let email = json!({"channel": "email", "body": "Hello", "address": "a@example.com"});
    let sms = json!({"channel": "sms", "body": "Hello", "number": "+15550100"});

    let decoded: Notice = serde_json::from_value(email.clone()).expect("the email notice does not decode");
    let expected = NoticeEmailNotice {
        channel: "email".to_owned(),
        body: "Hello".to_owned(),
        address: "a@example.com".to_owned(),
    };
    assert_eq!(decoded, Notice::EmailNotice(expected));
    assert_eq!(serde_json::to_value(&decoded).expect("the email notice does not encode"), email);

    let decoded: Notice = serde_json::from_value(sms.clone()).expect("the sms notice does not decode");
    let expected =
        NoticeSmsNotice { channel: "sms".to_owned(), body: "Hello".to_owned(), number: "+15550100".to_owned() };
    assert_eq!(decoded, Notice::SmsNotice(expected));
    assert_eq!(serde_json::to_value(&decoded).expect("the sms notice does not encode"), sms);
}

#[tokio::test]
async fn both_variants_round_trip_over_http() {
    let url = serve(fx_composition_server::router(Echo)).await;
    let client = Client::builder().server_url(Server::Default, url).build();

    for pet in [cat(), dog()] {
        let response = client.create_pet(CreatePetRequest { body: pet.clone() }).await.expect("the call failed");
        assert_eq!(response, CreatePetResponse::Created(pet));
    }
}

/// Sends `body` as JSON to `path` of a fresh server and returns the status.
async fn post_status(path: &str, body: serde_json::Value) -> u16 {
    let url = serve(fx_composition_server::router(Echo)).await;
    let response = reqwest::Client::new()
        .post(format!("{url}{path}"))
        .header("content-type", "application/json")
        .body(body.to_string())
        .send()
        .await
        .expect("the request failed");
    response.status().as_u16()
}

#[tokio::test]
async fn body_matching_no_variant_rejected() {
    assert_eq!(post_status("/pets", json!({"name": "Tom"})).await, 400, "neither `meows` nor `barkVolume`");
    assert_eq!(post_status("/pets", json!({"meows": true})).await, 400, "no `name` from the base schema");
}

#[tokio::test]
async fn variant_constraints_checked() {
    assert_eq!(post_status("/pets", json!({"name": "", "meows": true})).await, 400, "`name` shorter than 1");
    assert_eq!(post_status("/pets", json!({"name": "Rex", "barkVolume": -1})).await, 400, "`barkVolume` below 0");
    let fax = json!({"channel": "fax", "body": "Hello", "number": "+15550100"});
    assert_eq!(post_status("/notices", fax).await, 400, "unknown discriminator value");
    let sms = json!({"channel": "sms", "body": "Hello", "number": "555"});
    assert_eq!(post_status("/notices", sms).await, 400, "`number` breaks its pattern");
}
