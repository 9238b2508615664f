/** The dashboard output (`web://host:port`). */
export { createWebSink, type WebSink } from './web-sink.js';
export { parseWebUrl, DEFAULT_WEB_PORT, type WebUrl } from './web-url.js';
