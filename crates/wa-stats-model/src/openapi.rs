//! OpenAPI 3.1 document for both statistics routes and the token endpoint.
