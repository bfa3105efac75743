//! A stand-in for the host product's webhook endpoint: records every POST (headers and raw
//! body), answers 500 to the first few, and can answer slowly, counting how many deliveries
//! of one event are in flight at once.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use actix_web::{App, HttpRequest, HttpResponse, HttpServer, web};
use hmac::{Hmac, Mac};
use serde_json::Value;
use sha2::Sha256;

/// The secret the flows give `HOST_WEBHOOK_SECRET`.
pub const HOST_SECRET: &str = "host-webhook-secret-for-tests-0123456789";

/// One POST the receiver got.
#[derive(Debug, Clone)]
pub struct Received {
    /// `X-Webhook-Id`.
    pub id: String,
    /// `X-Signature`.
    pub signature: String,
    /// The raw body.
    pub body: String,
    /// The status answered.
    pub status: u16,
}

impl Received {
    /// The body as JSON.
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap()
    }

    /// The event type.
    pub fn event_type(&self) -> String {
        self.json()["type"].as_str().unwrap().to_owned()
    }
}

#[derive(Default)]
struct Book {
    received: Vec<Received>,
    in_flight: HashMap<String, usize>,
    most_in_flight: usize,
}

/// A running receiver.
pub struct HostReceiver {
    pub url: String,
    book: Arc<Mutex<Book>>,
    handle: actix_web::dev::ServerHandle,
}

impl HostReceiver {
    /// Answers 500 to the first `failures` POSTs, then 200, each after `delay`.
    pub async fn start(failures: usize, delay: Duration) -> Self {
        let book: Arc<Mutex<Book>> = Arc::default();
        let shared = Arc::clone(&book);
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let server = HttpServer::new(move || {
            let book = Arc::clone(&shared);
            App::new().route(
                "/hooks",
                web::post().to(move |request: HttpRequest, body: web::Bytes| {
                    let book = Arc::clone(&book);
                    async move { receive(&book, &request, &body, failures, delay).await }
                }),
            )
        })
        .workers(2)
        .disable_signals()
        .listen(listener)
        .unwrap()
        .run();
        let handle = server.handle();
        tokio::spawn(server);
        Self {
            url: format!("http://127.0.0.1:{port}/hooks"),
            book,
            handle,
        }
    }

    /// Every POST so far, in arrival order.
    pub fn received(&self) -> Vec<Received> {
        self.book.lock().unwrap().received.clone()
    }

    /// The POSTs answered 200, in order.
    pub fn acknowledged(&self) -> Vec<Received> {
        self.received()
            .into_iter()
            .filter(|received| received.status == 200)
            .collect()
    }

    /// The most deliveries of one event that were in flight at the same time.
    pub fn most_in_flight(&self) -> usize {
        self.book.lock().unwrap().most_in_flight
    }

    /// Deliveries being answered right now.
    pub fn in_flight(&self) -> usize {
        self.book.lock().unwrap().in_flight.values().sum()
    }

    /// Waits until `done` holds for what was acknowledged (the deliverer runs on its own).
    pub async fn wait_for(&self, what: &str, done: impl Fn(&[Received]) -> bool) -> Vec<Received> {
        for _ in 0..600 {
            let acknowledged = self.acknowledged();
            if done(&acknowledged) {
                return acknowledged;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!(
            "the host never got {what}; it got {:?}",
            self.received()
                .iter()
                .map(|r| (r.event_type(), r.status))
                .collect::<Vec<_>>()
        );
    }

    pub async fn stop(self) {
        self.handle.stop(false).await;
    }
}

async fn receive(
    book: &Mutex<Book>,
    request: &HttpRequest,
    body: &[u8],
    failures: usize,
    delay: Duration,
) -> HttpResponse {
    let header = |name: &str| {
        request
            .headers()
            .get(name)
            .map(|value| value.to_str().unwrap().to_owned())
            .unwrap_or_default()
    };
    let id = header("X-Webhook-Id");
    {
        let mut book = book.lock().unwrap();
        let in_flight = book.in_flight.entry(id.clone()).or_default();
        *in_flight += 1;
        let now = *in_flight;
        book.most_in_flight = book.most_in_flight.max(now);
    }
    tokio::time::sleep(delay).await;
    let mut book = book.lock().unwrap();
    *book.in_flight.get_mut(&id).unwrap() -= 1;
    let status = if book.received.len() < failures {
        500
    } else {
        200
    };
    book.received.push(Received {
        id,
        signature: header("X-Signature"),
        body: String::from_utf8(body.to_vec()).unwrap(),
        status,
    });
    if status == 200 {
        HttpResponse::Ok().finish()
    } else {
        HttpResponse::InternalServerError().finish()
    }
}

/// `t=<t>,s=<hex HMAC-SHA256(secret, "<t>.<body>")>`, computed here with `hmac` directly, not
/// with the service's own signing code.
pub fn signature_for(secret: &str, timestamp: i64, body: &str) -> String {
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(format!("{timestamp}.{body}").as_bytes());
    format!(
        "t={timestamp},s={}",
        hex::encode(mac.finalize().into_bytes())
    )
}

/// Checks a delivery's `X-Signature` against its body, independently of the service.
pub fn assert_signed(received: &Received) {
    let timestamp: i64 = received
        .signature
        .strip_prefix("t=")
        .and_then(|rest| rest.split(',').next())
        .unwrap()
        .parse()
        .unwrap();
    assert_eq!(
        received.signature,
        signature_for(HOST_SECRET, timestamp, &received.body)
    );
    assert!((chrono::Utc::now().timestamp() - timestamp).abs() < 300);
}
