//! An object that is only a typed map with `minProperties: 1`, next to a closed object
//! (`additionalProperties: false`) and an open one.

use std::collections::{BTreeMap, BTreeSet};
use std::convert::Infallible;
use std::sync::{Arc, Mutex};

use fx_behaviour::{lock, serve};
use fx_g10_client::{
    Client, Counts, G10Api, Measurement, Point, Server, SubmitSurveyRequest, SubmitSurveyResponse, Survey,
};
use serde_json::{Value, json};

/// Records each survey and accepts it.
#[derive(Clone, Default)]
struct Surveys {
    received: Arc<Mutex<Vec<Survey>>>,
}

impl G10Api for Surveys {
    type Error = Infallible;

    async fn submit_survey(&self, request: SubmitSurveyRequest) -> Result<SubmitSurveyResponse, Infallible> {
        lock(&self.received).push(request.body);
        Ok(SubmitSurveyResponse::NoContent)
    }
}

/// Posts `body` as JSON and returns the status and the surveys that reached the implementation.
async fn post_survey(body: Value) -> (u16, Vec<Survey>) {
    let surveys = Surveys::default();
    let url = serve(fx_g10_server::router(surveys.clone())).await;
    let response = reqwest::Client::new()
        .post(format!("{url}/surveys"))
        .header("content-type", "application/json")
        .body(body.to_string())
        .send()
        .await
        .expect("the request failed");
    let received = lock(&surveys.received).clone();
    (response.status().as_u16(), received)
}

#[tokio::test]
async fn map_accepts_any_key() {
    let body = json!({ "measurements": { "kelvin/é x": { "value": 1.5 }, "": {}, "42": { "value": 2 } } });

    let (status, received) = post_survey(body).await;

    assert_eq!(status, 204);
    assert_eq!(received.len(), 1);
    let keys: BTreeSet<&str> = received[0].measurements.keys().map(String::as_str).collect();
    assert_eq!(keys, BTreeSet::from(["", "42", "kelvin/é x"]));
}

#[tokio::test]
async fn empty_map_rejected() {
    let (status, received) = post_survey(json!({ "measurements": {} })).await;

    assert_eq!(status, 400);
    assert!(received.is_empty(), "the implementation received {received:?}");
}

#[tokio::test]
async fn closed_object_accepts_declared_properties() {
    let body = json!({ "measurements": { "a": {} }, "origin": { "x": 1, "y": 2 } });

    let (status, received) = post_survey(body).await;

    assert_eq!(status, 204);
    assert_eq!(received.len(), 1);
    assert_eq!(received[0].origin, Some(Point { x: 1.0, y: 2.0 }));
}

#[tokio::test]
async fn closed_object_rejects_unknown_property() {
    let body = json!({ "measurements": { "a": {} }, "origin": { "x": 1, "y": 2, "z": 3 } });

    let (status, received) = post_survey(body).await;

    assert_eq!(status, 400);
    assert!(received.is_empty(), "the implementation received {received:?}");
}

#[tokio::test]
async fn open_object_accepts_unknown_property() {
    let body = json!({ "measurements": { "a": { "value": 1, "unit": "K" } } });

    let (status, received) = post_survey(body).await;

    assert_eq!(status, 204);
    assert_eq!(received.len(), 1);
    assert_eq!(received[0].measurements["a"].value, Some(1.0));
}

#[tokio::test]
async fn extra_properties_are_kept() {
    let body = json!({ "measurements": { "a": {} }, "counts": { "total": 3, "red": 1, "blue": 2 } });

    let (status, received) = post_survey(body).await;

    assert_eq!(status, 204);
    assert_eq!(received.len(), 1);
    let counts = received[0].counts.as_ref().expect("counts were not received");
    assert_eq!(counts.total, 3);
    let extra: Vec<(&str, i64)> = counts.additional_properties.iter().map(|(k, v)| (k.as_str(), *v)).collect();
    assert_eq!(extra, vec![("blue", 2), ("red", 1)]);
}

#[tokio::test]
async fn nullable_through_all_of_accepts_null() {
    let (status, received) = post_survey(json!({ "measurements": { "a": {} }, "note": null })).await;

    assert_eq!(status, 204);
    assert_eq!(received.len(), 1);
    assert_eq!(received[0].note, Some(None));
}

#[tokio::test]
async fn nullable_through_all_of_keeps_limits() {
    let (status, received) = post_survey(json!({ "measurements": { "a": {} }, "note": "far too long" })).await;

    assert_eq!(status, 400);
    assert!(received.is_empty(), "the implementation received {received:?}");
}

#[tokio::test]
async fn extra_property_of_wrong_type_rejected() {
    let body = json!({ "measurements": { "a": {} }, "counts": { "total": 3, "red": "one" } });

    let (status, received) = post_survey(body).await;

    assert_eq!(status, 400);
    assert!(received.is_empty(), "the implementation received {received:?}");
}

#[tokio::test]
async fn negative_extra_property_rejected() {
    let body = json!({ "measurements": { "a": {} }, "counts": { "total": 3, "red": -1 } });

    let (status, received) = post_survey(body).await;

    assert_eq!(status, 400);
    assert!(received.is_empty(), "the implementation received {received:?}");
}

#[tokio::test]
async fn survey_round_trips_through_client() {
    let surveys = Surveys::default();
    let url = serve(fx_g10_server::router(surveys.clone())).await;
    let client = Client::builder().server_url(Server::Default, url).build();
    let measurements = BTreeMap::from([
        ("a b".to_owned(), Measurement { value: Some(-3.25) }),
        ("c".to_owned(), Measurement { value: None }),
    ]);
    let counts = Counts { total: 2, additional_properties: BTreeMap::from([("red".to_owned(), 2)]) };
    let survey = Survey { measurements, origin: Some(Point { x: 0.5, y: -1.0 }), counts: Some(counts), note: Some(Some("short".to_owned())) };

    let response = client.submit_survey(SubmitSurveyRequest { body: survey.clone() }).await.expect("the call failed");

    assert_eq!(response, SubmitSurveyResponse::NoContent);
    assert_eq!(*lock(&surveys.received), vec![survey]);
}
