//! Error answers: the documented bodies (R11), constructors that build them exactly, and the
//! classification of any error answer a client receives.

mod body;
mod classify;
mod response;

pub use body::{
    CODE_CAMPAIGN_NOT_FOUND, CODE_PARSE_FAILED, CODE_PRODUCT_NOT_ACTIVE, CODE_RATE_LIMITED,
    CODE_VALIDATION_FAILED, CodedErrorBody, ErrorCode, FieldErrorsBody, MessageBody,
    RateLimitDetail, RateLimitedBody,
};
pub use classify::{ApiError, ApiErrorKind, ERROR_KINDS, KindEntry};
pub use response::ErrorResponse;
