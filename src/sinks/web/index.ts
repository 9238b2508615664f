/** The dashboard output (`web://host:port`). */
export { createWebSink, type WebSink, type WebSinkOptions } from './web-sink.js';
export { parseWebUrl, redactWebUrl, DEFAULT_WEB_PORT, type WebUrl } from './web-url.js';
