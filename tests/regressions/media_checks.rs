//! The server's response check reads multipart response bodies: a part that breaks its schema turns the
//! response into a logged 500, as a JSON body that breaks its schema does.

use std::convert::Infallible;

use fx_behaviour::serve;
use fx_media_client::{
    AlbumDetails, Client, ClientError, CopyAlbumBody, CopyAlbumOkBody, CopyAlbumRequest, CopyAlbumResponse,
    EchoEntryRequest, EchoEntryResponse, FilePart, GetAlbumProfileRequest, GetAlbumProfileResponse, MediaApi,
    Server, StorePackageRequest, StorePackageResponse,
};
use fx_media_server::ServerOptions;

/// Returns the album with the given rating, which the document limits to 1 to 5.
#[derive(Clone)]
struct Rated(i64);

impl MediaApi for Rated {
    type Error = Infallible;

    async fn copy_album(&self, request: CopyAlbumRequest) -> Result<CopyAlbumResponse, Infallible> {
        let body = request.body;
        Ok(CopyAlbumResponse::Ok(CopyAlbumOkBody {
            title: body.title,
            details: body.details,
            cover: body.cover,
            tags: body.tags,
            pages: body.pages,
            rating: Some(self.0),
        }))
    }

    async fn get_album_profile(&self, _request: GetAlbumProfileRequest) -> Result<GetAlbumProfileResponse, Infallible> {
        unimplemented!("not called by these tests")
    }

    async fn store_package(&self, _request: StorePackageRequest) -> Result<StorePackageResponse, Infallible> {
        unimplemented!("not called by these tests")
    }

    async fn echo_entry(&self, _request: EchoEntryRequest) -> Result<EchoEntryResponse, Infallible> {
        unimplemented!("not called by these tests")
    }
}

async fn copy_with_rating(rating: i64) -> Result<CopyAlbumResponse, ClientError> {
    let options = ServerOptions { check_responses: true, ..ServerOptions::default() };
    let url = serve(fx_media_server::router_with(Rated(rating), options)).await;
    let client = Client::builder().server_url(Server::Default, &url).build();
    let body = CopyAlbumBody {
        title: "Dunes".to_owned(),
        details: AlbumDetails { year: 2001, photographers: None },
        cover: FilePart::from(vec![1, 2, 3]),
        tags: None,
        pages: None,
        rating: None,
    };
    client.copy_album(CopyAlbumRequest { body }).await
}

#[tokio::test]
async fn valid_multipart_response_is_sent() {
    let response = copy_with_rating(5).await.expect("the call failed");
    match response {
        CopyAlbumResponse::Ok(body) => assert_eq!(body.rating, Some(5)),
        other => panic!("expected 200, got {other:?}"),
    }
}

#[tokio::test]
async fn invalid_multipart_part_is_500() {
    match copy_with_rating(9).await {
        Err(ClientError::UnexpectedStatus { status, .. }) => assert_eq!(status, 500),
        other => panic!("the response check let a rating of 9 through: {other:?}"),
    }
}
