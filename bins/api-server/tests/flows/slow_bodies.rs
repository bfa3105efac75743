//! A body that does not arrive in time (a client announcing 100 bytes and sending 10) is
//! refused with a JSON 400 once the body-read deadline passes, instead of holding the
//! connection and its handler; a body that arrives is served as always.

use std::time::Duration;

use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::TcpStream;

use crate::support::{FlowOptions, TestDatabase};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_trickled_body_is_refused_at_the_deadline() {
    let flow = FlowOptions::new()
        .var("BODY_READ_TIMEOUT_MS", "300")
        .spawn(TestDatabase::sqlite("flow.db"))
        .await;
    let address = flow.address.trim_start_matches("http://").to_owned();
    let mut socket = TcpStream::connect(&address).await.unwrap();
    let head = format!(
        "POST /api/dev/token HTTP/1.1\r\nHost: {address}\r\nContent-Type: application/json\r\n\
         Content-Length: 100\r\n\r\n{{\"userId\":"
    );
    socket.write_all(head.as_bytes()).await.unwrap();
    // The rest never comes: the server must answer by itself, well within this bound.
    let mut answer = Vec::new();
    let read = tokio::time::timeout(Duration::from_secs(20), async {
        let mut buffer = [0_u8; 4096];
        loop {
            let n = socket.read(&mut buffer).await.unwrap();
            if n == 0 {
                break;
            }
            answer.extend_from_slice(&buffer[..n]);
            if String::from_utf8_lossy(&answer).contains("}}") {
                break;
            }
        }
    })
    .await;
    assert!(
        read.is_ok(),
        "the server waited for the body past its deadline"
    );
    let answer = String::from_utf8_lossy(&answer);
    assert!(answer.starts_with("HTTP/1.1 400"), "{answer}");
    assert!(answer.contains("application/json"), "{answer}");
    assert!(
        answer.contains(r#""code":"bad_request""#) || answer.contains(r#""code":"invalid_body""#),
        "{answer}"
    );

    // A whole body is served as usual.
    let token = flow.dev_token("patient-user").await;
    assert!(!token.is_empty());
}
