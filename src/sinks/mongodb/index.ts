/** MongoDB sink (`mongodb://…/db?collection=telegrams`). */
export { createMongoSink, insertIdempotent, isOnlyDuplicateKeys, type MongoSinkOptions } from './mongo-sink.js';
export { idempotencyKey, messageDocument, parseMongoUrl, redactMongoUrl, type MessageDocument } from './documents.js';
