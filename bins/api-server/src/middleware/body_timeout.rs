//! A deadline on reading a request's body.
//!
//! actix-web bounds the time a client takes to send a request's head
//! (`client_request_timeout`), not its body: a client could announce a body and trickle it a
//! byte at a time, holding a connection and the handler that waits for it. Here the body is
//! read through a stream that fails once the deadline (counted from the moment the request
//! reached the app) has passed; the extractor then refuses the request with a JSON `400`
//! (`bad_request`), and a handler never waits longer than the deadline for a body.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use actix_web::body::MessageBody;
use actix_web::dev::{Payload, ServiceRequest, ServiceResponse};
use actix_web::error::PayloadError;
use actix_web::middleware::Next;
use actix_web::web::Bytes;
use actix_web::{Error, HttpMessage as _};
use futures::Stream;
use tokio::time::Sleep;

/// The body of a request, failing once `deadline` has passed.
struct WithDeadline<S> {
    body: S,
    deadline: Pin<Box<Sleep>>,
}

impl<S> Stream for WithDeadline<S>
where
    S: Stream<Item = Result<Bytes, PayloadError>> + Unpin,
{
    type Item = Result<Bytes, PayloadError>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        if let Poll::Ready(item) = Pin::new(&mut self.body).poll_next(cx) {
            return Poll::Ready(item);
        }
        match self.deadline.as_mut().poll(cx) {
            Poll::Ready(()) => Poll::Ready(Some(Err(PayloadError::Io(std::io::Error::new(
                std::io::ErrorKind::TimedOut,
                "the request body did not arrive in time",
            ))))),
            Poll::Pending => Poll::Pending,
        }
    }
}

/// Middleware function: wrap with
/// `from_fn(move |request, next| body_read_timeout(request, next, timeout))`.
///
/// # Errors
/// Whatever the inner service returns.
pub async fn body_read_timeout(
    mut request: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
    timeout: Duration,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    let body = request.take_payload();
    let bounded = WithDeadline {
        body,
        deadline: Box::pin(tokio::time::sleep(timeout)),
    };
    request.set_payload(Payload::Stream {
        payload: Box::pin(bounded),
    });
    next.call(request).await
}

#[cfg(test)]
mod tests {
    use futures::StreamExt as _;

    use super::*;

    #[tokio::test(start_paused = true)]
    async fn a_body_that_stalls_fails_at_the_deadline_and_one_that_arrives_passes() {
        // A body whose second chunk never comes.
        let stalled = futures::stream::iter([Ok(Bytes::from_static(b"{\"a\""))])
            .chain(futures::stream::pending());
        let mut body = WithDeadline {
            body: Box::pin(stalled),
            deadline: Box::pin(tokio::time::sleep(Duration::from_secs(10))),
        };
        assert_eq!(
            body.next().await.unwrap().unwrap(),
            Bytes::from_static(b"{\"a\"")
        );
        // The paused clock moves to the deadline by itself: no wall-clock wait.
        let error = body.next().await.unwrap().unwrap_err();
        assert!(
            error.to_string().contains("did not arrive in time"),
            "{error}"
        );

        let whole = futures::stream::iter([Ok(Bytes::from_static(b"{}"))]);
        let mut body = WithDeadline {
            body: Box::pin(whole),
            deadline: Box::pin(tokio::time::sleep(Duration::from_secs(10))),
        };
        assert_eq!(
            body.next().await.unwrap().unwrap(),
            Bytes::from_static(b"{}")
        );
        assert!(body.next().await.is_none());
    }
}
