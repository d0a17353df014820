//! `application/x-www-form-urlencoded` responses, and a body that comes as JSON, a form or multipart parts
//! in both directions.

use std::convert::Infallible;

use fx_behaviour::{CannedResponse, serve, serve_recorder};
use fx_media_client::{
    Client, ClientError, EchoEntryBody, EchoEntryBodyMultipart, EchoEntryMediaType, EchoEntryOkBody,
    EchoEntryOkBodyMultipart, EchoEntryRequest, EchoEntryResponse, Entry, GetAlbumProfileRequest,
    GetAlbumProfileResponse, MediaApi, Profile, Server,
};

/// Returns a fixed profile, and echoes each entry in the media type that the request accepts first.
#[derive(Clone, Default)]
struct Forms;

fn profile(album_id: &str) -> Profile {
    Profile {
        name: format!("album {album_id} & friends"),
        photos: 12,
        public: Some(true),
        keywords: Some(vec!["sea".to_owned(), "é".to_owned()]),
    }
}

impl MediaApi for Forms {
    type Error = Infallible;

    async fn copy_album(
        &self,
        _request: fx_media_client::CopyAlbumRequest,
    ) -> Result<fx_media_client::CopyAlbumResponse, Infallible> {
        unimplemented!("not called by these tests")
    }

    async fn get_album_profile(&self, request: GetAlbumProfileRequest) -> Result<GetAlbumProfileResponse, Infallible> {
        Ok(GetAlbumProfileResponse::Ok(profile(&request.album_id)))
    }

    async fn store_package(
        &self,
        _request: fx_media_client::StorePackageRequest,
    ) -> Result<fx_media_client::StorePackageResponse, Infallible> {
        unimplemented!("not called by these tests")
    }

    async fn echo_entry(&self, request: EchoEntryRequest) -> Result<EchoEntryResponse, Infallible> {
        let (name, count) = match request.body {
            EchoEntryBody::Json(entry) | EchoEntryBody::Form(entry) => (entry.name, entry.count),
            EchoEntryBody::Multipart(parts) => (parts.name, parts.count),
        };
        let name = format!("{name} (echo)");
        let body = match request.accept {
            EchoEntryMediaType::Json => EchoEntryOkBody::Json(Entry { name, count }),
            EchoEntryMediaType::Form => EchoEntryOkBody::Form(Entry { name, count }),
            EchoEntryMediaType::Multipart => EchoEntryOkBody::Multipart(EchoEntryOkBodyMultipart { name, count }),
        };
        Ok(EchoEntryResponse::Ok(body))
    }
}

fn client(url: &str) -> Client {
    Client::builder().server_url(Server::Default, url).build()
}

#[tokio::test]
async fn form_response_round_trip() {
    let url = serve(fx_media_server::router(Forms)).await;

    let response = client(&url)
        .get_album_profile(GetAlbumProfileRequest { album_id: "a1".to_owned() })
        .await
        .expect("the call failed");

    assert_eq!(response, GetAlbumProfileResponse::Ok(profile("a1")));
}

#[tokio::test]
async fn server_writes_form_response() {
    let url = serve(fx_media_server::router(Forms)).await;

    let response = reqwest::get(format!("{url}/albums/a1/profile")).await.expect("the request failed");

    assert_eq!(response.status().as_u16(), 200);
    assert_eq!(response.headers()["content-type"], "application/x-www-form-urlencoded");
    let text = response.text().await.expect("failed to read the body");
    assert_eq!(text, "name=album+a1+%26+friends&photos=12&public=true&keywords=sea&keywords=%C3%A9");
}

#[tokio::test]
async fn invalid_form_response_is_decode_error() {
    let (url, _recorder) = serve_recorder(CannedResponse::new(
        200,
        Some("application/x-www-form-urlencoded"),
        "name=x&photos=many",
    ))
    .await;

    let error = client(&url)
        .get_album_profile(GetAlbumProfileRequest { album_id: "a1".to_owned() })
        .await
        .expect_err("the call succeeded");

    assert!(matches!(error, ClientError::Decode { status: 200, .. }), "unexpected error {error:?}");
}

#[tokio::test]
async fn every_media_type_round_trips() {
    let url = serve(fx_media_server::router(Forms)).await;
    let entry = || Entry { name: "n".to_owned(), count: Some(3) };
    let bodies = [
        EchoEntryBody::Json(entry()),
        EchoEntryBody::Form(entry()),
        EchoEntryBody::Multipart(EchoEntryBodyMultipart { name: "n".to_owned(), count: Some(3) }),
    ];
    let echoed = || Entry { name: "n (echo)".to_owned(), count: Some(3) };

    for body in bodies {
        for accept in EchoEntryMediaType::ALL.iter().copied() {
            let request = EchoEntryRequest { body: body.clone(), accept };
            let response = client(&url).echo_entry(request).await.expect("the call failed");

            let expected = match accept {
                EchoEntryMediaType::Json => EchoEntryOkBody::Json(echoed()),
                EchoEntryMediaType::Form => EchoEntryOkBody::Form(echoed()),
                EchoEntryMediaType::Multipart => {
                    EchoEntryOkBody::Multipart(EchoEntryOkBodyMultipart { name: "n (echo)".to_owned(), count: Some(3) })
                }
            };
            assert_eq!(response, EchoEntryResponse::Ok(expected), "body {body:?}, accept {accept:?}");
        }
    }
}
