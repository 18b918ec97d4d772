package io.logcompactor.events;

import java.time.Instant;

/**
 * One S3 object event, whatever envelope it arrived in.
 *
 * @param bucket    bucket name
 * @param key       the object key, decoded (S3 notifications URL-encode it; EventBridge does not)
 * @param created   whether it is an object-creation event
 * @param eventName the event's own name ({@code ObjectCreated:Put}, {@code Object Created}, ...), for logs
 * @param size      object size in bytes, or -1 when the event does not say
 * @param eventTime when S3 processed the request, or null when the event does not say
 */
public record S3Event(String bucket, String key, boolean created, String eventName, long size, Instant eventTime) {}
