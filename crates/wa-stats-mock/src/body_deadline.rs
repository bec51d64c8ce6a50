//! A request body that must arrive in time. Hyper bounds how long the headers take
//! (`header_read_timeout`), but nothing bounded the body: a client that sent one byte every few
//! seconds kept its connection, and its file descriptor, for as long as it liked.

use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use hyper::body::Incoming;
use hyper::body::{Body, Frame, SizeHint};

/// How long a request may take to arrive: its headers from the connection's first byte (or the
/// end of the previous answer), then its body from the end of its headers. 30 s each, as
/// hyper's own default for headers.
pub(crate) const REQUEST_READ_TIMEOUT: Duration = Duration::from_secs(30);

/// The error a body gives once its time is up.
#[derive(Debug, thiserror::Error)]
#[error("the request body did not arrive within {} s", REQUEST_READ_TIMEOUT.as_secs())]
pub(crate) struct BodyTimedOut;

/// `Incoming`, failing with [`BodyTimedOut`] when it has not ended by its deadline.
pub(crate) struct DeadlineBody {
    inner: Incoming,
    deadline: Pin<Box<tokio::time::Sleep>>,
    timed_out: bool,
}

impl DeadlineBody {
    /// The deadline starts now: when hyper hands over the request, its headers read.
    pub(crate) fn new(inner: Incoming) -> Self {
        Self {
            inner,
            deadline: Box::pin(tokio::time::sleep(REQUEST_READ_TIMEOUT)),
            timed_out: false,
        }
    }
}

impl Body for DeadlineBody {
    type Data = Bytes;
    type Error = Box<dyn std::error::Error + Send + Sync>;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Self::Data>, Self::Error>>> {
        let this = self.get_mut();
        if this.timed_out {
            return Poll::Ready(None);
        }
        match Pin::new(&mut this.inner).poll_frame(cx) {
            Poll::Ready(frame) => Poll::Ready(frame.map(|frame| frame.map_err(Into::into))),
            Poll::Pending => match this.deadline.as_mut().poll(cx) {
                Poll::Ready(()) => {
                    this.timed_out = true;
                    Poll::Ready(Some(Err(Box::new(BodyTimedOut))))
                }
                Poll::Pending => Poll::Pending,
            },
        }
    }

    fn is_end_stream(&self) -> bool {
        self.timed_out || self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}

/// Whether an error from a request body (as axum wraps it) is [`BodyTimedOut`].
pub(crate) fn is_timeout(error: &(dyn std::error::Error + 'static)) -> bool {
    let mut cause = Some(error);
    while let Some(error) = cause {
        if error.is::<BodyTimedOut>() {
            return true;
        }
        cause = error.source();
    }
    false
}
