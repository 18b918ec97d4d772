package io.logcompactor.s3;

/** A small object read whole (metadata), with the ETag to make the next write conditional on. */
public record StoredObject(byte[] bytes, String etag) {}
