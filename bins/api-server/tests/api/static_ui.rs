//! The embedded UI: the right files with the right types, nothing else.

use crate::helpers::{error_code, spawn_sandbox};

#[tokio::test]
async fn root_serves_the_index_page_when_present() {
    let app = spawn_sandbox().await;
    let response = app.get("/").await;
    let index = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("static/index.html");
    if index.exists() {
        assert_eq!(response.status(), 200);
        assert!(
            response.headers()["content-type"]
                .to_str()
                .unwrap()
                .starts_with("text/html")
        );
        assert_eq!(response.headers()["cache-control"], "no-cache");
        let etag = response.headers()["etag"].to_str().unwrap().to_owned();
        let body = response.text().await.unwrap();
        assert_eq!(body, std::fs::read_to_string(index).unwrap());

        let again = app
            .client
            .get(app.url("/"))
            .header("if-none-match", etag)
            .send()
            .await
            .unwrap();
        assert_eq!(again.status(), 304);
    } else {
        assert_eq!(response.status(), 404);
        assert_eq!(error_code(response).await, "not_found");
    }
}

#[tokio::test]
async fn assets_have_their_content_type() {
    let app = spawn_sandbox().await;
    let static_dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("static");
    let expectations = [
        ("js/dashboard.js", "javascript"),
        ("css/app.css", "text/css"),
        ("img/favicon.svg", "image/svg+xml"),
    ];
    for (file, content_type) in expectations {
        if !static_dir.join(file).exists() {
            continue;
        }
        let response = app.get(&format!("/{file}")).await;
        assert_eq!(response.status(), 200, "{file}");
        let actual = response.headers()["content-type"].to_str().unwrap();
        assert!(actual.contains(content_type), "{file}: {actual}");
    }
}

#[tokio::test]
async fn nothing_outside_the_embedded_set_is_served() {
    let app = spawn_sandbox().await;
    for path in [
        "/.gitkeep",
        "/../Cargo.toml",
        "/%2e%2e/Cargo.toml",
        "/js/%2e%2e/%2e%2e/Cargo.toml",
        "/..%2fCargo.toml",
        "/src/main.rs",
        "/static/index.html",
    ] {
        let response = app.get(path).await;
        assert_eq!(response.status(), 404, "{path}");
        assert_eq!(error_code(response).await, "not_found", "{path}");
    }
    // A UI file is not served for another method, nor under /api/.
    let response = app
        .client
        .post(app.url("/index.html"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 404);
    let response = app.get("/api/index.html").await;
    assert_eq!(response.status(), 404);
}
